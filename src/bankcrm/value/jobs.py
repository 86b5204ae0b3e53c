"""The nightly ``contribution`` step and its backfill (``bankcrm batch run contribution --month YYYY-MM``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.db import bulk_cache
from bankcrm.holdings.service import figures as figures_service
from bankcrm.kit.jobs import JobResult
from bankcrm.value.service import compute


def parse_month(text: str) -> date:
    """'YYYY-MM' → the month's first day (ValueError naming the input otherwise)."""
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ValueError(f"--month: not a month in the form YYYY-MM: {text}") from None


def contribution_job(
    db: Session,
    settings: Settings,
    *,
    as_of: date | None = None,
    month: str | date | None = None,
    history: int = compute.BACKFILL_MONTHS,
    full: bool = False,
    **_: Any,
) -> JobResult:
    """The registry's ``contribution`` step: the running month to date and any closed month not yet final;
    with ``month``, that month alone (recomputed whole, as with ``full``); a first run backfills ``history`` months.
    Otherwise only customers whose facts changed are recomputed (``compute.compute_month``). The business date is
    the newest one delivered."""
    day = as_of or figures_service.latest_business_date(db)
    if day is None:
        return JobResult(0, "contribution: no business date delivered yet")
    if month is not None:
        wanted = month if isinstance(month, date) else parse_month(month)
        if wanted > day:
            raise ValueError(f"--month: {wanted:%Y-%m} is after the business date {day.isoformat()}")
        months, full = [compute.month_start(wanted)], True
    else:
        months = compute.months_due(db, day, history=history)
    # SQLite: a large page cache while lines are written: a month's lines go into two indexes (by customer and
    # by month) of a table holding every customer's lines of a year, which 2 MB of cache re-read page by page.
    with bulk_cache(db):
        reports = [compute.compute_month(db, m, day, settings.timezone, full=full) for m in months]
    lines = sum(r.lines for r in reports)
    detail = "contribution as of {}: {}".format(
        day.isoformat(), "; ".join(f"{r.month:%Y-%m} {r.customers} customers, {r.lines} lines" for r in reports)
    )
    audit_service.record(db, SYSTEM, "contribution.computed", detail=detail)
    return JobResult(lines, detail, reports)
