"""HTML: the customer page's lifecycle tab; the lifecycle page (stage distribution by branch and tier, flows
matrix and Sankey diagram) with its chart data and its CSV/XLSX export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import CifNo, Db, csrf_protect
from bankcrm.errors import NotFound
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.lifecycle.deps import LifecycleReader
from bankcrm.lifecycle.service import distribution as dist
from bankcrm.lifecycle.service import reads
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH)]
UnitCode = Annotated[str | None, Query(max_length=20)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NEW = N_("Not in the snapshot before")
BY_BRANCH, BY_TIER = N_("Org unit"), N_("Value tier")
HEADERS = (N_("Grouped by"), N_("Key"), N_("Name"))
TOTAL = N_("Total")


def _month(text: str | None) -> date | None:
    return date.fromisoformat(f"{text}-01") if text else None


@router.get("/customers/{cif_no}/tabs/lifecycle", response_class=HTMLResponse)
def lifecycle_tab(request: Request, db: Db, principal: LifecycleReader, cif_no: CifNo) -> Response:
    """The lifecycle tab of a customer in scope (404 otherwise): the stage, since when, the moves in words."""
    return render(request, "lifecycle/_tab.html", {"l": reads.customer(db, principal, cif_no, locale_of(request))})


@router.get("/lifecycle", response_class=HTMLResponse)
def lifecycle_page(
    request: Request, db: Db, principal: LifecycleReader, unit: UnitCode = None, month: Month = None
) -> Response:
    """The month's stages under a unit by branch and tier, and the flows from the month before."""
    d = dist.distribution(db, principal, unit, _month(month), locale_of(request))
    query = f"unit={d.unit}&month={d.month or ''}"
    matrix = {(f.from_stage, f.to_stage): f.customers for f in d.flows}
    return render(request, "lifecycle/index.html", {"d": d, "query": query, "matrix": matrix})


@router.get("/lifecycle/chart.json")
def lifecycle_chart(
    request: Request, db: Db, principal: LifecycleReader, unit: UnitCode = None, month: Month = None
) -> Response:
    """Chart data: stage labels, customers per stage by branch, and the Sankey's nodes and links."""
    locale = locale_of(request)
    d = dist.distribution(db, principal, unit, _month(month), locale)
    labels = {s.code: s.label for s in d.stages}
    before = {s.code: f"{s.label} ({d.previous_month})" for s in d.stages}
    new = f"{gettext_for(locale, NEW)} ({d.previous_month})"
    now = {s.code: f"{s.label} ({d.month})" for s in d.stages}
    links = [
        {"source": before[f.from_stage] if f.from_stage else new, "target": now[f.to_stage], "value": f.customers}
        for f in d.flows
    ]
    used = {link["source"] for link in links} | {link["target"] for link in links}
    return JSONResponse(
        {
            "stages": [labels[s.code] for s in d.stages],
            "branches": [{"name": r.label, "values": [r.counts.get(s.code, 0) for s in d.stages]} for r in d.by_branch],
            "nodes": [{"name": n} for n in [new, *before.values(), *now.values()] if n in used],
            "links": links,
        }
    )


@router.get("/lifecycle/export.{fmt}")
def lifecycle_export(
    request: Request, db: Db, principal: LifecycleReader, fmt: str, unit: UnitCode = None, month: Month = None
) -> Response:
    """The distribution by branch and by tier as CSV or XLSX (counts of customers, no names); audited."""
    if fmt not in MEDIA:
        raise NotFound(None)
    locale = locale_of(request)
    d = dist.distribution(db, principal, unit, _month(month), locale)
    dist.record_export(db, principal, d, fmt)
    headers = [gettext_for(locale, h) for h in HEADERS]
    headers += [s.label for s in d.stages] + [gettext_for(locale, TOTAL)]
    rows: list[tuple[object, ...]] = []
    for by, group in ((BY_BRANCH, d.by_branch), (BY_TIER, d.by_tier)):
        for r in group:
            counts = [r.counts.get(s.code, 0) for s in d.stages]
            rows.append((gettext_for(locale, by), r.key, r.label, *counts, r.total))
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, sheet="lifecycle")
    name = f"lifecycle-{d.unit}-{d.month}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
