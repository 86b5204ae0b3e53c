"""HTML pages: the org units."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access import schemas
from bankcrm.access.deps import (
    Db,
    EntityId,
    OrgManager,
    OrgReader,
    csrf_protect,
)
from bankcrm.access.principal import Principal
from bankcrm.access.schemas import ORG_UNIT_LIST as SPEC
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.errors import DomainError, NotFound
from bankcrm.kit.pagination import PageRequest
from bankcrm.web import lists
from bankcrm.web.forms import Rejected, submit_form, validated
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/admin/units", response_class=HTMLResponse)
def units_page(request: Request, db: Db, principal: OrgReader) -> Response:
    """The org tree in scope (tree order unless a column header is clicked)."""
    lq = lists.read(request, SPEC)
    units = unit_service.list_units(db, principal, lq.filters["q"], lq.sort)
    template = "access/units_table.html" if request.headers.get("hx-request") else "access/units.html"
    return render(request, template, {"units": units, "q": lq.filters["q"] or "", "lq": lq})


@router.get("/admin/units/export.{fmt}")
def units_export(request: Request, db: Db, principal: OrgReader, fmt: str) -> Response:
    """The org units in scope, filtered and in the list's order, as CSV or XLSX; audited."""
    lq = lists.read(request, SPEC)
    units = unit_service.list_units(db, principal, lq.filters["q"], lq.sort)
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, SPEC, fmt, units, detail=detail)


def _unit_form(
    request: Request,
    db: Db,
    principal: Principal,
    values: dict[str, Any],
    problems: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "access/unit_form.html",
        {
            "values": values,
            "kinds": unit_service.unit_kinds(db),
            "parents": unit_service.list_units(db, principal),
            **(problems or {"errors": {}, "message": None}),
        },
        status=status,
    )


@router.get("/admin/units/new", response_class=HTMLResponse)
def unit_new(request: Request, db: Db, principal: OrgManager, parent_id: int | None = None) -> Response:
    """Form for a new unit."""
    return _unit_form(request, db, principal, {"parent_id": parent_id})


@router.post("/admin/units/new")
def unit_create(
    request: Request,
    db: Db,
    principal: OrgManager,
    code: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    name_zh: Annotated[str, Form()] = "",
    kind_code: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    """Create the unit, or show the form again with the errors at their fields."""
    values = {"code": code, "name_en": name_en, "name_zh": name_zh, "kind_code": kind_code, "parent_id": parent_id}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.OrgUnitCreate, values),
        lambda data: unit_service.create_unit(db, principal, data),
        redirect=lambda unit: f"/admin/units/{unit.id}?saved=1",
        rerender=lambda r: _unit_form(request, db, principal, values, r.problems, status=r.status),
        catch=(DomainError,),
    )


@router.get("/admin/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, db: Db, principal: OrgReader, unit_id: EntityId, saved: int = 0) -> Response:
    """One unit with its edit form."""
    unit = unit_service.get_unit(db, principal, unit_id)
    members = user_service.list_users(db, principal, PageRequest(1, 200), unit_id=unit.id)
    return render(
        request, "access/unit.html", {"unit": unit, "members": members, "saved": saved, "errors": {}, "message": None}
    )


@router.post("/admin/units/{unit_id}")
def unit_update(
    request: Request,
    db: Db,
    principal: OrgManager,
    unit_id: EntityId,
    name_en: Annotated[str, Form()] = "",
    name_zh: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    """Save a rename or (de)activation."""

    def rerender(rejected: Rejected) -> Response:
        unit = unit_service.get_unit(db, principal, unit_id)
        members = user_service.list_users(db, principal, PageRequest(1, 200), unit_id=unit.id)
        context = {"unit": unit, "members": members, "saved": 0, **rejected.problems}
        return render(request, "access/unit.html", context, status=rejected.status)

    return submit_form(
        request,
        db,
        lambda: validated(schemas.OrgUnitUpdate, {"name_en": name_en, "name_zh": name_zh, "active": active == "on"}),
        lambda data: unit_service.update_unit(db, principal, unit_id, data),
        redirect=f"/admin/units/{unit_id}?saved=1",
        rerender=rerender,
        catch=(DomainError,),
        passthrough=(NotFound,),
    )
