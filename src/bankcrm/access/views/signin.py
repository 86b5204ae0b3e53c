"""HTML pages: sign-in and out, and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import (
    AppSettings,
    Db,
    client_ip,
    cross_site_write,
    csrf_protect,
    session_token,
    web_principal,
)
from bankcrm.access.principal import Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.errors import DomainError
from bankcrm.kit.i18n import LOCALES, gettext_for
from bankcrm.kit.tokens import new_token, same
from bankcrm.web.middleware import LANG_COOKIE
from bankcrm.web.templating import locale_of, render

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
PRELOGIN_COOKIE = "bankcrm_prelogin"


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


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
