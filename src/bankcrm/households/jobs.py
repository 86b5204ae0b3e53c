"""Deriving every household: run by the nightly batch and on demand (``bankcrm batch households``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.households.schemas import DeriveReport
from bankcrm.households.service import derive
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in


def derive_households(db: Session, settings: Settings) -> DeriveReport:
    """Households from today's family links and the manual overrides; one audit event for the run."""
    report = derive.derive(db, today=today_in(settings.timezone))
    audit_service.record(
        db,
        SYSTEM,
        "household.derived",
        detail=(
            f"{report.households} households with {report.members} members; "
            f"{report.created} created, {report.dissolved} dissolved"
        ),
    )
    return report


def households_job(db: Session, settings: Settings, **_: Any) -> JobResult:
    """The registry's ``households`` step: every household derived again; rows are the members placed."""
    report = derive_households(db, settings)
    detail = (
        f"{report.households} households with {report.members} members "
        f"({report.created} created, {report.dissolved} dissolved)"
    )
    return JobResult(report.members, detail, report)
