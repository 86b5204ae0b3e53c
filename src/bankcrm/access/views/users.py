"""HTML pages: staff accounts, their roles, passwords and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access import schemas
from bankcrm.access.deps import (
    Db,
    EntityId,
    UserManager,
    UserReader,
    csrf_protect,
)
from bankcrm.access.principal import Principal
from bankcrm.access.schemas import USER_LIST as SPEC
from bankcrm.access.service import roles as role_service
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.errors import DomainError, NotFound
from bankcrm.kit.pagination import PageRequest
from bankcrm.web import lists
from bankcrm.web.forms import Rejected, no_input, submit_form, validated
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: Db, principal: UserReader) -> Response:
    """Users in scope, with search-as-you-type, filters and sortable columns."""
    lq = lists.read(request, SPEC)
    result = user_service.list_users(db, principal, lq.page, sort=lq.sort, **_filters(lq))
    template = "access/users_table.html" if request.headers.get("hx-request") else "access/users.html"
    f = lq.filters
    return render(
        request,
        template,
        {
            "result": result,
            "lq": lq,
            "units": unit_service.list_units(db, principal),
            "roles": role_service.list_roles(db),
            "filters": {
                "q": f["q"] or "",
                "unit_id": _filters(lq)["unit_id"],
                "role": f["role"] or "",
                "active": f["active"] or "",
            },
        },
    )


@router.get("/admin/users/export.{fmt}")
def users_export(request: Request, db: Db, principal: UserReader, fmt: str) -> Response:
    """The filtered user list in the list's order as CSV or XLSX; the export is audited."""
    lq = lists.read(request, SPEC)
    result = user_service.list_users(db, principal, PageRequest(1, SPEC.export_limit), sort=lq.sort, **_filters(lq))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, SPEC, fmt, result.items, detail=detail)


def _filters(lq: lists.ListQuery) -> dict[str, Any]:
    """The page's lenient reading: a unit id that is not a number, or an unknown state, is no filter."""
    f = lq.filters
    unit = f["unit_id"]
    return {
        "q": f["q"],
        "unit_id": int(unit) if unit and unit.isdigit() else None,
        "role": f["role"],
        "active": {"on": True, "off": False}.get(f["active"] or ""),
    }


def _user_form(
    request: Request,
    db: Db,
    principal: Principal,
    values: dict[str, Any],
    problems: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "access/user_form.html",
        {
            "values": values,
            "units": unit_service.list_units(db, principal),
            "roles": role_service.list_roles(db),
            **(problems or {"errors": {}, "message": None}),
        },
        status=status,
    )


@router.get("/admin/users/new", response_class=HTMLResponse)
def user_new(request: Request, db: Db, principal: UserManager) -> Response:
    """Form for a new user."""
    return _user_form(request, db, principal, {"roles": []})


@router.post("/admin/users/new")
def user_create(
    request: Request,
    db: Db,
    principal: UserManager,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    org_unit_id: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create the user, or show the form again with the errors at their fields."""
    values = {
        "username": username,
        "display_name": display_name,
        "org_unit_id": org_unit_id,
        "password": password,
        "roles": roles or [],
    }

    def rerender(rejected: Rejected) -> Response:
        values["password"] = ""
        return _user_form(request, db, principal, values, rejected.problems, status=rejected.status)

    return submit_form(
        request,
        db,
        lambda: validated(schemas.UserCreate, values),
        lambda data: user_service.create_user(db, principal, data),
        redirect=lambda user: f"/admin/users/{user.id}?saved=1",
        rerender=rerender,
        catch=(DomainError,),
    )


def _user_page(
    request: Request,
    db: Db,
    principal: Principal,
    user_id: EntityId,
    *,
    saved: str = "",
    problems: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    user = user_service.get_user(db, principal, user_id)
    return render(
        request,
        "access/user.html",
        {
            "user": user,
            "units": unit_service.list_units(db, principal),
            "roles": role_service.list_roles(db),
            "saved": saved,
            **(problems or {"errors": {}, "message": None}),
        },
        status=status,
    )


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, db: Db, principal: UserReader, user_id: EntityId, saved: str = "") -> Response:
    """One user: details, roles, password reset, disable or enable."""
    return _user_page(request, db, principal, user_id, saved=saved)


def _user_action(
    request: Request, db: Db, principal: Principal, user_id: EntityId, action: Callable[[], object], done: str
) -> Response:
    """Run one user action in a savepoint; errors show on the user's page, success redirects."""
    return submit_form(
        request,
        db,
        no_input,
        lambda _: action(),
        redirect=f"/admin/users/{user_id}?saved={done}",
        rerender=lambda r: _user_page(request, db, principal, user_id, problems=r.problems, status=r.status),
        catch=(DomainError,),
        passthrough=(NotFound,),
    )


@router.post("/admin/users/{user_id}")
def user_update(
    request: Request,
    db: Db,
    principal: UserManager,
    user_id: EntityId,
    display_name: Annotated[str, Form()] = "",
    org_unit_id: Annotated[str, Form()] = "",
) -> Response:
    """Save the display name and unit."""

    def act() -> None:
        data = schemas.UserUpdate.model_validate({"display_name": display_name, "org_unit_id": org_unit_id})
        user_service.update_user(db, principal, user_id, data)

    return _user_action(request, db, principal, user_id, act, "details")


@router.post("/admin/users/{user_id}/roles")
def user_roles(
    request: Request,
    db: Db,
    principal: UserManager,
    user_id: EntityId,
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Replace the user's roles."""

    def act() -> None:
        data = schemas.RolesAssign.model_validate({"roles": roles or []})
        user_service.assign_roles(db, principal, user_id, data.roles)

    return _user_action(request, db, principal, user_id, act, "roles")


@router.post("/admin/users/{user_id}/password")
def user_password(
    request: Request, db: Db, principal: UserManager, user_id: EntityId, new_password: Annotated[str, Form()] = ""
) -> Response:
    """Reset the user's password."""
    return _user_action(
        request,
        db,
        principal,
        user_id,
        lambda: user_service.reset_password(db, principal, user_id, new_password),
        "password",
    )


@router.post("/admin/users/{user_id}/disable")
def user_disable(request: Request, db: Db, principal: UserManager, user_id: EntityId) -> Response:
    """Disable the user and end their sessions."""
    return _user_action(
        request, db, principal, user_id, lambda: user_service.disable_user(db, principal, user_id), "disabled"
    )


@router.post("/admin/users/{user_id}/enable")
def user_enable(request: Request, db: Db, principal: UserManager, user_id: EntityId) -> Response:
    """Enable the user and clear a lockout."""
    return _user_action(
        request, db, principal, user_id, lambda: user_service.enable_user(db, principal, user_id), "enabled"
    )
