"""The nightly batch: recompute derived figures (incrementally), then raise maturity follow-up tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.holdings.service import figures, tasks
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
