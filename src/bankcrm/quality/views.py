"""HTML pages: data quality per field and branch with its trend; customers with gaps, filtered and exportable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import AppSettings, Cipher, Db, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import today_in
from bankcrm.quality import schemas
from bankcrm.quality.catalogue import field_choices
from bankcrm.quality.deps import GapReader, QualityReader
from bankcrm.quality.service import figures, gaps
from bankcrm.web import lists
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
GAPS = schemas.GAP_LIST
UnitId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
OwnGaps = Annotated[Principal, Depends(require_web(schemas.GAPS_OWN))]


@router.get("/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: QualityReader, unit: UnitId = None
) -> Response:
    """Completeness and validity per field and per branch of the viewer's scope, duplicates, sources, the trend."""
    today = today_in(settings.timezone)
    locale = locale_of(request)
    fig = figures.compute(db, cipher, principal, today, locale, unit_id=unit)
    months = figures.trend(db, principal, today, unit_id=unit)
    context = {"fig": fig, "months": months, "unit": unit}
    return render(request, "quality/index.html", context)


@router.get("/quality/trend.json")
def quality_trend(db: Db, settings: AppSettings, principal: QualityReader, unit: UnitId = None) -> JSONResponse:
    """Chart data: complete and valid field values in per cent at each of the last 12 month-ends."""
    months = figures.trend(db, principal, today_in(settings.timezone), unit_id=unit)
    return JSONResponse(
        {
            "months": [m.month_end.isoformat()[:7] for m in months],
            "complete": [m.complete_pct for m in months],
            "valid": [m.valid_pct for m in months],
        }
    )


def _gaps_page(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: Principal, *, mine: bool
) -> Response:
    lq = lists.read(request, GAPS)
    locale = locale_of(request)
    f = lq.filters
    result = gaps.gaps(
        db,
        cipher,
        principal,
        today_in(settings.timezone),
        locale,
        sort=lq.sort,
        page=lq.page,
        manager_id=principal.user_id if mine else f["manager"],
        field=f["field"],
        unit_id=f["unit"],
    )
    context = {
        "lq": lq,
        "result": result,
        "base": "/quality/my-gaps" if mine else "/quality/gaps",
        "filters": f,
        "managers": [] if mine else gaps.managers(db, principal),
        "fields": field_choices(locale),
    }
    return render(request, "quality/gaps.html", context)


def _gaps_export(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: Principal, fmt: str, mine: bool
) -> Response:
    lq = lists.read(request, GAPS)
    f = lq.filters
    result = gaps.gaps(
        db,
        cipher,
        principal,
        today_in(settings.timezone),
        locale_of(request),
        sort=lq.sort,
        page=PageRequest(1, GAPS.export_limit),
        manager_id=principal.user_id if mine else f["manager"],
        field=f["field"],
        unit_id=f["unit"],
    )
    detail = f"filters {lq.given}; sort={lq.sort.param}" + ("; own customers" if mine else "")
    return lists.export(request, db, principal, GAPS, fmt, result.items, detail=detail)


@router.get("/quality/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: GapReader) -> Response:
    """Customers with a checked field missing or invalid, by account manager and field (own customers only
    for an account manager without the quality page)."""
    return _gaps_page(request, db, settings, cipher, principal, mine=False)


@router.get("/quality/gaps/export.{fmt}")
def gaps_export(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: GapReader, fmt: str
) -> Response:
    """The customers with gaps in the list's order as CSV or XLSX (names as the reader sees them); audited."""
    return _gaps_export(request, db, settings, cipher, principal, fmt, mine=False)


@router.get("/quality/my-gaps", response_class=HTMLResponse)
def my_gaps_page(request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: OwnGaps) -> Response:
    """An account manager's own customers with gaps, to fix them."""
    return _gaps_page(request, db, settings, cipher, principal, mine=True)


@router.get("/quality/my-gaps/export.{fmt}")
def my_gaps_export(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, principal: OwnGaps, fmt: str
) -> Response:
    """The account manager's own customers with gaps as CSV or XLSX; audited."""
    return _gaps_export(request, db, settings, cipher, principal, fmt, mine=True)
