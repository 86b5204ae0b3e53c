"""Duplicates on file: the nightly ``match`` step and ``bankcrm match run`` (docs/matching.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.jobs import JobResult
from bankcrm.matching.service import duplicates


def match_job(db: Session, settings: Settings, *, full: bool = False, **_: Any) -> JobResult:
    """The registry's ``match`` step: customers changed since the last run (all with ``full``) against all."""
    report = duplicates.run(db, settings.field_cipher(), lower=settings.match_lower, full=full)
    detail = (
        f"{sum(report.compared.values())} customers compared, {report.opened} reviews opened "
        f"({report.skipped_distinct} pairs decided different, {report.skipped_standing} already under review)"
    )
    return JobResult(report.opened, detail, report)
