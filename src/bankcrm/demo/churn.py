"""The demo's churn model: the step's first run trains a champion on the snapshot's history and scores the newest
completed month, so /models shows a real card and customers have scores with reasons; then the warnings step's
intake of the model's scores raises MODEL warnings for the likeliest, as tonight's run would."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.churn import jobs as churn_jobs
from bankcrm.config import Settings
from bankcrm.earlywarning.service import model_scores
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


def build(db: Session, settings: Settings) -> JobResult:
    """Train (no champion yet) and score (the registry's own step), then take the scores in as warnings."""
    done = churn_jobs.churn_job(db, settings)
    model_scores.take_in(db, today_in(settings.timezone))
    db.flush()
    return done
