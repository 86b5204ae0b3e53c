"""JSON API: the feature catalogue, a customer's insight (tier, RFM, trend, tags, contribution), tier watch lists,
the value dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import CifNo, Db, PageNo
from bankcrm.insight import schemas
from bankcrm.insight.deps import ApiDashboardReader as DashboardReader
from bankcrm.insight.service import dashboard, profile, reads, watch
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["insight"])
Month = Annotated[str | None, Query(max_length=7, description="YYYY-MM (default: the newest month)")]


@router.get("/features", response_model=list[schemas.FeatureRead])
def features(request: Request, caller: Reader) -> list[schemas.FeatureRead]:
    """The feature catalogue: every column of the monthly customer snapshot, labelled, typed, with its unit."""
    return reads.features(locale_of(request))


@router.get("/customers/{cif_no}/insight", response_model=schemas.CustomerInsightRead)
def customer_insight(
    request: Request, db: Db, caller: Reader, cif_no: CifNo, month: Month = None
) -> schemas.CustomerInsightRead:
    """A customer in the caller's scope (404 otherwise): tier, RFM and AUM of a month with the 24-month trend, the
    tags carried now, and the month's contribution lines (null without value.read)."""
    return profile.customer_insight(db, caller, cif_no, reads.parse_month(month), locale=locale_of(request))


@router.get("/insight/dashboard", response_model=schemas.DashboardRead)
def value_dashboard(
    request: Request,
    db: Db,
    caller: DashboardReader,
    unit: Annotated[str | None, Query(max_length=20, description="Org unit code; default: the caller's root")] = None,
    month: Month = None,
) -> schemas.DashboardRead:
    """The value dashboard of a month under a unit in the caller's subtree (404 otherwise, audited): the tier
    pyramid, the tier moves since the month before, AUM by branch and tier, and the contribution Pareto (null
    without value.read)."""
    return dashboard.dashboard(db, caller, unit, reads.parse_month(month), locale_of(request))


@router.get("/insight/tier-watch", response_model=schemas.TierWatchPage)
def tier_watch(
    request: Request,
    db: Db,
    caller: Reader,
    which: Annotated[
        str, Query(max_length=5, description="up | down | near (within 10 % of dropping a tier)")
    ] = "down",
    month: Month = None,
    from_tier: Annotated[
        str | None, Query(max_length=20, description="With to_tier: only customers in this tier the month before")
    ] = None,
    to_tier: Annotated[
        str | None, Query(max_length=20, description="With from_tier: only customers in this tier in the month")
    ] = None,
    unit: Annotated[
        str | None, Query(max_length=20, description="With a tier move: org unit code (default the caller's own)")
    ] = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description="cif_no, unit_code, tier, aum_avg, deposits_avg, loans_outstanding; '-' descending",
        ),
    ] = None,
) -> schemas.TierWatchPage:
    """Customers in the caller's scope who moved up or down a tier in the month, or are near dropping theirs;
    ``from_tier`` with ``to_tier`` keeps one cell of the dashboard's tier-move matrix (under ``unit``, 404 outside
    the caller's scope)."""
    spec = schemas.TIER_WATCH
    result = watch.tier_watch(
        db,
        caller,
        lists.page_of(spec, page, size),
        locale_of(request),
        which=which,
        month=reads.parse_month(month),
        sort=lists.sort_of(spec, sort),
        move=watch.move_of(from_tier, to_tier, unit),
    )
    return schemas.TierWatchPage.of(result)
