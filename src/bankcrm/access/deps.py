"""Request boundary: the DB session (owns the transaction), the principal, permission and CSRF checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.errors import AuthenticationRequired, DomainError, Forbidden
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import MAX_ID
from bankcrm.kit.pagination import MAX_PAGE
from bankcrm.kit.tokens import same

API_PAGE_SIZE = 200  # the largest page an API list answers


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: commit when the route returns, roll back when it raises.

    Denials are audited after the rollback, in the same connection, so they survive it.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        if exc.audit is not None:
            audit_service.record(session, **exc.audit)
            session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db, scope="function")]
# A row id in a URL; out-of-range values are a 422, never an overflow in the database.
EntityId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A customer in a URL: a malformed number is a 422 before any lookup.
CifNo = Annotated[str, Path(pattern=r"^[0-9]{11}$", description="The 11-digit CIF number")]
# A list's page number and (API) page size in the query string; out of range is a 422.
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Query(ge=1, le=API_PAGE_SIZE)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def get_cipher(request: Request) -> FieldCipher:
    """The app's field cipher for C2 values (built once from the settings' keys)."""
    cipher: FieldCipher = request.app.state.cipher
    return cipher


Cipher = Annotated[FieldCipher, Depends(get_cipher)]


def client_ip(request: Request) -> str | None:
    """The peer address (a proxy in front is expected to be configured in uvicorn)."""
    return request.client.host if request.client else None


def session_token(request: Request, settings: Settings) -> str | None:
    """The session cookie's value, if any."""
    return request.cookies.get(settings.session_cookie_name)


def web_principal(request: Request, db: Db, settings: AppSettings) -> Principal:
    """The signed-in user of a browser session, or a redirect to the sign-in page."""
    token = session_token(request, settings)
    principal = auth_service.resolve_session(db, settings, token, client_ip(request)) if token else None
    if principal is None:
        raise AuthenticationRequired(keep_changes=True)
    request.state.principal = principal
    return principal


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def api_principal(request: Request, db: Db, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """The caller behind a bearer token, or 401; a browser's cross-site write is refused (403, audited)."""
    principal = auth_service.resolve_token(db, token.strip(), client_ip(request)) if token else None
    if principal is None:
        raise AuthenticationRequired(N_("A valid bearer token is required."))
    request.state.principal = principal
    if cross_site_write(request):
        raise _csrf_failed(request, principal)
    return principal


def _denied(principal: Principal, request: Request, permission: str) -> Forbidden:
    return Forbidden(
        audit={
            "actor": Actor.of(principal),
            "action": "authz.denied",
            "outcome": "denied",
            "detail": f"{request.method} {request.url.path} needs {permission}",
        }
    )


def require_web(permission: str):  # type: ignore[no-untyped-def]
    """Dependency: a signed-in browser user holding ``permission`` (403 and audited otherwise)."""

    def check(request: Request, principal: Annotated[Principal, Depends(web_principal)]) -> Principal:
        if not principal.can(permission):
            raise _denied(principal, request, permission)
        return principal

    return check


def require_api(permission: str):  # type: ignore[no-untyped-def]
    """Dependency: a bearer-token caller holding ``permission`` (403 and audited otherwise)."""

    def check(request: Request, principal: Annotated[Principal, Depends(api_principal)]) -> Principal:
        if not principal.can(permission):
            raise _denied(principal, request, permission)
        return principal

    return check


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site_write(request: Request) -> bool:
    """A state-changing request that the browser says another site started (Sec-Fetch-Site).

    Other bank systems calling the API send no Sec-Fetch-Site header, so they are never refused by this.
    """
    return request.method not in SAFE_METHODS and request.headers.get("sec-fetch-site", "").lower() == "cross-site"


class CsrfFailed(DomainError):
    """A state-changing browser request without the session's CSRF token."""

    status = 403
    code = "csrf_failed"
    default_message = N_("The form has expired or did not come from this site. Reload the page and try again.")


async def csrf_protect(request: Request, principal: Annotated[Principal, Depends(web_principal)]) -> None:
    """Every non-GET browser request carries the session's token, as a header (htmx) or form field."""
    if request.method in SAFE_METHODS:
        return
    if cross_site_write(request):
        raise _csrf_failed(request, principal)
    expected = principal.csrf_token
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not same(expected, sent):
        raise _csrf_failed(request, principal, why="")


def _csrf_failed(request: Request, principal: Principal, why: str = " (cross-site)") -> CsrfFailed:
    return CsrfFailed(
        audit={
            "actor": Actor.of(principal),
            "action": "authz.csrf_failed",
            "outcome": "denied",
            "detail": f"{request.method} {request.url.path}{why}",
        }
    )


# One alias per permission, for the pages (require_web) and the API (require_api), so a route names
# what it needs and every route needing it checks it the same way.
CustomerReader = Annotated[Principal, Depends(require_web("customer.read"))]
CustomerWriter = Annotated[Principal, Depends(require_web("customer.write"))]
PiiUnmasker = Annotated[Principal, Depends(require_web("pii.unmask"))]
AssignmentMaker = Annotated[Principal, Depends(require_web("assignment.request"))]
TaskWorker = Annotated[Principal, Depends(require_web("task.work"))]
GroupReader = Annotated[Principal, Depends(require_web("group.read"))]
GroupReviewer = Annotated[Principal, Depends(require_web("group.review"))]
OrgReader = Annotated[Principal, Depends(require_web("org.read"))]
OrgManager = Annotated[Principal, Depends(require_web("org.manage"))]
RoleManager = Annotated[Principal, Depends(require_web("role.manage"))]
UserReader = Annotated[Principal, Depends(require_web("user.read"))]
UserManager = Annotated[Principal, Depends(require_web("user.manage"))]
IngestReader = Annotated[Principal, Depends(require_web("ingest.read"))]
IngestRerunner = Annotated[Principal, Depends(require_web("ingest.rerun"))]
RejectUnmasker = Annotated[Principal, Depends(require_web("ingest.rejects.unmask"))]
AuditReader = Annotated[Principal, Depends(require_web("audit.read"))]
JobReader = Annotated[Principal, Depends(require_web("job.read"))]
JobRunner = Annotated[Principal, Depends(require_web("job.run"))]
MatchReader = Annotated[Principal, Depends(require_web("match.read"))]
MatchApprover = Annotated[Principal, Depends(require_web("match.approve"))]

ApiCustomerReader = Annotated[Principal, Depends(require_api("customer.read"))]
ApiMatchReader = Annotated[Principal, Depends(require_api("match.read"))]
ApiMatchApprover = Annotated[Principal, Depends(require_api("match.approve"))]
ApiCustomerWriter = Annotated[Principal, Depends(require_api("customer.write"))]
ApiPiiUnmasker = Annotated[Principal, Depends(require_api("pii.unmask"))]
ApiAssignmentMaker = Annotated[Principal, Depends(require_api("assignment.request"))]
ApiTaskWorker = Annotated[Principal, Depends(require_api("task.work"))]
ApiGroupReader = Annotated[Principal, Depends(require_api("group.read"))]
ApiGroupReviewer = Annotated[Principal, Depends(require_api("group.review"))]
ApiOrgReader = Annotated[Principal, Depends(require_api("org.read"))]
ApiOrgManager = Annotated[Principal, Depends(require_api("org.manage"))]
ApiRoleManager = Annotated[Principal, Depends(require_api("role.manage"))]
ApiUserReader = Annotated[Principal, Depends(require_api("user.read"))]
ApiUserManager = Annotated[Principal, Depends(require_api("user.manage"))]
ApiIngestReader = Annotated[Principal, Depends(require_api("ingest.read"))]
ApiIngestRerunner = Annotated[Principal, Depends(require_api("ingest.rerun"))]
ApiRejectUnmasker = Annotated[Principal, Depends(require_api("ingest.rejects.unmask"))]
ApiAuditReader = Annotated[Principal, Depends(require_api("audit.read"))]
ApiJobReader = Annotated[Principal, Depends(require_api("job.read"))]
ApiJobRunner = Annotated[Principal, Depends(require_api("job.run"))]
