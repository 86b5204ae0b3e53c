"""The nightly step: this month's data-quality figures per home unit and field, for the page's trend."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.quality.service import snapshot


def snapshot_job(db: Session, settings: Settings, *, full: bool = False, **_: Any) -> JobResult:
    """The registry's ``data-quality`` step: check the customers whose kept checks no longer stand (all: ``full``)
    and rewrite this month's trend rows."""
    run = snapshot.take(db, settings.field_cipher(), today_in(settings.timezone), full=full)
    detail = (
        f"data quality as of month end {run.month_end.isoformat()}: {run.customers} customers"
        f" ({run.checked} checked again), {run.rows} rows"
    )
    audit_service.record(db, SYSTEM, "quality.snapshot", detail=detail)
    return JobResult(run.customers, detail, run)
