"""JSON API: a customer's links and relationship graph; corporate groups and their review; guarantee circles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, status

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import ApiCustomerWriter as Writer
from bankcrm.access.deps import ApiGroupReader as GroupReader
from bankcrm.access.deps import ApiGroupReviewer as GroupReviewer
from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, PageNo, PageSize
from bankcrm.jobs.schemas import JobRunRead
from bankcrm.jobs.service import runs as job_runs
from bankcrm.kit.time import today_in
from bankcrm.relationships import schemas, service
from bankcrm.relationships.service import circles, graph, groups
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["relationships"])


@router.get("/customers/{cif_no}/links", response_model=list[schemas.LinkRead])
def customer_links(
    request: Request, db: Db, settings: AppSettings, caller: Reader, cif_no: CifNo
) -> list[schemas.LinkRead]:
    """Every link of a customer in the caller's scope, active first; out-of-scope far sides are masked nodes."""
    return service.links_of(db, caller, cif_no, today=today_in(settings.timezone), locale=locale_of(request))


@router.post("/customers/{cif_no}/links", response_model=schemas.LinkRead, status_code=201)
def create_link(
    request: Request, db: Db, settings: AppSettings, caller: Writer, cif_no: CifNo, body: schemas.LinkCreate
) -> schemas.LinkRead:
    """Link this customer to another (share in percent for shareholders, amount in fen for guarantees)."""
    return service.create_link(db, caller, cif_no, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.post("/customers/{cif_no}/links/{link_id}/end", response_model=schemas.LinkRead)
def end_link(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: Writer,
    cif_no: CifNo,
    link_id: EntityId,
    body: Annotated[schemas.LinkEnd | None, Body()] = None,
) -> schemas.LinkRead:
    """End a link: it holds up to valid_to (default today in the bank's zone); ending twice is a 409."""
    return service.end_link(
        db,
        caller,
        cif_no,
        link_id,
        body or schemas.LinkEnd(),
        today=today_in(settings.timezone),
        locale=locale_of(request),
    )


StatusFilter = Annotated[str | None, Query(max_length=20, description="Groups: proposed, accepted, rejected, ...")]


@router.get("/customers/{cif_no}/relationships", response_model=schemas.Graph)
def customer_relationships(
    request: Request, db: Db, settings: AppSettings, caller: Reader, cif_no: CifNo
) -> schemas.Graph:
    """A customer's active links to depth 2 as nodes and edges; customers outside scope are masked nodes."""
    return graph.customer_graph(db, caller, cif_no, today=today_in(settings.timezone), locale=locale_of(request))


@router.get("/groups", response_model=schemas.GroupPage)
def list_groups(
    request: Request,
    db: Db,
    caller: GroupReader,
    status: StatusFilter = None,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="id, status, member_count, credit_exposure, deposit_balance, derived_at"),
    ] = None,
) -> schemas.GroupPage:
    """Corporate groups with a customer in the caller's scope (proposed and accepted by default); ties by id."""
    spec = schemas.GROUP_LIST
    return groups.list_groups(
        db, caller, status, lists.page_of(spec, page, size), locale=locale_of(request), sort=lists.sort_of(spec, sort)
    )


@router.post("/groups/derive", response_model=JobRunRead, status_code=status.HTTP_202_ACCEPTED)
def derive_groups(db: Db, caller: GroupReviewer) -> JobRunRead:
    """Queue the derivation of groups and circles (the ``groups`` batch step; too long for a request)."""
    return job_runs.queue(db, caller, "groups")


@router.get("/groups/{group_id}", response_model=schemas.GroupRead)
def read_group(
    request: Request, db: Db, settings: AppSettings, caller: GroupReader, group_id: EntityId
) -> schemas.GroupRead:
    """One group: totals (fen), members with their paths from the core, review, graph."""
    return groups.read_group(
        db,
        caller,
        group_id,
        today=today_in(settings.timezone),
        locale=locale_of(request),
        threshold_bp=settings.group_control_share_bp,
    )


@router.post("/groups/{group_id}/accept", response_model=schemas.GroupRead)
def accept_group(
    request: Request, db: Db, settings: AppSettings, caller: GroupReviewer, group_id: EntityId
) -> schemas.GroupRead:
    """Accept a proposed group: it becomes current and supersedes overlapping accepted groups."""
    return groups.accept(
        db,
        caller,
        group_id,
        today=today_in(settings.timezone),
        locale=locale_of(request),
        threshold_bp=settings.group_control_share_bp,
    )


@router.post("/groups/{group_id}/reject", response_model=schemas.GroupRead)
def reject_group(
    request: Request,
    db: Db,
    settings: AppSettings,
    caller: GroupReviewer,
    group_id: EntityId,
    body: schemas.GroupReject,
) -> schemas.GroupRead:
    """Reject a proposed group; the reason is required."""
    return groups.reject(
        db,
        caller,
        group_id,
        body.reason,
        today=today_in(settings.timezone),
        locale=locale_of(request),
        threshold_bp=settings.group_control_share_bp,
    )


@router.get("/guarantee-circles", response_model=schemas.CirclePage)
def list_circles(
    db: Db,
    caller: GroupReader,
    status: StatusFilter = None,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="id, member_count, total_amount, derived_at, refreshed_at, ended_at"),
    ] = None,
) -> schemas.CirclePage:
    """Guarantee circles with a member in the caller's scope (current by default; or status=ended); ties by id."""
    spec = schemas.CIRCLE_LIST
    return circles.list_circles(db, caller, status, lists.page_of(spec, page, size), lists.sort_of(spec, sort))


@router.get("/guarantee-circles/{circle_id}", response_model=schemas.CircleRead)
def read_circle(
    request: Request, db: Db, settings: AppSettings, caller: GroupReader, circle_id: EntityId
) -> schemas.CircleRead:
    """One guarantee circle: members (masked outside scope) and the guarantees between them."""
    return circles.read_circle(db, caller, circle_id, today=today_in(settings.timezone), locale=locale_of(request))
