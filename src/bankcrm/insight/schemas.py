"""What the insight API answers: the feature catalogue, a customer's tier, RFM, trend, tags and contribution, and the
value dashboard."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page
from bankcrm.segments.schemas import CustomerSegmentRead
from bankcrm.tags.schemas import CustomerTagRead
from bankcrm.value.schemas import CustomerContributionRead, ParetoPoint


class FeatureRead(BaseModel):
    """One feature of the catalogue, labelled in the reader's language (both labels given too)."""

    name: str
    label: str
    label_en: str
    label_zh: str
    type: str = Field(description="money (integer fen) | integer | code | reference")
    unit: str
    description: str
    month: str = Field(description="current: the row's month; change: compared with the month before")


class TierRead(BaseModel):
    """A value tier."""

    code: str
    label: str


class RfmRead(BaseModel):
    """The month's RFM scores (1–5, quintiles within the bank) and group; None until the month is scored."""

    recency: int | None
    frequency: int | None
    monetary: int | None
    group: str | None
    group_label: str | None


class TrendPoint(BaseModel):
    """One month of the trend: AUM at month-end and on average (fen), and the month's tier."""

    month: str = Field(description="YYYY-MM")
    as_of: date
    aum_end: int
    aum_avg: int
    tier: str
    tier_label: str
    tier_change: int | None


class InsightRead(BaseModel):
    """A customer's insight for one month. Tags, segments and contribution are added by their own modules."""

    cif_no: str
    month: str | None = Field(description="YYYY-MM; None when the snapshot holds no month for the customer")
    as_of: date | None
    tier: TierRead | None
    tier_change: int | None
    rfm: RfmRead | None
    aum_end: int | None
    aum_avg: int | None
    trend: list[TrendPoint] = Field(description="Up to 24 months ending with ``month``, oldest first")


WatchKind = Literal["up", "down", "near"]


class TierWatchRow(BaseModel):
    """A customer on a tier watch list: moved up or down this month, or within 10 % of dropping a tier."""

    cif_no: str
    customer_name: str = Field(description="masked as on every list")
    unit_code: str
    month: str
    tier: str
    tier_label: str
    tier_change: int | None
    aum_avg: int = Field(description="the tier's measure: month-average AUM (individuals), fen")
    deposits_avg: int = Field(description="month-average deposits (the corporate tiers' measure), fen")
    loans_outstanding: int
    tier_floor: int = Field(description="the tier's lower bound on the measure, fen")


class TierWatchPage(Page[TierWatchRow]):
    """One page of a tier watch list."""


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-{-fen // 100}.{-fen % 100:02d}"


# Customers of the reader's scope on a tier watch list (which: up, down, near) for a month.
TIER_WATCH = ListSpec(
    name="tier-watch",
    columns=(
        Column("cif_no", N_("Customer")),
        Column("unit_code", N_("Home branch")),
        Column("tier", N_("Value tier")),
        Column("aum_avg", N_("AUM, month average")),
        Column("deposits_avg", N_("Deposits, month average")),
        Column("loans_outstanding", N_("Loans outstanding")),
    ),
    default_sort="-aum_avg",
    tie_breaker="cif_no",
    filters=(
        Filter("which", max_length=5),
        Filter("month", max_length=7),
        # a cell of the dashboard's tier-move matrix: from which tier to which, under which unit
        Filter("from_tier", max_length=20),
        Filter("to_tier", max_length=20),
        Filter("unit", max_length=20),
    ),
    audit_event="insight.tier_watch_export",
    export=(
        ExportColumn(N_("CIF no."), lambda r: r.cif_no),
        ExportColumn(N_("Name"), lambda r: r.customer_name),
        ExportColumn(N_("Home branch"), lambda r: r.unit_code),
        ExportColumn(N_("Month"), lambda r: r.month),
        ExportColumn(N_("Value tier"), lambda r: r.tier_label),
        ExportColumn(N_("Tier code"), lambda r: r.tier),
        ExportColumn(N_("Tier change"), lambda r: "" if r.tier_change is None else r.tier_change),
        ExportColumn(N_("AUM, month average (yuan)"), lambda r: _yuan(r.aum_avg)),
        ExportColumn(N_("Deposits, month average (yuan)"), lambda r: _yuan(r.deposits_avg)),
        ExportColumn(N_("Loans outstanding (yuan)"), lambda r: _yuan(r.loans_outstanding)),
        ExportColumn(N_("Tier floor (yuan)"), lambda r: _yuan(r.tier_floor)),
    ),
)


class PyramidRow(BaseModel):
    """A tier of the month: its customers and their AUM (fen)."""

    kind: str = Field(description="individual | corporate")
    tier: str
    label: str
    customers: int
    aum_end: int = Field(description="sum of month-end AUM, fen")
    aum_avg: int = Field(description="sum of month-average AUM, fen")


class MigrationCell(BaseModel):
    """Customers who were in ``from_tier`` last month and are in ``to_tier`` this month (None: no row that month)."""

    from_tier: str | None
    to_tier: str | None
    customers: int


class MigrationMatrix(BaseModel):
    """The month-to-month tier moves of one customer kind; tiers highest first."""

    kind: str
    tiers: list[TierRead]
    cells: list[MigrationCell] = Field(description="only the non-empty cells")


class UnitRead(BaseModel):
    """A unit under the chosen one (a branch), or the chosen unit itself for the customers homed there."""

    code: str
    label: str


class AumCell(BaseModel):
    """The month-end AUM (fen) of one tier's customers homed under one branch."""

    unit: str
    tier: str
    customers: int
    aum_end: int


class DashboardRead(BaseModel):
    """The value dashboard of one month under a unit, in the caller's scope."""

    unit: str
    month: str | None = Field(description="YYYY-MM; None when the snapshot holds no month")
    previous_month: str | None
    pyramid: list[PyramidRow] = Field(description="every tier of the catalogue, per kind highest first")
    migration: list[MigrationMatrix]
    branches: list[UnitRead]
    aum_by_branch_tier: list[AumCell] = Field(description="only the non-empty cells")
    pareto: list[ParetoPoint] | None = Field(
        default=None, description="the contribution Pareto of the month (None without value.read)"
    )


class CustomerInsightRead(InsightRead):
    """A customer's insight with the tags carried now and the month's contribution lines (None without
    value.read)."""

    tags: list[CustomerTagRead]
    segments: list[CustomerSegmentRead]  # those the reader may see; empty without segment.read
    contribution: CustomerContributionRead | None
