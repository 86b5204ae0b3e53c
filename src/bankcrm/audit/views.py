"""The audit log page for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, AuditReader, Db, csrf_protect
from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.audit.filters import AuditFilters
from bankcrm.kit.i18n import gettext_for
from bankcrm.kit.pagination import MAX_PAGE, PageRequest
from bankcrm.web.export import export_response
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/admin/audit/export.{fmt}")
def audit_export(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: AuditReader,
    fmt: str,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Response:
    """The filtered audit log as CSV or XLSX, chain hashes included."""
    filters = AuditFilters(
        actor or None, action or None, entity_type or None, outcome or None, date_from or None, date_to or None
    )
    since, until = filters.window(settings.timezone)
    events = audit_service.export(
        db,
        Actor.of(principal),
        actor=filters.actor,
        action=filters.action,
        entity_type=filters.entity_type,
        outcome=filters.outcome,
        since=since,
        until=until,
    )
    locale = locale_of(request)
    headers = [
        gettext_for(locale, h) for h in ("#", "Time", "User", "Action", "Outcome", "Object", "Changes", "From", "Hash")
    ]
    rows = [
        (
            e.seq,
            e.occurred_at,
            e.actor_username,
            e.action,
            e.outcome,
            f"{e.entity_type or ''} {e.entity_id or ''}".strip(),
            e.changes or e.detail,
            e.ip,
            e.hash,
        )
        for e in events
    ]
    return export_response(fmt, "audit-log", headers, rows)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: AuditReader,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """Filterable, paginated audit events."""
    filters = AuditFilters(
        actor or None, action or None, entity_type or None, outcome or None, date_from or None, date_to or None
    )
    since, until = filters.window(settings.timezone)
    result = audit_service.search(
        db,
        PageRequest(page, 50),
        actor=filters.actor,
        action=filters.action,
        entity_type=filters.entity_type,
        outcome=filters.outcome,
        since=since,
        until=until,
    )
    template = "audit/table.html" if request.headers.get("hx-request") else "audit/list.html"
    return render(request, template, {"result": result, "filters": filters})
