"""The ``lifecycle`` step: nightly the newest completed month (and any month the snapshot rewrote), or on demand
``bankcrm batch run lifecycle [--month YYYY-MM] [--backfill]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.lifecycle.service import run as lifecycle_run


def parse_month(text: str) -> date:
    """'YYYY-MM' → the month's first day (ValueError naming the input otherwise)."""
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ValueError(f"--month: not a month in the form YYYY-MM: {text}") from None


def lifecycle_job(
    db: Session,
    settings: Settings,
    *,
    month: str | date | None = None,
    backfill: bool = False,
    progress: Callable[[int], None] | None = None,
    **_: Any,
) -> JobResult:
    """The registry's ``lifecycle`` step: stages of the months due, their moves and the playbook's tasks."""
    wanted = month if isinstance(month, date) or month is None else parse_month(month)
    done = lifecycle_run.run(db, today=today_in(settings.timezone), month=wanted, full=backfill, progress=progress)
    months = f"{done.months[0].month:%Y-%m}..{done.months[-1].month:%Y-%m}" if done.months else "-"
    detail = f"lifecycle: months {months}, {done.moves} moves, {done.tasks} playbook tasks"
    audit_service.record(db, SYSTEM, "lifecycle.evaluated", detail=detail)
    return JobResult(done.moves, detail, done)
