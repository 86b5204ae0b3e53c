"""Which months a run evaluates: from the oldest month not yet filled (or the first, for a backfill) up to the
newest completed month (or the month asked for), in order, since each month starts from the one before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.lifecycle import repository
from bankcrm.lifecycle.service.evaluate import Decided, MonthRun, evaluate_month, month_end, refresh_stages


@dataclass(frozen=True)
class LifecycleRun:
    """What one run of the ``lifecycle`` step did."""

    months: list[MonthRun]

    @property
    def moves(self) -> int:
        """Moves stored over all months evaluated."""
        return sum(m.moves for m in self.months)

    @property
    def tasks(self) -> int:
        """Playbook tasks raised."""
        return sum(m.tasks for m in self.months)


def newest_completed(db: Session, months: list[date]) -> date | None:
    """The newest month the snapshot holds up to its last day (the month before, when the newest is running)."""
    if not months:
        return None
    newest = months[-1]
    as_of = repository.newest_as_of(db, newest)
    if as_of is not None and as_of >= month_end(newest):
        return newest
    return months[-2] if len(months) > 1 else None


def run(
    db: Session,
    *,
    today: date,
    month: date | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LifecycleRun:
    """Evaluate the months due (see the module's docstring); playbook tasks only for the last month's entries,
    so a backfill does not raise a task for every move of past years. Flush only (the boundary commits)."""
    months = repository.snapshot_months(db)
    limit = month if month is not None else newest_completed(db, months)
    if limit is None:
        return LifecycleRun([])
    pending = repository.first_unevaluated(db)
    if full:
        start = months[0] if months else limit
    elif month is not None:
        start = min(pending or month, month)
    elif pending is None or pending > limit:
        return LifecycleRun([])
    else:
        start = pending
    due = [m for m in months if start <= m <= limit]
    # A usual night: the snapshot rewrote the changed customers' last months (their stages emptied); only they are
    # decided again, each from their own month before, which is what deciding the whole month would give them.
    only = None if full or month is not None else repository.unevaluated_customers(db, start, limit)
    done = []
    # Each customer's current stage once, after the last month deciding them, not after every month (a first
    # run of 24 months rewrote every customer's current stage 24 times); each month reads the months before it
    # that the run decided from memory, not back from the snapshot (a first run read every row four times).
    decided = Decided()
    for m in due:
        done.append(evaluate_month(db, m, raise_tasks=m == due[-1], today=today, only=only, decided=decided))
        if progress is not None:
            progress(done[-1].customers)
    refresh_stages(db, decided)
    return LifecycleRun(done)
