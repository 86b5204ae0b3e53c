"""What one nightly run does: train when due, then score the newest completed month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bankcrm.churn import repository
from bankcrm.churn.service import scoring, train
from bankcrm.churn.service.pipeline import NotEnoughHistory
from bankcrm.insight.service.compute import add_months
from bankcrm.workcalendar.service import days as working_days


@dataclass(frozen=True)
class NightlyRun:
    """The training outcome (None: not due or not possible), the month scored and how many customers."""

    outcome: train.Outcome | None
    month: date | None
    scored: int
    detail: str


def newest_completed(db: Session) -> date | None:
    """The newest snapshot month computed up to its last day (the month before, while the newest runs)."""
    months = repository.snapshot_months(db)
    if not months:
        return None
    as_of = repository.newest_as_of(db, months[-1])
    if as_of is not None and as_of >= add_months(months[-1], 1) - timedelta(days=1):
        return months[-1]
    return months[-2] if len(months) > 1 else None


def nightly(db: Session, *, today: date, month: date | None = None) -> NightlyRun:
    """Train when due (the month's first working day in the bank's calendar, or no champion), then score. Flush
    only."""
    limit = month or newest_completed(db)
    if limit is None:
        return NightlyRun(None, None, 0, "churn: no completed snapshot month")
    outcome = None
    why = ""
    first_day = train.first_business_day(today, working_days.current(db))
    due = repository.champion(db, train.TARGET) is None or today == first_day
    if due:
        try:
            outcome = train.train_challenger(db, last=limit)
        except NotEnoughHistory as exc:
            why = f" (not trained: {exc})"
    champion = repository.champion(db, train.TARGET)
    scored = scoring.score_month(db, limit, champion) if champion is not None else 0
    trained = f", model {outcome.model.id} {outcome.model.note}" if outcome else ""
    detail = f"churn: {scored} customers scored for {limit:%Y-%m}{trained}{why}"
    return NightlyRun(outcome, limit, scored, detail)
