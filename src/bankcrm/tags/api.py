"""JSON API: the tag catalogue with counts, and a customer's tags (read, apply, remove by hand)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import AppSettings, CifNo, Db, require_api
from bankcrm.access.principal import Principal
from bankcrm.kit.time import today_in
from bankcrm.tags import schemas
from bankcrm.tags.service import catalogue, manual
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["tags"])
Admin = Annotated[Principal, Depends(require_api("tag.admin"))]
TagCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9_]{1,39}$", description="The tag's code")]


@router.get("/tags", response_model=list[schemas.TagRead])
def tags(request: Request, db: Db, caller: Reader) -> list[schemas.TagRead]:
    """Every tag of the catalogue; ``customers`` counts the carriers in the caller's data scope only."""
    return catalogue.catalogue(db, caller, locale=locale_of(request))


@router.post("/tags", response_model=schemas.TagRead, status_code=201)
def create_tag(request: Request, db: Db, caller: Admin, body: schemas.TagCreate) -> schemas.TagRead:
    """Add a bank-specific tag (tag.admin); a rule tag's rule is validated and a fault answered 422 naming the part."""
    return catalogue.create(db, caller, body, locale=locale_of(request))


@router.get("/customers/{cif_no}/tags", response_model=list[schemas.CustomerTagRead])
def customer_tags(request: Request, db: Db, caller: Reader, cif_no: CifNo) -> list[schemas.CustomerTagRead]:
    """The tags a customer in the caller's scope carries now (404, audited, out of scope)."""
    return manual.customer_tags(db, caller, cif_no, locale=locale_of(request))


@router.get("/customers/{cif_no}/tag-history", response_model=list[schemas.CustomerTagRead])
def customer_tag_history(request: Request, db: Db, caller: Reader, cif_no: CifNo) -> list[schemas.CustomerTagRead]:
    """Every tag the customer in scope carried, newest first, with who applied and removed each and when."""
    return manual.tag_history(db, caller, cif_no, locale=locale_of(request))


@router.post("/customers/{cif_no}/tags", response_model=schemas.CustomerTagRead, status_code=201)
def apply_tag(
    request: Request, db: Db, settings: AppSettings, caller: Reader, cif_no: CifNo, body: schemas.TagApply
) -> schemas.CustomerTagRead:
    """Apply a manual tag to a customer in scope; needs the tag's permission (tag.apply or tag.apply.sensitive)."""
    return manual.apply(db, caller, cif_no, body, today=today_in(settings.timezone), locale=locale_of(request))


@router.delete("/customers/{cif_no}/tags/{code}", status_code=204, response_class=Response)
def remove_tag(db: Db, caller: Reader, cif_no: CifNo, code: TagCode) -> Response:
    """Remove a manual tag from a customer in scope (the tag's permission); the history keeps who and when."""
    manual.remove(db, caller, cif_no, code)
    return Response(status_code=204)
