"""The nightly batch: recompute derived figures (incrementally), then raise maturity follow-up tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.holdings.service import figures, tasks
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


@dataclass(frozen=True)
class NightlyReport:
    """What one nightly run did."""

    figures: figures.FiguresReport
    tasks: tasks.TaskRun


def nightly(
    db: Session,
    settings: Settings,
    *,
    as_of: date | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> NightlyReport:
    """Figures as of the newest business date loaded (or ``as_of``), then maturity tasks as of today."""
    today = today_in(settings.timezone)
    day = as_of or figures.latest_business_date(db) or today
    fig = figures.recompute(db, day, settings.timezone, full=full, progress=progress)
    raised = tasks.raise_maturity_tasks(db, today, settings.maturity_windows)
    audit_service.record(
        db,
        SYSTEM,
        "batch.nightly",
        detail=(
            f"figures as of {day.isoformat()} for {fig.customers} customers ({'full' if full else 'incremental'}); "
            f"maturity tasks: {raised.created} created, {raised.escalated} escalated"
        ),
    )
    return NightlyReport(fig, raised)


def figures_job(
    db: Session,
    settings: Settings,
    *,
    as_of: date | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
    **_: Any,
) -> JobResult:
    """The registry's ``figures`` step: customers' derived figures as of the newest business date (or ``as_of``)."""
    day = as_of or figures.latest_business_date(db) or today_in(settings.timezone)
    fig = figures.recompute(db, day, settings.timezone, full=full, progress=progress)
    detail = f"figures as of {day.isoformat()} for {fig.customers} customers ({'full' if full else 'incremental'})"
    audit_service.record(db, SYSTEM, "holdings.figures", detail=detail)
    return JobResult(fig.customers, detail, fig)


def maturity_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """The registry's ``maturity-tasks`` step: raise or escalate maturity follow-ups as of today."""
    raised = tasks.raise_maturity_tasks(db, today_in(settings.timezone), settings.maturity_windows)
    detail = f"maturity tasks: {raised.created} created, {raised.escalated} escalated"
    audit_service.record(db, SYSTEM, "holdings.maturity_tasks", detail=detail)
    return JobResult(raised.created + raised.escalated, detail, raised)
