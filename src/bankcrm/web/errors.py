"""One renderer for every error: problem+json for the API, a page or htmx partial for the web."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bankcrm.errors import AuthenticationRequired, DatabaseUnavailable, DomainError, FieldError, ValidationFailed
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.money import INVALID_VALUE_ERROR
from bankcrm.kit.time import DAY_OUT_OF_RANGE, DAY_OUT_OF_RANGE_ERROR
from bankcrm.web.templating import locale_of, render

log = logging.getLogger("bankcrm")

# Pydantic error types mapped to messages we translate; anything else gets the generic one.
PYDANTIC_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This value is too long."),
    "string_pattern_mismatch": N_("This value has the wrong format."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "bool_parsing": N_("Enter true or false."),
    "too_short": N_("Choose at least one."),
    "too_long": N_("Too many entries."),
    "list_type": N_("Enter a list."),
    "string_type": N_("Enter text."),
    DAY_OUT_OF_RANGE_ERROR: DAY_OUT_OF_RANGE,
    # A code outside its table (kit/codes.py) or a value outside a fixed choice.
    "enum": N_("Choose one of the listed values."),
    "literal_error": N_("Choose one of the listed values."),
}
GENERIC_INVALID = N_("This value is not valid.")
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
HTTP_MESSAGES = {
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
}
# Seconds a client is told to wait after a 503: about what a PostgreSQL restart or failover takes.
RETRY_AFTER_SECONDS = 5


def field_errors_from_pydantic(errors: list[Any]) -> list[FieldError]:
    """Turn pydantic's errors into our field errors, naming the field (and row where nested)."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        kind = err.get("type", "")
        # A kit type (Yuan, Percent, BusinessDate) failed: its message is already the msgid of the rule broken.
        message = err.get("msg", GENERIC_INVALID) if kind == INVALID_VALUE_ERROR else None
        out.append(FieldError(".".join(loc) or "body", message or PYDANTIC_MESSAGES.get(kind, GENERIC_INVALID)))
    return out


def invalid(exc: ValidationError) -> ValidationFailed:
    """A pydantic failure as our domain error (views parse forms into schemas)."""
    return ValidationFailed(errors=field_errors_from_pydantic(exc.errors()))


def form_errors(request: Request, exc: DomainError) -> dict[str, Any]:
    """For re-rendering a form: the general message and each field's errors, translated."""
    locale = locale_of(request)
    errors: dict[str, str] = {}
    for e in exc.errors:
        text = gettext_for(locale, e.message, e.params)
        errors[e.field] = f"{errors[e.field]} {text}" if e.field in errors else text
    return {"message": gettext_for(locale, exc.message, exc.params), "errors": errors}


def is_api(request: Request) -> bool:
    """API requests get problem+json."""
    return request.url.path.startswith("/api/")


def problem(request: Request, exc: DomainError) -> JSONResponse:
    """RFC 9457 problem details, translated to the request's language."""
    locale = locale_of(request)
    body: dict[str, Any] = {
        "type": f"urn:bankcrm:problem:{exc.code}",
        "title": gettext_for(locale, exc.default_message),
        "status": exc.status,
        "detail": gettext_for(locale, exc.message, exc.params),
        "instance": request.url.path,
    }
    if exc.errors:
        body["errors"] = [{"field": e.field, "message": gettext_for(locale, e.message, e.params)} for e in exc.errors]
    return JSONResponse(body, status_code=exc.status, media_type="application/problem+json", headers=_headers(exc))


def _headers(exc: DomainError) -> dict[str, str] | None:
    if exc.status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if exc.status == 503:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return None


def _leaf_routes(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        nested = getattr(route, "effective_candidates", None)  # FastAPI's included routers nest routes
        if callable(nested):
            yield from _leaf_routes(nested())
        else:
            yield route


def allowed_methods(request: Request) -> list[str]:
    """The methods this path takes; as in OpenAPI, a concrete path (/customers/individual) hides a template."""
    found: dict[bool, set[str]] = {True: set(), False: set()}
    for route in _leaf_routes(request.app.router.routes):
        for method in HTTP_METHODS:
            match, child = route.matches({**request.scope, "method": method, "path_params": {}})
            if match is Match.FULL:
                found[not child.get("path_params")].add(method)
    return sorted(found[True] or found[False])


def not_allowed(request: Request) -> list[str] | None:
    """The Allow list when this request's method is not one the path takes, else None."""
    allowed = allowed_methods(request)
    return allowed if request.method not in allowed else None


def html_error(request: Request, exc: DomainError) -> Response:
    """A full error page, or an alert partial for htmx requests."""
    if isinstance(exc, AuthenticationRequired) and exc.code == "authentication_required":
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    template = "partials/error.html" if request.headers.get("hx-request") else "error.html"
    return render(
        request,
        template,
        {
            "error": exc,
            "message": gettext_for(locale_of(request), exc.message, exc.params),
            "field_errors": [(e.field, gettext_for(locale_of(request), e.message, e.params)) for e in exc.errors],
        },
        status=exc.status,
        headers=_headers(exc) if exc.status == 503 else None,
    )


class BodyTooLarge(StarletteHTTPException):
    """A streamed request body passed the limit (an HTTPException, so FastAPI's body reading lets it through)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def too_large(request: Request) -> Response:
    """The 413 answer to a body over the limit, as problem+json or a page (the body is never read)."""
    err = DomainError(HTTP_MESSAGES[413])
    err.status, err.code = 413, "too_large"
    return problem(request, err) if is_api(request) else html_error(request, err)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> Response:
        return problem(request, exc) if is_api(request) else html_error(request, exc)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> Response:
        # Starlette took PATCH /customers/individual for PATCH /customers/{cif_no}; the path takes only POST.
        allow = not_allowed(request)
        if allow is not None:
            return _http(request, StarletteHTTPException(405, headers={"Allow": ", ".join(allow)}))
        err = ValidationFailed(errors=field_errors_from_pydantic(list(exc.errors())))
        return problem(request, err) if is_api(request) else html_error(request, err)

    @app.exception_handler(BodyTooLarge)
    def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        return too_large(request)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        err = DomainError(HTTP_MESSAGES.get(exc.status_code))
        err.status, err.code = exc.status_code, "not_found" if exc.status_code == 404 else "http_error"
        response = problem(request, err) if is_api(request) else html_error(request, err)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            # Starlette's Allow names only the first route's methods; a path may have several routes.
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(DBAPIError)
    def _database(request: Request, exc: DBAPIError) -> Response:
        # A lost connection (server restarted, backend terminated, failover) or a refused one is the
        # database being away, not a bug: 503 with Retry-After. The request's transaction was rolled back
        # by the session boundary; the pool pre-pings, so the next request gets a fresh connection.
        if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
            raise exc  # any other database error is a bug: on to the 500 handler, as before
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        err = DatabaseUnavailable()
        return problem(request, err) if is_api(request) else html_error(request, err)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        err = DomainError(N_("Something went wrong on our side. The error has been logged."))
        err.status, err.code = 500, "internal_error"
        return problem(request, err) if is_api(request) else html_error(request, err)


class ProblemField(BaseModel):
    """One field at fault."""

    field: str = Field(description="The field, dotted for nested ones (`phones.0.number`), or `body`")
    message: str = Field(description="What is wrong, in the request's language")


class Problem(BaseModel):
    """RFC 9457 problem details, as every API error is answered."""

    type: str = Field(description="`urn:bankcrm:problem:<code>`")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str = Field(description="The path that was asked for")
    errors: list[ProblemField] = Field(default_factory=list, description="Present when fields are at fault")
