"""JSON API: a customer's links (read from that customer's side), creating and ending them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request

from bankcrm.access.deps import AppSettings, Db, EntityId, require_api
from bankcrm.access.principal import Principal
from bankcrm.kit.time import today_in
from bankcrm.relationships import schemas, service
from bankcrm.web.errors import PROBLEM_RESPONSES
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["relationships"], responses=PROBLEM_RESPONSES)
Reader = Annotated[Principal, Depends(require_api("customer.read"))]
Writer = Annotated[Principal, Depends(require_api("customer.write"))]
CifNo = Annotated[str, Path(pattern=r"^[0-9]{11}$", description="The 11-digit CIF number")]


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
