"""HTML pages: corporate groups and their review, guarantee circles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, GroupReader, GroupReviewer, csrf_protect
from bankcrm.access.principal import Principal
from bankcrm.jobs.service import runs as job_runs
from bankcrm.kit.i18n import N_
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import today_in
from bankcrm.relationships.schemas import CIRCLE_LIST, GROUP_LIST
from bankcrm.relationships.service import circles, groups
from bankcrm.relationships.service import graph as graph_service
from bankcrm.relationships.views.common import Flag, _graph_json
from bankcrm.web import lists
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import no_input, submit_form
from bankcrm.web.templating import locale_of, render

DERIVE_JOB = "groups"  # the registry step that derives groups and circles

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

StatusFilter = Annotated[str, Query(max_length=20)]
CIRCLE_TABS = (("current", N_("Current")), ("ended", N_("Ended")))
LIST_SIZE = 25
CIRCLES = CIRCLE_LIST
GROUPS = GROUP_LIST


def _status_or_default(value: str, default: str, tabs: Sequence[tuple[str, str]]) -> str:
    """The tab asked for, or the default when it is not one of the tabs (pages forgive; the API says 422)."""
    return value if value in {k for k, _ in tabs} else default


@router.get("/groups", response_class=HTMLResponse)
def groups_page(
    request: Request,
    db: Db,
    principal: GroupReader,
    queued: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    """Corporate groups by status, sortable by column, with the derive button for risk managers."""
    lq = lists.read(request, GROUPS)
    tabs = groups.status_tabs(db, locale_of(request))  # one per state of the workflow catalogue, first = initial
    status = _status_or_default(lq.filters["status"] or "", tabs[0][0], tabs)
    result = groups.list_groups(db, principal, status, lq.page, locale=locale_of(request), sort=lq.sort)
    context = {
        "status": status,
        "tabs": tabs,
        "result": Page(result.items, result.total, result.page, result.size),
        "queued": bool(queued),
        "waiting": DERIVE_JOB in job_runs.queued_codes(db),
        "lq": lq,
    }
    return render(request, "relationships/groups.html", context)


@router.get("/groups/export.{fmt}")
def groups_export(request: Request, db: Db, principal: GroupReader, fmt: str) -> Response:
    """The groups of one status in the list's order as CSV or XLSX (hidden totals stay hidden); audited."""
    lq = lists.read(request, GROUPS)
    tabs = groups.status_tabs(db, locale_of(request))
    status = _status_or_default(lq.filters["status"] or "", tabs[0][0], tabs)
    page = PageRequest(1, GROUPS.export_limit)
    result = groups.list_groups(db, principal, status, page, locale=locale_of(request), sort=lq.sort)
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, GROUPS, fmt, result.items, detail=detail)


@router.post("/groups/derive")
def groups_derive(db: Db, principal: GroupReviewer) -> Response:
    """Queue the whole-bank derivation for the batch (18-30 s at a million customers: not in a request)."""
    job_runs.queue(db, principal, DERIVE_JOB)
    return RedirectResponse(f"/groups?status={groups.PROPOSED_TAB}&queued=1", status_code=303)


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
        "can_decide": groups.can_decide(db, principal, group.status),
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
    return submit_form(
        request,
        db,
        no_input,
        lambda _: groups.accept(
            db,
            principal,
            group_id,
            today=today_in(settings.timezone),
            locale=locale_of(request),
            threshold_bp=settings.group_control_share_bp,
        ),
        redirect=f"/groups/{group_id}?saved=accepted",
        rerender=lambda r: _group_page(request, db, settings, principal, group_id, problems=r.problems, code=r.status),
    )


@router.post("/groups/{group_id}/reject")
def group_reject(
    request: Request, db: Db, settings: AppSettings, principal: GroupReviewer, group_id: EntityId, form: Form
) -> Response:
    """Reject a proposed group with a reason."""
    reason = form.get("reason", "")[:2000]
    return submit_form(
        request,
        db,
        no_input,
        lambda _: groups.reject(
            db,
            principal,
            group_id,
            reason,
            today=today_in(settings.timezone),
            locale=locale_of(request),
            threshold_bp=settings.group_control_share_bp,
        ),
        redirect=f"/groups/{group_id}?saved=rejected",
        rerender=lambda r: _group_page(
            request, db, settings, principal, group_id, problems=r.problems, reason=reason, code=r.status
        ),
    )


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
