"""The ``churn`` step: on the month's first business day (or when there is no champion) train a challenger and
promote it if it wins; every run, score the newest completed snapshot month with the champion.
On demand: ``bankcrm batch run churn [--month YYYY-MM]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.churn.service import run
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


def parse_month(text: str) -> date:
    """'YYYY-MM' → the month's first day (ValueError naming the input otherwise)."""
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ValueError(f"--month: not a month in the form YYYY-MM: {text}") from None


def churn_job(
    db: Session,
    settings: Settings,
    *,
    month: str | date | None = None,
    progress: Callable[[int], None] | None = None,
    **_: Any,
) -> JobResult:
    """The registry's ``churn`` step."""
    wanted = month if isinstance(month, date) or month is None else parse_month(month)
    done = run.nightly(db, today=today_in(settings.timezone), month=wanted)
    if done.outcome is not None:
        o = done.outcome
        audit_service.record(
            db,
            SYSTEM,
            "churn.trained",
            entity_type="churn_model",
            entity_id=str(o.model.id),
            detail=f"model {o.model.id}: AUC {o.model.auc:.4f}, {o.model.note}",
        )
    if progress is not None:
        progress(done.scored)
    audit_service.record(db, SYSTEM, "churn.scored", detail=done.detail)
    return JobResult(done.scored, done.detail, done)
