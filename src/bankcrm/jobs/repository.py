"""Queries over job_run; the runner's and the requests' only access to the table."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.kit.pagination import PageRequest
from bankcrm.models.job import JobOutcome, JobRun


def add(db: Session, row: JobRun) -> JobRun:
    """Store a run record."""
    db.add(row)
    db.flush()
    return row


def queued(db: Session, job_code: str) -> JobRun | None:
    """The waiting request for this step, if any (a request queues at most one per step)."""
    stmt = select(JobRun).where(JobRun.job_code == job_code, JobRun.outcome == JobOutcome.QUEUED).order_by(JobRun.id)
    return db.scalars(stmt.limit(1)).first()


def queued_codes(db: Session) -> list[str]:
    """The steps with a waiting request, oldest request first."""
    stmt = select(JobRun.job_code).where(JobRun.outcome == JobOutcome.QUEUED).order_by(JobRun.id)
    return list(dict.fromkeys(db.scalars(stmt)))


def page(db: Session, request: PageRequest, job_code: str | None = None) -> tuple[list[JobRun], int]:
    """Run records newest first, optionally of one step, and how many there are."""
    stmt = select(JobRun)
    count = select(func.count()).select_from(JobRun)
    if job_code:
        stmt = stmt.where(JobRun.job_code == job_code)
        count = count.where(JobRun.job_code == job_code)
    rows = db.scalars(stmt.order_by(JobRun.id.desc()).offset(request.offset).limit(request.size))
    return list(rows), int(db.scalar(count) or 0)
