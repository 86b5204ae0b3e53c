"""HTML pages of activities and performance: the week's visit plan (planned against done for a branch manager),
recording an activity, the personal ICS feed, the branch sales dashboard and a manager's performance."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, Db, EntityId, csrf_protect
from bankcrm.access.service import units as unit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.errors import NotFound
from bankcrm.kit.time import as_utc, today_in
from bankcrm.sales import schemas
from bankcrm.sales.deps import ActivityWriter, TargetReader, TargetSetter
from bankcrm.sales.service import activities, dashboard, targets
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Week = Annotated[date | None, Query()]
PeriodQ = Annotated[str | None, Query(max_length=7)]
UnitQ = Annotated[str | None, Query(max_length=20)]
CODES = ("activity_kind", "activity_status", "activity_outcome")


@router.get("/activities/week", response_class=HTMLResponse)
def week_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: ActivityWriter,
    week: Week = None,
    fresh: str | None = None,
) -> Response:
    """The week's activities day by day (the caller's own, or everyone's in scope for a branch manager), the form to
    plan or log one, and visits planned against done per manager."""
    locale = locale_of(request)
    monday = activities.monday_of(week or today_in(settings.timezone))
    mine = principal.data_scope == "own"
    items = activities.week(db, principal, monday, locale, owner_id=principal.user_id if mine else None)
    days = [monday + timedelta(days=n) for n in range(7)]
    context = {
        "days": days,
        "by_day": {d: [a for a in items if _local_day(a.starts_at) == d] for d in days},
        "plan": activities.planned_vs_done(items),
        "monday": monday,
        "prev": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "codes": catalogue_service.code_labels(db, CODES, locale),
        "has_feed": activities.has_feed(db, principal),
        "feed_url": f"{request.base_url}calendar/{fresh}.ics" if fresh else None,
        "errors": {},
        "message": None,
        "values": {},
    }
    return render(request, "sales/week.html", context)


def _local_day(value: Any) -> date:
    return (as_utc(value) + timedelta(hours=8)).date()


@router.post("/activities")
def create_activity(request: Request, db: Db, principal: ActivityWriter, form: Form) -> Response:
    """Plan or log an activity from the week page (time as typed is the bank's local time)."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("csrf_token", "back") and v.strip() != ""}
    if "starts_at" in data and len(data["starts_at"]) == 16:
        data["starts_at"] += ":00+08:00"
    back = form.get("back", "/activities/week")
    return submit_form(
        request,
        db,
        lambda: validated(schemas.ActivityCreate, data),
        lambda body: activities.create(db, principal, body, locale_of(request)),
        redirect=back if back.startswith("/") and not back.startswith("//") else "/activities/week",
        rerender=lambda r: render(request, "sales/_form_error.html", {**r.problems, "back": back}, status=r.status),
    )


@router.post("/activities/{activity_id}/status")
def mark_activity(request: Request, db: Db, principal: ActivityWriter, activity_id: EntityId, form: Form) -> Response:
    """Mark a planned activity done (with its outcome) or cancelled."""
    activities.mark(db, principal, activity_id, form.get("status", ""), form.get("outcome") or None)

    return RedirectResponse(form.get("back", "/activities/week") or "/activities/week", status_code=303)


@router.post("/activities/feed")
def new_feed(request: Request, db: Db, principal: ActivityWriter) -> Response:
    """A new secret feed URL (shown once on the week page; earlier ones stop working)."""

    token = activities.new_feed(db, principal)
    return RedirectResponse(f"/activities/week?fresh={token}", status_code=303)


@router.post("/activities/feed/revoke")
def revoke_feed(request: Request, db: Db, principal: ActivityWriter) -> Response:
    """Revoke the caller's feed URL."""

    activities.revoke_feeds(db, principal)
    return RedirectResponse("/activities/week", status_code=303)


@router.get("/calendar/{token}.ics")
def feed(request: Request, db: Db, token: str) -> Response:
    """The personal ICS feed: no sign-in, the secret token is the key; an unknown or revoked one is 404."""
    if len(token) > 64:
        raise NotFound(None)
    body = activities.feed_text(db, token, request.url.hostname or "bankcrm")
    if body is None:
        raise NotFound(None)
    return Response(body, media_type="text/calendar; charset=utf-8")


def _period(settings: Any, period: str | None) -> str:
    return targets.check_period(period or today_in(settings.timezone).strftime("%Y-%m"))


@router.get("/sales/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: TargetReader,
    unit: UnitQ = None,
    period: PeriodQ = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The branch sales dashboard: funnel, conversion by stage, stage ageing, targets and the leaderboard."""
    locale = locale_of(request)
    chosen = _period(settings, period)
    u = unit_service.unit_in_scope(db, principal, unit)
    items = targets.targets(db, principal, chosen, u.code, locale, today=today_in(settings.timezone))
    kinds = sorted({t.kind for t in items if t.manager})
    lead_kind = kind if kind in kinds else (kinds[0] if kinds else None)
    context = {
        "unit": u,
        "period": chosen,
        "stages": dashboard.figures(db, principal, u.path, locale),
        "buckets": dashboard.AGE_BUCKETS,
        "targets": items,
        "leaders": targets.leaderboard(items, lead_kind) if lead_kind else [],
        "lead_kind": lead_kind,
        "kinds": kinds,
        "can_set": principal.can(schemas.TARGETS_SET),
    }
    if context["can_set"]:
        context["choices"] = targets.form_choices(db, u.path, locale)
    return render(request, "sales/dashboard.html", context)


@router.get("/sales/dashboard.json")
def dashboard_json(request: Request, db: Db, principal: TargetReader, unit: UnitQ = None) -> Response:
    """Chart data: the funnel (opportunities per open stage now and ever reached)."""
    u = unit_service.unit_in_scope(db, principal, unit)
    figs = [s for s in dashboard.figures(db, principal, u.path, locale_of(request)) if s.ageing]
    return JSONResponse(
        {"stages": [s.label for s in figs], "now": [s.now for s in figs], "reached": [s.reached for s in figs]}
    )


@router.post("/sales/targets")
def set_target(request: Request, db: Db, settings: AppSettings, principal: TargetSetter, form: Form) -> Response:
    """Set a target from the dashboard's form (money in yuan is typed as fen ×100 by the page)."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token" and v.strip() != ""}
    back = f"/sales/dashboard?period={form.get('period', '')}&unit={form.get('unit', '')}"
    return submit_form(
        request,
        db,
        lambda: validated(schemas.TargetSet, data),
        lambda body: targets.set_target(db, principal, body),
        redirect=back,
        rerender=lambda r: render(request, "sales/_form_error.html", {**r.problems, "back": back}, status=r.status),
    )


@router.get("/sales/performance", response_class=HTMLResponse)
def performance_page(
    request: Request, db: Db, settings: AppSettings, principal: TargetReader, period: PeriodQ = None
) -> Response:
    """The caller's own targets, actuals, attainment and rank in the branch for a period."""
    chosen = _period(settings, period)
    items = targets.targets(db, principal, chosen, None, locale_of(request), today=today_in(settings.timezone))
    mine = [t for t in items if t.manager == principal.username]
    return render(request, "sales/performance.html", {"items": mine, "period": chosen})
