"""JSON API: data-quality figures of the caller's scope, the monthly trend, customers with gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import AppSettings, Cipher, Db, PageNo
from bankcrm.kit.time import today_in
from bankcrm.quality import schemas
from bankcrm.quality.deps import ApiGapReader, ApiQualityReader
from bankcrm.quality.service import figures, gaps
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["quality"])
SORT_HELP = "cif_no, name, unit, manager, gaps; '-' descending; ties by customer id"
UnitId = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Figures for this unit's subtree")]


@router.get("/quality", response_model=schemas.QualityRead)
def quality(
    request: Request, db: Db, settings: AppSettings, cipher: Cipher, caller: ApiQualityReader, unit: UnitId = None
) -> schemas.QualityRead:
    """Completeness and validity per checked field and per branch, duplicates and sources, for the caller's scope."""
    today = today_in(settings.timezone)
    fig = figures.compute(db, cipher, caller, today, locale_of(request), unit_id=unit)
    return figures.as_read(fig)


@router.get("/quality/trend", response_model=list[schemas.TrendMonthRead])
def quality_trend(
    db: Db, settings: AppSettings, caller: ApiQualityReader, unit: UnitId = None
) -> list[schemas.TrendMonthRead]:
    """The last 12 month-ends of the nightly snapshot for the caller's scope (or one unit's subtree)."""
    return figures.trend_read(figures.trend(db, caller, today_in(settings.timezone), unit_id=unit))


@router.get("/quality/gaps", response_model=schemas.GapPage)
def quality_gaps(
    request: Request,
    db: Db,
    settings: AppSettings,
    cipher: Cipher,
    caller: ApiGapReader,
    manager: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    field: Annotated[str | None, Query(max_length=60, description="kind.field, e.g. individual.mobile")] = None,
    unit: UnitId = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[
        str | None, Query(max_length=200, description="cif_no, name, unit, manager, gaps; '-' desc")
    ] = None,
) -> schemas.GapPage:
    """Customers with a checked field missing or invalid, most gaps first (an account manager: their own)."""
    spec = schemas.GAP_LIST
    result = gaps.gaps(
        db,
        cipher,
        caller,
        today_in(settings.timezone),
        locale_of(request),
        sort=lists.sort_of(spec, sort),
        page=lists.page_of(spec, page, size),
        manager_id=manager,
        field=field,
        unit_id=unit,
    )
    return schemas.GapPage.of(result)
