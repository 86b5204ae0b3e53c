"""The demo bank's monthly customer snapshot: backfilled from the delivered history, as on a bank's first run."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.insight import jobs as insight_jobs
from bankcrm.kit.jobs import JobResult


def build(db: Session, settings: Settings) -> JobResult:
    """Backfill the snapshot over every month the demo's core-banking files cover (the registry's own step)."""
    return insight_jobs.snapshot_job(db, settings, backfill=True)
