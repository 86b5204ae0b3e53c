"""JSON API: leads (list, create, read, accept, move, assign, convert), referrals and the referrers' leaderboard.

Scope: a lead outside the caller's scope is 404 (audited); see ``repository.lead_scope``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import AppSettings, Cipher, Db, EntityId, PageNo, PageSize
from bankcrm.kit.time import today_in
from bankcrm.leads import schemas
from bankcrm.leads.deps import ApiLeadAssigner, ApiLeadCreator, ApiLeadReader, ApiLeadReferrer, ApiLeadWorker
from bankcrm.leads.service import assign, capture, conversion, progress, reads
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["leads"])
Code = Annotated[str | None, Query(pattern=r"^[A-Z0-9_]{1,40}$")]
UnitCode = Annotated[str | None, Query(min_length=1, max_length=20, description="Org unit code: leads under it")]
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@router.get("/leads", response_model=schemas.LeadPage)
def list_leads(
    request: Request,
    db: Db,
    caller: ApiLeadReader,
    status: schemas.LeadStatus | None = None,
    source: Code = None,
    interest: Code = None,
    mine: bool = False,
    unassigned: bool = False,
    returned: bool = False,
    unit: UnitCode = None,
    page: PageNo = 1,
    size: PageSize = 25,
) -> schemas.LeadPage:
    """Leads in scope, newest first; ``mine`` those assigned to the caller, ``unassigned`` the pool,
    ``returned`` the pool's leads that came back unaccepted. Counting stops at 10,000 (``capped``: there are more)."""
    filters = {
        "status": status,
        "source": source,
        "interest": interest,
        "mine": mine,
        "unassigned": unassigned,
        "returned": returned,
        "unit": unit,
    }
    result = reads.lead_page(db, caller, filters, page, size, locale_of(request))
    return schemas.LeadPage.of(result, capped=result.capped)


@router.post("/leads", response_model=schemas.LeadRead, status_code=201)
def create_lead(
    request: Request, db: Db, cipher: Cipher, settings: AppSettings, caller: ApiLeadCreator, body: schemas.LeadCreate
) -> schemas.LeadRead:
    """A lead for a customer (``cif_no``) or a prospect (``name``, ``phone``); refused (409) when the person is
    already a customer or has an open lead, named only when the caller may see it; assigned by the rules."""
    lead = capture.create(db, caller, cipher, body, settings.timezone)
    return reads.to_read(db, [lead], locale_of(request))[0]


@router.get("/leads/{lead_id}", response_model=schemas.LeadDetail)
def get_lead(request: Request, db: Db, caller: ApiLeadReader, lead_id: EntityId) -> schemas.LeadDetail:
    """One lead in scope with its history."""
    return reads.detail(db, caller, lead_id, locale_of(request))


@router.post("/leads/{lead_id}/accept", response_model=schemas.LeadRead)
def accept_lead(request: Request, db: Db, caller: ApiLeadWorker, lead_id: EntityId) -> schemas.LeadRead:
    """The assignee accepts a lead assigned to them."""
    return reads.to_read(db, [assign.accept(db, caller, lead_id)], locale_of(request))[0]


@router.post("/leads/{lead_id}/status", response_model=schemas.LeadRead)
def move_lead(
    request: Request, db: Db, caller: ApiLeadWorker, lead_id: EntityId, body: schemas.LeadMove
) -> schemas.LeadRead:
    """The assignee marks a lead contacted, qualified, or disqualified with a reason."""
    return reads.to_read(db, [progress.move(db, caller, lead_id, body)], locale_of(request))[0]


@router.post("/leads/{lead_id}/assign", response_model=schemas.LeadRead)
def assign_lead(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiLeadAssigner,
    lead_id: EntityId,
    body: schemas.LeadAssign,
) -> schemas.LeadRead:
    """Assign or reassign an open lead to an account manager in the caller's part of the bank."""
    lead = assign.reassign(db, caller, lead_id, body.username, settings.timezone)
    return reads.to_read(db, [lead], locale_of(request))[0]


@router.post("/leads/{lead_id}/convert", response_model=schemas.LeadRead)
def convert_lead(
    request: Request,
    db: Db,
    cipher: Cipher,
    settings: AppSettings,
    caller: ApiLeadWorker,
    lead_id: EntityId,
    body: schemas.LeadConvert,
) -> schemas.LeadRead:
    """Convert a qualified lead to an existing customer, or file its prospect as a new customer for a checker
    (the lead converts on approval: call again with an empty body, or let the nightly step do it)."""
    lead = conversion.convert(db, caller, cipher, lead_id, body, settings.timezone)
    return reads.to_read(db, [lead], locale_of(request))[0]


@router.post("/referrals", response_model=schemas.LeadRead, status_code=201)
def refer(
    request: Request,
    db: Db,
    cipher: Cipher,
    settings: AppSettings,
    caller: ApiLeadReferrer,
    body: schemas.ReferralCreate,
) -> schemas.LeadRead:
    """Refer a customer in scope to the account managers; answers the lead made (assigned by the rules)."""
    lead = capture.refer(db, caller, cipher, body, settings.timezone)
    return reads.to_read(db, [lead], locale_of(request))[0]


@router.get("/referrals/leaderboard", response_model=list[schemas.Points])
def leaderboard(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: ApiLeadReferrer,
    month: Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM; default: this month")] = None,
    unit: UnitCode = None,
) -> list[schemas.Points]:
    """The month's referrers of a branch (the caller's own by default), most points first."""
    chosen = date.fromisoformat(f"{month}-01") if month else today_in(settings.timezone).replace(day=1)
    return reads.leaderboard(db, caller, chosen, unit, locale_of(request))[1]
