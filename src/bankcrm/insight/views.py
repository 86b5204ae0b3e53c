"""HTML: the customer page's insight tab (tier, tier history, RFM, month-end AUM trend chart and its table) and the
tier watch page (moved up, moved down, near dropping a tier) with its export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import CifNo, Db, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.principal import Principal
from bankcrm.insight import catalogue
from bankcrm.insight.schemas import TIER_WATCH
from bankcrm.insight.service import reads, watch
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.web import lists
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/customers/{cif_no}/tabs/insight", response_class=HTMLResponse)
def customer_insight_tab(request: Request, db: Db, principal: Reader, cif_no: CifNo) -> Response:
    """The insight tab of a customer in scope (404 otherwise), for the newest month of the snapshot."""
    found = reads.insight(db, principal, cif_no, None, locale=locale_of(request))
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
    }
    return render(request, template, context)


@router.get("/insight/tiers/export.{fmt}")
def tier_watch_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The watch list in its order as CSV or XLSX, names masked as on screen; audited."""
    lq = lists.read(request, TIER_WATCH)
    result = _watch(request, db, principal, lq, PageRequest(1, TIER_WATCH.export_limit))
    detail = f"filters {lq.given}; sort={lq.sort.param}"
    return lists.export(request, db, principal, TIER_WATCH, fmt, result.items, detail=detail)
