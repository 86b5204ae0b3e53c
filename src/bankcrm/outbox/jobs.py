"""Batch entry point: deliver the pending outbox messages (nightly, or ``bankcrm batch run deliver-outbox``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.outbox.service.deliver import deliver


def deliver_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """Send what is pending; rows are the messages attempted."""
    report = deliver(db, settings)
    attempted = report.sent + report.failed + report.retrying
    detail = f"{report.sent} sent, {report.failed} failed, {report.retrying} to retry"
    return JobResult(attempted, detail, report)
