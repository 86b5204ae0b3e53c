"""The nightly ``segments`` step: every saved segment's membership brought to the business day."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.segments.service import membership


def segments_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """The registry's ``segments`` step; rows are the memberships held afterwards."""
    report = membership.refresh(db, today=today_in(settings.timezone))
    detail = (
        f"{report.segments} segments: {report.entered} entered, {report.left} left, "
        f"{report.members} members; {report.skipped} skipped"
    )
    audit_service.record(db, SYSTEM, "segment.refreshed", detail=detail)
    return JobResult(report.members, detail, report)
