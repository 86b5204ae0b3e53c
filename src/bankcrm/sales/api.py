"""JSON API of sales: opportunities (list, open, read, move stage), activities (list, record), targets (read).

Scope: an opportunity or activity belongs to its owner and to its customer's unit; outside scope is 404 (audited).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import AppSettings, Db, EntityId, PageNo, PageSize
from bankcrm.kit.time import today_in
from bankcrm.sales import schemas
from bankcrm.sales.deps import ApiActivity, ApiReader, ApiTargetReader, ApiWriter
from bankcrm.sales.service import activities, opportunities, reads, targets
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["sales"])
SPEC = schemas.OPPORTUNITY_LIST
Text = Annotated[str | None, Query(max_length=32)]


@router.get("/opportunities", response_model=schemas.OpportunityPage)
def list_opportunities(
    request: Request,
    db: Db,
    caller: ApiReader,
    stage: Annotated[str | None, Query(max_length=12)] = None,
    owner: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    product: Annotated[str | None, Query(max_length=20)] = None,
    cif_no: Text = None,
    close_from: date | None = None,
    close_to: date | None = None,
    open: bool | None = None,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[
        str | None, Query(max_length=200, description="id, amount, stage, probability, expected_close")
    ] = None,
) -> schemas.OpportunityPage:
    """Opportunities in scope, filtered (``open=true``: open stages only), soonest expected close first."""
    f = {
        "stage": stage,
        "owner": owner,
        "product": product,
        "cif_no": cif_no,
        "close_from": close_from,
        "close_to": close_to,
        "open": open,
    }
    return opportunities.listing(
        db, caller, f, lists.sort_of(SPEC, sort), lists.page_of(SPEC, page, size), locale_of(request)
    )


@router.post("/opportunities", response_model=schemas.OpportunityDetail, status_code=201)
def create_opportunity(
    request: Request, db: Db, caller: ApiWriter, body: schemas.OpportunityCreate
) -> schemas.OpportunityDetail:
    """Open an opportunity for a customer in scope (amount in fen); a bad field is 422 naming it."""
    return opportunities.create(db, caller, body, locale_of(request))


@router.get("/opportunities/{opportunity_id}", response_model=schemas.OpportunityDetail)
def read_opportunity(
    request: Request, db: Db, caller: ApiReader, opportunity_id: EntityId
) -> schemas.OpportunityDetail:
    """One opportunity in scope with its stage history (404 otherwise, audited)."""
    return reads.detail(db, caller, opportunity_id, locale_of(request))


@router.patch("/opportunities/{opportunity_id}", response_model=schemas.OpportunityDetail)
def move_opportunity(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiWriter,
    opportunity_id: EntityId,
    body: schemas.StageMove,
) -> schemas.OpportunityDetail:
    """Move an opportunity to a stage (lost: with lost_reason and competitor; won: with won_amount, default the
    proposed or expected amount); a closed one is 409."""
    today = today_in(settings.timezone)
    return opportunities.move(db, caller, opportunity_id, body, today=today, locale=locale_of(request))


@router.get("/activities", response_model=schemas.ActivityPage)
def list_activities(
    request: Request,
    db: Db,
    caller: ApiActivity,
    cif_no: Text = None,
    opportunity_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageNo = 1,
    size: PageSize = 25,
) -> schemas.ActivityPage:
    """Activities in scope, newest first, optionally of one customer in scope or one opportunity."""
    return activities.listing(
        db,
        caller,
        lists.page_of(SPEC, page, size),
        locale_of(request),
        cif_no=cif_no,
        opportunity_id=opportunity_id,
    )


@router.post("/activities", response_model=schemas.ActivityRead, status_code=201)
def create_activity(
    request: Request, db: Db, caller: ApiActivity, body: schemas.ActivityCreate
) -> schemas.ActivityRead:
    """Record a call, visit, meeting or WeChat message (planned or done) with a customer in scope."""
    return activities.create(db, caller, body, locale_of(request))


@router.get("/targets", response_model=list[schemas.TargetRead])
def list_targets(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiTargetReader,
    period: Annotated[str | None, Query(max_length=7, description="YYYY-MM or YYYY-Qn; default: this month")] = None,
    unit: Annotated[str | None, Query(max_length=20)] = None,
) -> list[schemas.TargetRead]:
    """The period's targets under a unit in scope with actuals (credited by co-manager shares), attainment and
    rank in the unit; an account manager sees their own."""
    today = today_in(settings.timezone)
    chosen = targets.check_period(period or today.strftime("%Y-%m"))
    return targets.targets(db, caller, chosen, unit, locale_of(request), today=today)
