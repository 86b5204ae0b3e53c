"""The audit log page for administrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, AuditReader, Db, csrf_protect
from bankcrm.audit import service as audit_service
from bankcrm.audit.filters import AuditFilters
from bankcrm.audit.schemas import AUDIT_LIST as SPEC
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.web import lists
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _search(db: Db, zone: str, lq: lists.ListQuery, page: PageRequest) -> tuple[AuditFilters, Page[Any]]:
    f = lq.filters
    filters = AuditFilters(f["actor"], f["action"], f["entity_type"], f["outcome"], f["date_from"], f["date_to"])
    since, until = filters.window(zone)
    result = audit_service.search(
        db,
        page,
        actor=filters.actor,
        action=filters.action,
        entity_type=filters.entity_type,
        outcome=filters.outcome,
        since=since,
        until=until,
        sort=lq.sort,
    )
    return filters, result


@router.get("/admin/audit/export.{fmt}")
def audit_export(request: Request, db: Db, settings: AppSettings, principal: AuditReader, fmt: str) -> Response:
    """The filtered audit log in the list's order as CSV or XLSX, audited.

    Each event reads as a sentence in the reader's language with its codes beside it, chain hash included.
    """
    lq = lists.read(request, SPEC)
    _, result = _search(db, settings.timezone, lq, PageRequest(1, SPEC.export_limit))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    lines = audit_service.export_lines(result.items, locale_of(request))
    return lists.export(request, db, principal, SPEC, fmt, lines, detail=detail)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: Db, settings: AppSettings, principal: AuditReader) -> Response:
    """Filterable, sortable, paginated audit events."""
    lq = lists.read(request, SPEC)
    filters, result = _search(db, settings.timezone, lq, lq.page)
    template = "audit/table.html" if request.headers.get("hx-request") else "audit/list.html"
    sentences = audit_service.sentences(result.items, locale_of(request))
    return render(request, template, {"result": result, "filters": filters, "lq": lq, "sentences": sentences})
