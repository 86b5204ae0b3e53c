"""Reads of the snapshot for the API and pages: the feature catalogue, a customer's insight for a month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.insight import catalogue, repository
from bankcrm.insight.schemas import FeatureRead, InsightRead, RfmRead, TierRead, TrendPoint
from bankcrm.kit.i18n import N_
from bankcrm.models.insight import CustomerMonth

TREND_MONTHS = 24
BAD_MONTH = N_("Give the month as YYYY-MM.")


def features(locale: str) -> list[FeatureRead]:
    """The feature catalogue in display order, labelled in the reader's language (what segment builders offer)."""
    return [
        FeatureRead(
            name=f.name,
            label=f.label(locale),
            label_en=f.label_en,
            label_zh=f.label_zh,
            type=f.type,
            unit=f.unit,
            description=f.description(locale),
            month=f.month,
        )
        for f in catalogue.features()
    ]


def parse_month(value: str | None, field: str = "month") -> date | None:
    """``YYYY-MM`` as the month's first day (None when not given); a bad value is a 422 naming the field."""
    if not value:
        return None
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(errors=[FieldError(field, BAD_MONTH)]) from None


def tier_label(code: str, locale: str) -> str:
    """A tier's label in the reader's language (the code itself when the catalogue no longer has it)."""
    found = catalogue.tier(code)
    return found.label(locale) if found else code


def insight(db: Session, principal: Principal, cif_no: str, month: date | None, *, locale: str) -> InsightRead:
    """A customer in scope (404 otherwise, audited): tier, RFM and AUM of a month (default the latest),
    with the trend of up to 24 months ending there."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    rows = repository.history(db, customer.id, month, TREND_MONTHS)
    if not rows:
        return InsightRead(
            cif_no=customer.cif_no, month=None, as_of=None, tier=None, tier_change=None, rfm=None,
            aum_end=None, aum_avg=None, trend=[],
        )  # fmt: skip
    last = rows[-1]
    return InsightRead(
        cif_no=customer.cif_no,
        month=f"{last.month:%Y-%m}",
        as_of=last.as_of,
        tier=TierRead(code=last.tier, label=tier_label(last.tier, locale)),
        tier_change=last.tier_change,
        rfm=_rfm(last, locale),
        aum_end=last.aum_end,
        aum_avg=last.aum_avg,
        trend=[
            TrendPoint(
                month=f"{r.month:%Y-%m}",
                as_of=r.as_of,
                aum_end=r.aum_end,
                aum_avg=r.aum_avg,
                tier=r.tier,
                tier_label=tier_label(r.tier, locale),
                tier_change=r.tier_change,
            )
            for r in rows
        ],
    )


def _rfm(row: CustomerMonth, locale: str) -> RfmRead:
    group = catalogue.rfm_group(row.rfm_group) if row.rfm_group else None
    return RfmRead(
        recency=row.r_score,
        frequency=row.f_score,
        monetary=row.m_score,
        group=row.rfm_group,
        group_label=group.label(locale) if group else None,
    )


def trend_chart(found: InsightRead) -> dict[str, list[str]]:
    """The tab chart's data: months and month-end AUM in yuan as plain decimal text (exact, no float)."""
    return {
        "months": [p.month for p in found.trend],
        "values": [f"{Decimal(p.aum_end).scaleb(-2):.2f}" for p in found.trend],
    }
