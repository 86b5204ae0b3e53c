"""JSON API: a customer's managers and history, manager-change requests and their decisions, portfolios."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from bankcrm.access.deps import ApiAssignmentMaker as Maker
from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, PageNo, PageSize
from bankcrm.assignments import schemas
from bankcrm.assignments.service import reads, requests
from bankcrm.kit.time import today_in
from bankcrm.web import lists

router = APIRouter(tags=["assignments"])


@router.get("/customers/{cif_no}/managers", response_model=schemas.CustomerManagers)
def customer_managers(db: Db, settings: AppSettings, caller: Reader, cif_no: CifNo) -> schemas.CustomerManagers:
    """A customer's managers today (primary and co, shares in basis points) and every assignment it has had."""
    return reads.customer_managers(db, caller, cif_no, today=today_in(settings.timezone))


@router.post(
    "/customers/{cif_no}/managers/requests", response_model=schemas.RequestRead, status_code=status.HTTP_202_ACCEPTED
)
def request_change(
    db: Db, settings: AppSettings, caller: Maker, cif_no: CifNo, body: schemas.ChangeCreate
) -> schemas.RequestRead:
    """File the complete new set of managers of one customer; it applies when a checker approves."""
    request = requests.submit_change(db, caller, cif_no, body, today=today_in(settings.timezone))
    return reads.request_read(db, caller, request)


@router.post("/assignment-requests/transfers", response_model=schemas.RequestRead, status_code=status.HTTP_202_ACCEPTED)
def request_transfer(db: Db, settings: AppSettings, caller: Maker, body: schemas.TransferCreate) -> schemas.RequestRead:
    """File the hand-over of a manager's customers (those named, or all in the caller's scope) to another manager."""
    request = requests.submit_transfer(db, caller, body, today=today_in(settings.timezone))
    return reads.request_read(db, caller, request)


@router.get("/assignment-requests", response_model=schemas.RequestPage)
def list_requests(
    db: Db,
    caller: Reader,
    status: schemas.RequestStatus | None = schemas.RequestStatus.SUBMITTED,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="id, kind, customer_count, unit, maker, submitted_at, decided_at; '-' desc"),
    ] = None,
) -> schemas.RequestPage:
    """Checkers: requests their unit covers and their own; makers: their own; newest first unless ``sort``."""
    spec = schemas.ASSIGNMENT_REQUEST_LIST
    result = requests.inbox(db, caller, lists.page_of(spec, page, size), status, lists.sort_of(spec, sort))
    return schemas.RequestPage.of(result, [reads.request_read(db, caller, r) for r in result.items])


@router.get("/assignment-requests/{request_id}", response_model=schemas.RequestRead)
def get_request(db: Db, caller: Reader, request_id: EntityId) -> schemas.RequestRead:
    """One request with each customer's managers before and after."""
    return reads.request_read(db, caller, requests.get_request(db, caller, request_id))


@router.post("/assignment-requests/{request_id}/decision", response_model=schemas.RequestRead)
def decide(
    db: Db, settings: AppSettings, caller: Reader, request_id: EntityId, decision: schemas.Decision
) -> schemas.RequestRead:
    """Approve (applies as of today) or reject with a reason; needs assignment.approve, never one's own request."""
    request = requests.decide(db, caller, request_id, decision, today=today_in(settings.timezone))
    return reads.request_read(db, caller, request)


@router.get("/managers/{manager_id}/portfolio", response_model=schemas.Portfolio)
def portfolio(
    db: Db,
    settings: AppSettings,
    caller: Reader,
    manager_id: EntityId,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="cif_no, status, role, share_bp, aum, deposit_balance, loan_balance"),
    ] = None,
) -> schemas.Portfolio:
    """A manager's customers inside the caller's data scope, with figures and counts; others are not counted.

    Primary customers first, then by CIF number, unless ``sort`` says otherwise (ties by CIF number).
    """
    spec = schemas.PORTFOLIO_LIST
    return reads.portfolio(
        db,
        caller,
        manager_id,
        lists.page_of(spec, page, size),
        today=today_in(settings.timezone),
        sort=lists.sort_of(spec, sort),
    )
