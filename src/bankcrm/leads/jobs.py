"""The ``leads`` step (nightly, and as often as the bank likes with ``bankcrm leads expire``): assigned leads not
accepted within the policy's business hours go back to the pool; leads whose new customer was approved convert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import utcnow
from bankcrm.leads.service import assign, conversion


def leads_job(db: Session, settings: Settings, *, now: datetime | None = None, **_: Any) -> JobResult:
    """Return the unaccepted leads to the pool and settle the conversions decided by a checker."""
    returned = assign.expire(db, now or utcnow())
    converted, released = conversion.settle(db, settings.timezone)
    detail = f"leads: {returned} back to the pool, {converted} converted, {released} new customers rejected"
    if returned:
        audit_service.record(db, SYSTEM, "lead.expired", detail=f"{returned} leads")
    audit_service.record(db, SYSTEM, "leads.batch", detail=detail)
    return JobResult(returned + converted, detail, None)
