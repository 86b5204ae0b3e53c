"""The tier watch lists for managers: customers who moved up or down a tier this month, or are within 10 % of
dropping theirs, in the reader's scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units
from bankcrm.customers.service import names as customer_names
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.insight import catalogue, repository
from bankcrm.insight.schemas import TierWatchRow
from bankcrm.insight.service.dashboard import previous_month
from bankcrm.insight.service.reads import tier_label
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest

WHICH = ("up", "down", "near")
BAD_WHICH = N_("Choose up, down or near.")
UNKNOWN_TIER = N_("Unknown value tier %(code)s.")
BOTH_TIERS = N_("Give both from_tier and to_tier for a tier move.")


def newest_month(db: Session) -> date | None:
    """The newest month of the snapshot (the lists' default)."""
    return repository.newest_month(db)


def move_of(from_tier: str | None, to_tier: str | None, unit_code: str | None) -> tuple[str, str, str | None] | None:
    """A tier move from the API's query (None when neither tier is given; both or neither, else 422)."""
    if not from_tier and not to_tier:
        if unit_code:
            raise ValidationFailed(errors=[FieldError("unit", BOTH_TIERS)])
        return None
    if not from_tier or not to_tier:
        raise ValidationFailed(errors=[FieldError("to_tier" if from_tier else "from_tier", BOTH_TIERS)])
    return from_tier, to_tier, unit_code or None


def _moved(
    db: Session, principal: Principal, move: tuple[str, str, str | None], month: date | None
) -> repository.WatchMove | None:
    from_tier, to_tier, unit_code = move
    known = {t.code for t in catalogue.tiers()}
    for field, code in (("from_tier", from_tier), ("to_tier", to_tier)):
        if code not in known:
            raise ValidationFailed(errors=[FieldError(field, UNKNOWN_TIER, {"code": code})])
    unit = units.unit_in_scope(db, principal, unit_code)
    return None if month is None else repository.WatchMove(previous_month(month), from_tier, to_tier, unit.path)


def tier_watch(
    db: Session,
    principal: Principal,
    page: PageRequest,
    locale: str,
    *,
    which: str,
    month: date | None,
    sort: SortSpec,
    move: tuple[str, str, str | None] | None = None,
) -> Page[TierWatchRow]:
    """One page of a watch list for a month (default the newest); ``which`` is up, down or near. ``move`` (from
    tier, to tier, unit code or None for the reader's own) keeps the customers of one cell of the dashboard's
    tier-move matrix: that tier last month, this one now, under that unit (404 outside the reader's scope)."""
    if which not in WHICH:
        raise ValidationFailed(errors=[FieldError("which", BAD_WHICH)])
    month = month or repository.newest_month(db)
    moved = _moved(db, principal, move, month) if move else None
    if month is None:
        return Page(items=[], total=0, page=page.page, size=page.size)
    tiers = list(catalogue.tiers())
    result = repository.tier_watch(db, principal, page, month, which, tiers, sort, moved)
    floors = {t.code: t.min_balance for t in tiers}
    items = [
        TierWatchRow(
            cif_no=customer.cif_no,
            customer_name=customer_names.display_name(principal, customer),
            unit_code=unit_code,
            month=f"{row.month:%Y-%m}",
            tier=row.tier,
            tier_label=tier_label(row.tier, locale),
            tier_change=row.tier_change,
            aum_avg=row.aum_avg,
            deposits_avg=row.demand_avg + row.time_avg,
            loans_outstanding=row.loans_outstanding,
            tier_floor=floors.get(row.tier, 0),
        )
        for row, customer, unit_code in result.items
    ]
    return Page(items=items, total=result.total, page=result.page, size=result.size)
