"""Queries over job_run; the runner's and the requests' only access to the table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bankcrm.kit.pagination import PageRequest
from bankcrm.models.job import JobOutcome, JobRun


def add(db: Session, row: JobRun) -> JobRun:
    """Store a run record."""
    db.add(row)
    db.flush()
    return row


def get(db: Session, run_id: int) -> JobRun:
    """One run record by id (the runner's own, so it exists)."""
    return db.get_one(JobRun, run_id)


def queued(db: Session, job_code: str) -> JobRun | None:
    """The waiting request for this step, if any (a request queues at most one per step)."""
    stmt = select(JobRun).where(JobRun.job_code == job_code, JobRun.outcome == JobOutcome.QUEUED).order_by(JobRun.id)
    return db.scalars(stmt.limit(1)).first()


def claim_queued(db: Session, job_code: str, outcome: str, started_at: datetime | None) -> JobRun | None:
    """Take the step's oldest waiting request for this run: a compare-and-set on its outcome, so two runners
    never take the same request (the loser's update finds it no longer queued and looks again)."""
    while (row := queued(db, job_code)) is not None:
        taken = db.execute(
            update(JobRun)
            .where(JobRun.id == row.id, JobRun.outcome == JobOutcome.QUEUED)
            .values(outcome=outcome, started_at=started_at)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            db.refresh(row)
            return row
        db.expire(row)
    return None


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
