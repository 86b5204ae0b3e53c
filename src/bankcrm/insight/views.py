"""HTML: the customer page's insight tab (tier, tier history, RFM, month-end AUM trend chart and its table) and the
tier watch page (moved up, moved down, near dropping a tier) with its export; the value dashboard, its charts' data
and its tables' exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import CifNo, Db, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.principal import Principal
from bankcrm.errors import NotFound
from bankcrm.insight import catalogue
from bankcrm.insight.deps import DashboardReader
from bankcrm.insight.schemas import TIER_WATCH
from bankcrm.insight.service import dashboard, dashboard_tables, profile, reads, watch
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.web import lists
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
UnitCode = Annotated[str | None, Query(max_length=20)]
Month = Annotated[str | None, Query(max_length=7)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/customers/{cif_no}/tabs/insight", response_class=HTMLResponse)
def customer_insight_tab(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The insight tab of a customer in scope (404 otherwise), for the newest month of the snapshot, with the
    customer's tags and the segments (that the reader sees) the customer is in now."""
    found = profile.customer_insight(db, principal, cif_no, None, locale=locale_of(request))
    return render(request, "insight/_tab.html", {"i": found, "chart": reads.trend_chart(found)})


def _watch(request: Request, db: Db, principal: Principal, lq: lists.ListQuery, page: PageRequest) -> Page[Any]:
    f = lq.filters
    return watch.tier_watch(
        db,
        principal,
        page,
        locale_of(request),
        which=f["which"] or "down",
        month=reads.parse_month(f["month"]),
        sort=lq.sort,
        move=(f["from_tier"], f["to_tier"], f["unit"] or None) if f["from_tier"] and f["to_tier"] else None,
    )


@router.get("/insight/tiers", response_class=HTMLResponse)
def tier_watch_page(request: Request, db: Db, principal: Reader) -> Response:
    """Customers in scope who moved down or up a tier this month, or are within 10 % of dropping theirs."""
    lq = lists.read(request, TIER_WATCH)
    result = _watch(request, db, principal, lq, lq.page)
    template = "insight/tiers_table.html" if request.headers.get("hx-request") else "insight/tiers.html"
    newest = watch.newest_month(db)
    context = {
        "result": result,
        "lq": lq,
        "which": lq.filters["which"] or "down",
        "month": lq.filters["month"] or (f"{newest:%Y-%m}" if newest else ""),
        "tiers": [t for t in catalogue.tiers()],
        "move": {k: lq.filters[k] or "" for k in ("from_tier", "to_tier", "unit")},
        "tier_names": {t.code: t.label(locale_of(request)) for t in catalogue.tiers()},
    }
    return render(request, template, context)


@router.get("/insight/tiers/export.{fmt}")
def tier_watch_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The watch list in its order as CSV or XLSX, names masked as on screen; audited."""
    lq = lists.read(request, TIER_WATCH)
    result = _watch(request, db, principal, lq, PageRequest(1, TIER_WATCH.export_limit))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, TIER_WATCH, fmt, result.items, detail=detail)


@router.get("/insight/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, db: Db, principal: DashboardReader, unit: UnitCode = None, month: Month = None
) -> Response:
    """The value dashboard of a month under a unit in scope: pyramid, tier moves, Pareto, AUM by branch and tier."""
    d = dashboard.dashboard(db, principal, unit or None, reads.parse_month(month), locale_of(request))
    context = {
        "d": d,
        "query": f"unit={d.unit}&month={d.month or ''}",
        "moves": [(m, dashboard_tables.migration_grid(m)) for m in d.migration],
        "aum": dashboard_tables.aum_grid(d),
        "aum_tiers": [p for p in d.pyramid if any(c.tier == p.tier for c in d.aum_by_branch_tier)],
        "kinds": dashboard_tables.KIND_LABELS,
        "ranks": {t.code: t.rank for t in catalogue.tiers()},
    }
    return render(request, "insight/dashboard.html", context)


@router.get("/insight/dashboard/charts.json")
def dashboard_charts(
    request: Request, db: Db, principal: DashboardReader, unit: UnitCode = None, month: Month = None
) -> Response:
    """The charts' data: pyramids, tier-move Sankey, stacked AUM by branch (yuan as decimal text), Pareto."""
    locale = locale_of(request)
    d = dashboard.dashboard(db, principal, unit or None, reads.parse_month(month), locale)
    return JSONResponse(dashboard_tables.chart_data(d, locale))


@router.get("/insight/dashboard/export/{part}.{fmt}")
def dashboard_export(
    request: Request,
    db: Db,
    principal: DashboardReader,
    part: str,
    fmt: str,
    unit: UnitCode = None,
    month: Month = None,
) -> Response:
    """One table of the dashboard (pyramid, migration, aum, pareto) as CSV or XLSX, amounts in yuan; audited."""
    if fmt not in MEDIA or part not in dashboard_tables.PARTS:
        raise NotFound(None)
    locale = locale_of(request)
    d = dashboard.dashboard(db, principal, unit or None, reads.parse_month(month), locale)
    headers, rows = dashboard_tables.rows(d, part, locale)
    dashboard.record_export(db, principal, d, part, fmt, len(rows))
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, sheet=part)
    name = f"value-dashboard-{part}-{d.unit}-{d.month}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
