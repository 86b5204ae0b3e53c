"""JSON API: saved segments (CRUD), a static segment from a CIF list, previews, members and sizes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, PageNo, PageSize, require_api
from bankcrm.access.principal import Principal
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import today_in
from bankcrm.segments import schemas
from bankcrm.segments.service import members, saved
from bankcrm.segments.service import spec as specs
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["segments"])
Reader = Annotated[Principal, Depends(require_api("segment.read"))]
Manager = Annotated[Principal, Depends(require_api("segment.manage"))]
Spec = Annotated[dict[str, Any], Body(description="The segment specification (docs/segments.md)")]


@router.get("/segments", response_model=list[schemas.SegmentRead])
def segments(request: Request, db: Db, caller: Reader) -> list[schemas.SegmentRead]:
    """The segments the caller may see: their own, their unit's and the bank's."""
    return saved.listed(db, caller, locale=locale_of(request))


@router.post("/segments", response_model=schemas.SegmentRead, status_code=201)
def create_segment(
    request: Request, db: Db, settings: AppSettings, caller: Manager, body: schemas.SegmentWrite
) -> schemas.SegmentRead:
    """Save a rule segment; a fault in the specification is answered 422 naming the part."""
    return saved.create(db, caller, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.post("/segments/static", response_model=schemas.StaticCreated, status_code=201)
def create_static(
    request: Request, db: Db, settings: AppSettings, caller: Manager, body: schemas.StaticWrite
) -> schemas.StaticCreated:
    """Save a static segment from CIF numbers; those not on file (or outside the caller's scope) are listed back."""
    return saved.create_static(db, caller, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.post("/segments/preview", response_model=schemas.PreviewRead)
def preview(db: Db, settings: AppSettings, caller: Reader, body: Spec) -> schemas.PreviewRead:
    """How many customers in the caller's scope the specification selects, with a masked sample."""
    return specs.preview(db, caller, body, today=today_in(settings.timezone))


@router.get("/segments/{segment_id}", response_model=schemas.SegmentRead)
def segment(request: Request, db: Db, caller: Reader, segment_id: EntityId) -> schemas.SegmentRead:
    """One segment the caller may see (404 otherwise)."""
    return saved.read(db, caller, saved.get(db, caller, segment_id), locale_of(request))


@router.put("/segments/{segment_id}", response_model=schemas.SegmentRead)
def update_segment(
    request: Request, db: Db, settings: AppSettings, caller: Manager, segment_id: EntityId, body: schemas.SegmentWrite
) -> schemas.SegmentRead:
    """Change a rule segment (its owner, or a publisher for a shared one); members are found again."""
    return saved.update(db, caller, segment_id, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.patch("/segments/{segment_id}", response_model=schemas.SegmentRead)
def patch_segment(
    request: Request, db: Db, caller: Manager, segment_id: EntityId, body: schemas.SegmentPatch
) -> schemas.SegmentRead:
    """Rename a segment or change its description (either kind; its owner, or a publisher for a shared one)."""
    return saved.rename(db, caller, segment_id, body, locale=locale_of(request))


@router.delete("/segments/{segment_id}", status_code=204, response_class=Response)
def delete_segment(db: Db, caller: Manager, segment_id: EntityId) -> Response:
    """Delete a segment with its membership history (its owner, or a publisher for a shared one)."""
    saved.delete(db, caller, segment_id)
    return Response(status_code=204)


@router.get("/segments/{segment_id}/members", response_model=schemas.MembersPage)
def segment_members(
    db: Db, caller: Reader, segment_id: EntityId, page: PageNo = 1, size: PageSize = 25
) -> schemas.MembersPage:
    """The current members inside the caller's scope, masked, by CIF number."""
    return members.members(db, caller, segment_id, PageRequest(page, size))


@router.get("/segments/{segment_id}/sizes", response_model=list[schemas.SizeRead])
def segment_sizes(db: Db, caller: Reader, segment_id: EntityId) -> list[schemas.SizeRead]:
    """The segment's size at the end of each day's run, oldest first."""
    return members.sizes(db, caller, segment_id)
