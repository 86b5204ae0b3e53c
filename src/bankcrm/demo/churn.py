"""The demo's churn model: the step's first run trains a champion on the snapshot's history and scores the newest
completed month, so /models shows a real card and customers have scores with reasons."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.churn import jobs as churn_jobs
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult


def build(db: Session, settings: Settings) -> JobResult:
    """Train (no champion yet) and score (the registry's own step)."""
    return churn_jobs.churn_job(db, settings)
