"""Batch entry point: derive corporate groups and guarantee circles from today's links (nightly)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.time import today_in
from bankcrm.relationships.schemas import DeriveReport
from bankcrm.relationships.service import derivation


def nightly(db: Session, settings: Settings, *, requested_by: int | None = None) -> DeriveReport:
    """Derive as the system; proposals wait for a risk manager, circles are current at once."""
    return derivation.derive(
        db,
        SYSTEM_PRINCIPAL,
        today=today_in(settings.timezone),
        threshold_bp=settings.group_control_share_bp,
        requested_by=requested_by,
    )


def groups_job(db: Session, settings: Settings, *, requested_by: int | None = None, **_: Any) -> JobResult:
    """The registry's ``groups`` step: corporate groups and guarantee circles; rows are the groups and circles."""
    report = nightly(db, settings, requested_by=requested_by)
    detail = (
        f"{report.groups} corporate groups ({report.proposed} proposed for review); "
        f"{report.circles} guarantee circles ({report.circles_new} new, {report.circles_ended} ended)"
    )
    return JobResult(report.groups + report.circles, detail, report)
