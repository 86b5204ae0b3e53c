"""JSON API: a household, a customer's household, and the manual edits (remove, add, head)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import ApiCustomerWriter as Writer
from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId
from bankcrm.households import schemas
from bankcrm.households.service import edit, reads
from bankcrm.kit.time import today_in
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["households"])


@router.get("/households/{household_id}", response_model=schemas.HouseholdRead)
def household(request: Request, db: Db, caller: Reader, household_id: EntityId) -> schemas.HouseholdRead:
    """A household with a member in the caller's scope; members outside it are masked and not counted."""
    return reads.household(db, caller, household_id, locale=locale_of(request))


@router.get("/customers/{cif_no}/household", response_model=schemas.HouseholdRead)
def customer_household(request: Request, db: Db, caller: Reader, cif_no: CifNo) -> schemas.HouseholdRead:
    """The household of a customer in the caller's scope (404 when it belongs to none)."""
    return reads.household_of(db, caller, cif_no, locale=locale_of(request))


@router.post("/households/{household_id}/members", response_model=schemas.HouseholdRead)
def add_member(
    request: Request, db: Db, settings: AppSettings, caller: Writer, household_id: EntityId, body: schemas.MemberAdd
) -> schemas.HouseholdRead:
    """Add an individual in scope to this household (it leaves any other); kept across re-derivations."""
    return edit.add_member(db, caller, household_id, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.post("/households/{household_id}/members/{cif_no}/remove", status_code=204, response_class=Response)
def remove_member(db: Db, settings: AppSettings, caller: Writer, household_id: EntityId, cif_no: CifNo) -> Response:
    """Take a member in scope out of the household for good (a household left with one member dissolves)."""
    edit.remove_member(db, caller, household_id, cif_no, today=today_in(settings.timezone))
    return Response(status_code=204)


@router.post("/households/{household_id}/head", response_model=schemas.HouseholdRead)
def set_head(
    request: Request, db: Db, settings: AppSettings, caller: Writer, household_id: EntityId, body: schemas.HeadSet
) -> schemas.HouseholdRead:
    """Make a member in scope the head of the household."""
    return edit.set_head(db, caller, household_id, body, today=today_in(settings.timezone), locale=locale_of(request))
