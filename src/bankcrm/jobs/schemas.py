"""Pydantic shapes of batch jobs and their run records (times UTC)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

OUTCOMES = ("queued", "ok", "failed", "skipped")
TRIGGERS = ("user", "cli", "nightly")


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
