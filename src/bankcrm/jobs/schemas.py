"""Pydantic shapes of batch jobs and their run records (times UTC)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bankcrm.kit.i18n import N_
from bankcrm.models.job import JobOutcome, JobTrigger

OUTCOMES = tuple(JobOutcome)
TRIGGERS = tuple(JobTrigger)
# What the operations page shows for each: a label (msgid) and the badge's colour.
OUTCOME_LABELS = {
    JobOutcome.OK: (N_("Succeeded"), "bg-success-lt"),
    JobOutcome.FAILED: (N_("Failed"), "bg-danger-lt"),
    JobOutcome.SKIPPED: (N_("Skipped"), "bg-warning-lt"),
    JobOutcome.QUEUED: (N_("Queued"), "bg-info-lt"),
    JobOutcome.RUNNING: (N_("Running"), "bg-azure-lt"),
}
TRIGGER_LABELS = {
    JobTrigger.USER: N_("A user"),
    JobTrigger.NIGHTLY: N_("Nightly batch"),
    JobTrigger.CLI: N_("Command line"),
}


class JobInfo(BaseModel):
    """A registered step."""

    code: str
    label: str
    after: list[str]
    nightly: bool


class JobRunRead(BaseModel):
    """One run record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    job_code: str
    outcome: str
    trigger: str
    triggered_by: int | None
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    rows: int | None
    seconds: float | None
    detail: str | None
    error: str | None


class JobRunPage(BaseModel):
    """A page of run records, newest first."""

    items: list[JobRunRead]
    total: int
    page: int
    size: int
