"""The nightly step: the monthly customer snapshot of the customers that changed (or a full run, or the backfill)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.holdings.service import figures
from bankcrm.insight.service import snapshot
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


def snapshot_job(
    db: Session,
    settings: Settings,
    *,
    as_of: date | None = None,
    full: bool = False,
    backfill: bool = False,
    progress: Callable[[int], None] | None = None,
    **_: Any,
) -> JobResult:
    """The registry's ``snapshot`` step, as of the newest business date loaded (or ``as_of``)."""
    day = as_of or figures.latest_business_date(db) or today_in(settings.timezone)
    done = snapshot.run(
        db,
        day,
        timezone=settings.timezone,
        own_banks=frozenset(settings.own_bank_names),
        rfm_high=settings.rfm_high_score,
        full=full,
        backfill=backfill,
        progress=progress,
    )
    months = f"{done.months[0]:%Y-%m}..{done.months[-1]:%Y-%m}" if done.months else "-"
    detail = (
        f"snapshot as of {day.isoformat()} ({done.mode}): {done.customers} customers, months {months}, "
        f"{done.rows} rows, {done.pruned} pruned"
    )
    audit_service.record(db, SYSTEM, "insight.snapshot", detail=detail)
    return JobResult(done.customers, detail, done)
