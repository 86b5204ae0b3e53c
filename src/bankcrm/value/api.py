"""JSON API: a customer's contribution, the roll-up under a unit, the pricing in force and its maker-checker changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId
from bankcrm.kit.time import today_in
from bankcrm.value import schemas
from bankcrm.value.deps import ApiPricingChecker, ApiPricingMaker, ApiValueReader
from bankcrm.value.service import changes, pricing, reads, rollup
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["value"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM; default: the newest month computed")]
UnitCode = Annotated[str | None, Query(max_length=20, description="Org unit code; default: the caller's own root")]


def _month(text: str | None) -> date | None:
    return date.fromisoformat(f"{text}-01") if text else None


@router.get("/customers/{cif_no}/contribution", response_model=schemas.CustomerContributionRead)
def customer_contribution(
    request: Request, db: Db, caller: ApiValueReader, cif_no: CifNo, month: Month = None
) -> schemas.CustomerContributionRead:
    """A customer in scope: the month's contribution line by line with each line's arithmetic, and 12 months' totals."""
    return reads.customer_month(db, caller, cif_no, _month(month), locale_of(request))


@router.get("/value/contribution", response_model=schemas.RollupRead)
def contribution_rollup(
    request: Request,
    db: Db,
    caller: ApiValueReader,
    unit: UnitCode = None,
    month: Month = None,
    by: Annotated[schemas.RollupBy, Query(description="branch, manager, household, group, tier or segment")] = "branch",
) -> schemas.RollupRead:
    """The month's contribution of the customers in scope homed under the unit, by branch, account manager
    (weighted by the performance shares), household, corporate group or value tier (the customer's tier of that
    month in the monthly snapshot); the Pareto points. A unit outside
    the caller's subtree is 404 (audited)."""
    return rollup.rollup(db, caller, unit, _month(month), by, locale_of(request))


@router.get("/value/pricing", response_model=schemas.PricingRead)
def pricing_in_force(
    db: Db, settings: AppSettings, caller: ApiValueReader, day: Annotated[date | None, Query()] = None
) -> schemas.PricingRead:
    """The FTP curve, provision rates and service costs in force on a day (default: today)."""
    when = day or today_in(settings.timezone)
    p = pricing.in_force(db, when)
    return schemas.PricingRead(
        day=when,
        effective_from=p.effective,
        ftp=p.rates(),
        provision=p.parameters.get("provision", {}),
        service_product=p.parameters.get("service_product", {}),
        service_txn=p.parameters.get("service_txn", {}),
    )


@router.get("/value/pricing-changes", response_model=list[schemas.PricingChangeRead])
def pricing_changes(db: Db, caller: ApiPricingMaker) -> list[schemas.PricingChangeRead]:
    """The newest pricing changes (to holders of value.pricing.propose)."""
    return [changes.as_read(c) for c in changes.recent(db, caller)]


@router.post("/value/pricing-changes", response_model=schemas.PricingChangeRead, status_code=201)
def propose(
    db: Db, settings: AppSettings, caller: ApiPricingMaker, body: schemas.PricingProposal
) -> schemas.PricingChangeRead:
    """Propose a curve and parameters from a month's first day; applied only when another person approves."""
    return changes.as_read(changes.submit(db, caller, body, today=today_in(settings.timezone)))


@router.post("/value/pricing-changes/{change_id}/decision", response_model=schemas.PricingChangeRead)
def decide(
    db: Db, settings: AppSettings, caller: ApiPricingChecker, change_id: EntityId, decision: schemas.Decision
) -> schemas.PricingChangeRead:
    """Approve (the rows take effect from its date) or reject (with a reason) a change; never one's own."""
    return changes.as_read(changes.decide(db, caller, change_id, decision, today=today_in(settings.timezone)))
