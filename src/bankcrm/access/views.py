"""HTML pages: sign-in and out, language switch, and administration of units, users and roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bankcrm.access import schemas
from bankcrm.access.deps import (
    AppSettings,
    Db,
    EntityId,
    client_ip,
    cross_site_write,
    csrf_protect,
    require_web,
    session_token,
    web_principal,
)
from bankcrm.access.principal import Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import roles as role_service
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.errors import DomainError
from bankcrm.kit.i18n import LOCALES, gettext_for
from bankcrm.kit.pagination import MAX_PAGE, PageRequest
from bankcrm.kit.tokens import new_token, same
from bankcrm.web.errors import form_errors, invalid
from bankcrm.web.export import export_response
from bankcrm.web.middleware import LANG_COOKIE
from bankcrm.web.templating import locale_of, render

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
PRELOGIN_COOKIE = "bankcrm_prelogin"

OrgReader = Annotated[Principal, Depends(require_web("org.read"))]
OrgManager = Annotated[Principal, Depends(require_web("org.manage"))]
UserReader = Annotated[Principal, Depends(require_web("user.read"))]
UserManager = Annotated[Principal, Depends(require_web("user.manage"))]
RoleManager = Annotated[Principal, Depends(require_web("role.manage"))]


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- sign-in, sign-out, language -------------------------------------------------------------


def _login_page(
    request: Request,
    settings: Any,
    *,
    error: str | None = None,
    username: str = "",
    next_path: str = "/",
    status: int = 200,
) -> Response:
    token = new_token()
    response = render(
        request,
        "access/login.html",
        {"prelogin": token, "error": error, "username": username, "next": next_path},
        status=status,
    )
    response.set_cookie(
        PRELOGIN_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/login"
    )
    return response


@public_router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: AppSettings, next: str = "/") -> Response:
    """The sign-in page."""
    return _login_page(request, settings, next_path=_safe_next(next))


@public_router.post("/login")
def login_submit(
    request: Request,
    db: Db,
    settings: AppSettings,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check credentials; on success rotate the session id and go where the user was heading."""
    locale = locale_of(request)
    expected = request.cookies.get(PRELOGIN_COOKIE, "")
    if not expected or not csrf_token or not same(expected, csrf_token) or cross_site_write(request):
        message = gettext_for(
            locale, "The form has expired or did not come from this site. Reload the page and try again."
        )
        return _login_page(request, settings, error=message, username=username, next_path=_safe_next(next), status=403)
    try:
        user = auth_service.authenticate(db, settings, username, password, client_ip(request))
    except DomainError as exc:
        return _login_page(
            request,
            settings,
            error=gettext_for(locale, exc.message, exc.params),
            username=username,
            next_path=_safe_next(next),
            status=401,
        )
    token = auth_service.start_session(
        db,
        user,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        previous_token=session_token(request, settings),
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        settings.session_cookie_name, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/"
    )
    response.delete_cookie(PRELOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request, db: Db, settings: AppSettings, principal: Annotated[Principal, Depends(web_principal)]
) -> Response:
    """End the session and return to the sign-in page."""
    token = session_token(request, settings)
    if token:
        auth_service.end_session(db, token, principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@public_router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    """Remember the chosen language for a year and go back."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


# --- org units --------------------------------------------------------------------------------


@router.get("/admin/units", response_class=HTMLResponse)
def units_page(request: Request, db: Db, principal: OrgReader, q: str | None = None) -> Response:
    """The org tree in scope."""
    units = unit_service.list_units(db, principal, q)
    template = "access/units_table.html" if request.headers.get("hx-request") else "access/units.html"
    return render(request, template, {"units": units, "q": q or ""})


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
    try:
        try:
            data = schemas.OrgUnitCreate.model_validate(values)
        except ValidationError as exc:
            raise invalid(exc) from exc
        with db.begin_nested():
            unit = unit_service.create_unit(db, principal, data)
    except DomainError as exc:
        return _unit_form(request, db, principal, values, form_errors(request, exc), status=exc.status)
    return RedirectResponse(f"/admin/units/{unit.id}?saved=1", status_code=303)


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
    try:
        try:
            data = schemas.OrgUnitUpdate.model_validate(
                {"name_en": name_en, "name_zh": name_zh, "active": active == "on"}
            )
        except ValidationError as exc:
            raise invalid(exc) from exc
        with db.begin_nested():
            unit_service.update_unit(db, principal, unit_id, data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        unit = unit_service.get_unit(db, principal, unit_id)
        members = user_service.list_users(db, principal, PageRequest(1, 200), unit_id=unit.id)
        return render(
            request,
            "access/unit.html",
            {"unit": unit, "members": members, "saved": 0, **form_errors(request, exc)},
            status=exc.status,
        )
    return RedirectResponse(f"/admin/units/{unit_id}?saved=1", status_code=303)


# --- users ------------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    db: Db,
    principal: UserReader,
    q: str | None = None,
    unit_id: str | None = None,
    role: str | None = None,
    active: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """Users in scope, with search-as-you-type and filters."""
    unit = int(unit_id) if unit_id and unit_id.isdigit() else None
    state = {"on": True, "off": False}.get(active or "")
    result = user_service.list_users(
        db, principal, PageRequest(page, 25), q=q, unit_id=unit, role=role or None, active=state
    )
    template = "access/users_table.html" if request.headers.get("hx-request") else "access/users.html"
    return render(
        request,
        template,
        {
            "result": result,
            "units": unit_service.list_units(db, principal),
            "roles": role_service.list_roles(db),
            "filters": {"q": q or "", "unit_id": unit, "role": role or "", "active": active or ""},
        },
    )


@router.get("/admin/users/export.{fmt}")
def users_export(
    request: Request,
    db: Db,
    principal: UserReader,
    fmt: str,
    q: str | None = None,
    unit_id: str | None = None,
    role: str | None = None,
    active: str | None = None,
) -> Response:
    """The filtered user list as CSV or XLSX."""
    unit = int(unit_id) if unit_id and unit_id.isdigit() else None
    users = user_service.export_users(
        db, principal, q=q or None, unit_id=unit, role=role or None, active={"on": True, "off": False}.get(active or "")
    )
    locale = locale_of(request)
    headers = [
        gettext_for(locale, h) for h in ("User name", "Display name", "Org unit", "Roles", "Status", "Last sign-in")
    ]
    rows = [
        (
            u.username,
            u.display_name,
            u.org_unit.code,
            " ".join(r.code for r in u.roles),
            "active" if u.active else "disabled",
            u.last_login_at,
        )
        for u in users
    ]
    return export_response(fmt, "users", headers, rows)


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
    try:
        try:
            data = schemas.UserCreate.model_validate(values)
        except ValidationError as exc:
            raise invalid(exc) from exc
        with db.begin_nested():
            user = user_service.create_user(db, principal, data)
    except DomainError as exc:
        values["password"] = ""
        return _user_form(request, db, principal, values, form_errors(request, exc), status=exc.status)
    return RedirectResponse(f"/admin/users/{user.id}?saved=1", status_code=303)


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


def _user_action(request: Request, db: Db, principal: Principal, user_id: EntityId, action: Any, done: str) -> Response:
    """Run one user action in a savepoint; errors show on the user's page, success redirects."""
    try:
        with db.begin_nested():
            action()
    except ValidationError as exc:
        return _user_page(request, db, principal, user_id, problems=form_errors(request, invalid(exc)), status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _user_page(request, db, principal, user_id, problems=form_errors(request, exc), status=exc.status)
    return RedirectResponse(f"/admin/users/{user_id}?saved={done}", status_code=303)


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


# --- roles ------------------------------------------------------------------------------------


@router.get("/admin/roles", response_class=HTMLResponse)
def roles_page(request: Request, db: Db, principal: RoleManager, saved: str = "") -> Response:
    """The role × permission matrix."""
    return render(
        request,
        "access/roles.html",
        {
            "roles": role_service.list_roles(db),
            "permissions": role_service.list_permissions(db),
            "saved": saved,
            "errors": {},
            "message": None,
        },
    )


@router.post("/admin/roles/{code}")
def role_update(
    request: Request, db: Db, principal: RoleManager, code: str, permissions: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Replace one role's permissions."""
    try:
        with db.begin_nested():
            role_service.set_permissions(db, principal, code, permissions or [])
    except DomainError as exc:
        if exc.status == 404:
            raise
        return render(
            request,
            "access/roles.html",
            {
                "roles": role_service.list_roles(db),
                "permissions": role_service.list_permissions(db),
                "saved": "",
                "failed_role": code,
                **form_errors(request, exc),
            },
            status=exc.status,
        )
    return RedirectResponse(f"/admin/roles?saved={code}", status_code=303)
