"""HTML pages: corporate groups and their review, guarantee circles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.errors import Conflict, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.pagination import MAX_PAGE, Page, PageRequest
from bankcrm.kit.time import today_in
from bankcrm.relationships.schemas import CIRCLE_LIST, GROUP_LIST
from bankcrm.relationships.service import circles, derivation, groups
from bankcrm.relationships.service import graph as graph_service
from bankcrm.relationships.views.common import Flag, Form, _graph_json
from bankcrm.web import lists
from bankcrm.web.errors import form_errors
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

GroupReader = Annotated[Principal, Depends(require_web("group.read"))]
GroupReviewer = Annotated[Principal, Depends(require_web("group.review"))]
StatusFilter = Annotated[str, Query(max_length=20)]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
GROUP_TABS = (
    ("proposed", N_("Proposed")),
    ("accepted", N_("Accepted")),
    ("rejected", N_("Rejected")),
    ("superseded", N_("Superseded")),
    ("outdated", N_("Outdated")),
)
CIRCLE_TABS = (("current", N_("Current")), ("ended", N_("Ended")))
LIST_SIZE = 25
CIRCLES = CIRCLE_LIST
GROUPS = GROUP_LIST


def _status_or_default(value: str, default: str, tabs: tuple[tuple[str, str], ...]) -> str:
    """The tab asked for, or the default when it is not one of the tabs (pages forgive; the API says 422)."""
    return value if value in {k for k, _ in tabs} else default


@router.get("/groups", response_class=HTMLResponse)
def groups_page(
    request: Request,
    db: Db,
    principal: GroupReader,
    derived: Annotated[int | None, Query(ge=0, le=MAX_PAGE)] = None,
) -> Response:
    """Corporate groups by status, sortable by column, with the derive button for risk managers."""
    lq = lists.read(request, GROUPS)
    status = _status_or_default(lq.filters["status"] or "", "proposed", GROUP_TABS)
    result = groups.list_groups(db, principal, status, lq.page, locale=locale_of(request), sort=lq.sort)
    context = {
        "status": status,
        "tabs": GROUP_TABS,
        "result": Page(result.items, result.total, result.page, result.size),
        "derived": derived,
        "lq": lq,
    }
    return render(request, "relationships/groups.html", context)


@router.get("/groups/export.{fmt}")
def groups_export(request: Request, db: Db, principal: GroupReader, fmt: str) -> Response:
    """The groups of one status in the list's order as CSV or XLSX (hidden totals stay hidden); audited."""
    lq = lists.read(request, GROUPS)
    status = _status_or_default(lq.filters["status"] or "", "proposed", GROUP_TABS)
    page = PageRequest(1, GROUPS.export_limit)
    result = groups.list_groups(db, principal, status, page, locale=locale_of(request), sort=lq.sort)
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, GROUPS, fmt, result.items, detail=detail)


@router.post("/groups/derive")
def groups_derive(db: Db, settings: AppSettings, principal: GroupReviewer) -> Response:
    """Derive groups and circles now; back to the proposals with how many are new."""
    report = derivation.derive(
        db, principal, today=today_in(settings.timezone), threshold_bp=settings.group_control_share_bp
    )
    return RedirectResponse(f"/groups?status=proposed&derived={report.proposed}", status_code=303)


def _group_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    group_id: int,
    *,
    saved: str | None = None,
    problems: dict[str, Any] | None = None,
    reason: str = "",
    code: int = 200,
) -> Response:
    group = groups.read_group(
        db,
        principal,
        group_id,
        today=today_in(settings.timezone),
        locale=locale_of(request),
        threshold_bp=settings.group_control_share_bp,
    )
    context = {
        "g": group,
        "graph": _graph_json(group.graph),
        "link_labels": graph_service.type_labels(db, locale_of(request)),
        "saved": saved,
        "reason": reason,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "relationships/group.html", context, status=code)


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(
    request: Request, db: Db, settings: AppSettings, principal: GroupReader, group_id: EntityId, saved: Flag = None
) -> Response:
    """One group: totals, graph, members with their paths, and the review buttons."""
    return _group_page(request, db, settings, principal, group_id, saved=saved)


@router.post("/groups/{group_id}/accept")
def group_accept(
    request: Request, db: Db, settings: AppSettings, principal: GroupReviewer, group_id: EntityId
) -> Response:
    """Accept a proposed group."""
    try:
        with db.begin_nested():
            groups.accept(
                db,
                principal,
                group_id,
                today=today_in(settings.timezone),
                locale=locale_of(request),
                threshold_bp=settings.group_control_share_bp,
            )
    except (ValidationFailed, Conflict) as exc:
        problems = form_errors(request, exc)
        return _group_page(request, db, settings, principal, group_id, problems=problems, code=exc.status)
    return RedirectResponse(f"/groups/{group_id}?saved=accepted", status_code=303)


@router.post("/groups/{group_id}/reject")
def group_reject(
    request: Request, db: Db, settings: AppSettings, principal: GroupReviewer, group_id: EntityId, form: Form
) -> Response:
    """Reject a proposed group with a reason."""
    reason = form.get("reason", "")[:2000]
    try:
        with db.begin_nested():
            groups.reject(
                db,
                principal,
                group_id,
                reason,
                today=today_in(settings.timezone),
                locale=locale_of(request),
                threshold_bp=settings.group_control_share_bp,
            )
    except (ValidationFailed, Conflict) as exc:
        problems = form_errors(request, exc)
        return _group_page(
            request, db, settings, principal, group_id, problems=problems, reason=reason, code=exc.status
        )
    return RedirectResponse(f"/groups/{group_id}?saved=rejected", status_code=303)


@router.get("/guarantee-circles", response_class=HTMLResponse)
def circles_page(request: Request, db: Db, principal: GroupReader) -> Response:
    """Guarantee circles, current or ended, largest amount first unless a column header is clicked."""
    lq = lists.read(request, CIRCLES)
    status = _status_or_default(lq.filters["status"] or "", "current", CIRCLE_TABS)
    result = circles.list_circles(db, principal, status, lq.page, lq.sort)
    context = {
        "status": status,
        "tabs": CIRCLE_TABS,
        "result": Page(result.items, result.total, result.page, result.size),
        "lq": lq,
    }
    return render(request, "relationships/circles.html", context)


@router.get("/guarantee-circles/export.{fmt}")
def circles_export(request: Request, db: Db, principal: GroupReader, fmt: str) -> Response:
    """The circles of one status in the list's order as CSV or XLSX (hidden totals stay hidden); audited."""
    lq = lists.read(request, CIRCLES)
    status = _status_or_default(lq.filters["status"] or "", "current", CIRCLE_TABS)
    result = circles.list_circles(db, principal, status, PageRequest(1, CIRCLES.export_limit), lq.sort)
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, CIRCLES, fmt, result.items, detail=detail)


@router.get("/guarantee-circles/{circle_id}", response_class=HTMLResponse)
def circle_page(
    request: Request, db: Db, settings: AppSettings, principal: GroupReader, circle_id: EntityId
) -> Response:
    """One guarantee circle: members and the guarantees between them, as a graph."""
    circle = circles.read_circle(db, principal, circle_id, today=today_in(settings.timezone), locale=locale_of(request))
    return render(request, "relationships/circle.html", {"c": circle, "graph": _graph_json(circle.graph)})
