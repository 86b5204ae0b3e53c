"""The ``warnings`` step: nightly after the snapshot and lifecycle, or ``bankcrm batch run warnings``: evaluate the
signals, raise warnings, escalate those nobody acted on in time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.earlywarning.service import model_scores, raising
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


def warnings_job(
    db: Session, settings: Settings, *, progress: Callable[[int], None] | None = None, **_: Any
) -> JobResult:
    """The registry's ``warnings`` step."""
    today = today_in(settings.timezone)
    done = raising.raise_from_signals(db, today)
    taken = model_scores.take_in(db, today)
    month = f"{done.month:%Y-%m}" if done.month else "-"
    detail = (
        f"warnings: month {month}, {done.customers} customers, {done.flagged} with a signal, {done.raised} raised, "
        f"{done.already_open} already open, {done.escalated} escalated; churn model: {taken.raised} raised, "
        f"{taken.joined} joined open warnings"
    )
    if progress is not None:
        progress(done.customers)
    audit_service.record(db, SYSTEM, "warning.evaluated", detail=detail)
    return JobResult(done.raised + taken.raised, detail, done)
