"""The nightly ``tags`` step: expired manual tags closed, every rule tag recomputed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.tags.service import manual, rules


def tags_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """The registry's ``tags`` step; rows are the customers carrying a rule tag afterwards."""
    today = today_in(settings.timezone)
    expired = manual.expire(db, today)
    report = rules.recompute(db, today=today)
    detail = (
        f"{report.tags} rule tags: {report.applied} applied, {report.removed} removed, "
        f"{report.carriers} carried; {expired} expired"
    )
    audit_service.record(db, SYSTEM, "tag.recomputed", detail=detail)
    return JobResult(report.carriers, detail, report)
