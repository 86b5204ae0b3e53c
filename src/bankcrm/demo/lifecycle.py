"""The demo's lifecycle stages: the step's first run over every snapshot month, as on a bank's first night."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.lifecycle import jobs as lifecycle_jobs


def build(db: Session, settings: Settings) -> JobResult:
    """Evaluate every month of the snapshot in order (the registry's own step), raising the last month's tasks."""
    return lifecycle_jobs.lifecycle_job(db, settings, backfill=True)
