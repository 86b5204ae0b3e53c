"""Steps for the runner's tests: real entry points that write a real row, or write one and then fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.outbox.service import enqueue


def write_step(db: Session, settings: Settings, *, label: str = "?", **_: Any) -> JobResult:
    """Write one outbox row naming the option it was given."""
    enqueue(db, channel="sms", recipient="13800000001", body=f"written ({label})")
    return JobResult(1, f"wrote 1 ({label})")


def fail_step(db: Session, settings: Settings, **_: Any) -> JobResult:
    """Write a row, then fail: the row must be rolled back with the step."""
    enqueue(db, channel="sms", recipient="13800000001", body="written by the failing step")
    raise RuntimeError("disk full")


def for_whom_step(db: Session, settings: Settings, *, requested_by: int | None = None, **_: Any) -> JobResult:
    """Write one outbox row naming the user the run was asked for (none when nobody queued it)."""
    enqueue(db, channel="sms", recipient="13800000001", body=f"for {requested_by}")
    return JobResult(1, f"for {requested_by}")
