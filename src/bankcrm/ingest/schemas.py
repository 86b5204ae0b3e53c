"""Pydantic shapes of ingest runs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class IngestRunRead(BaseModel):
    """One completed load of a file."""

    id: int
    source: str
    file_type: str
    business_date: date
    file_name: str
    checksum: str
    encoding: str
    replaced: bool
    rerun_of: int | None = None  # a re-run of that run's rejected rows
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    actor: str
    started_at: datetime
    finished_at: datetime


class IngestRunPage(BaseModel):
    """One page of runs, newest first."""

    items: list[IngestRunRead]
    total: int
    page: int
    size: int


class IngestRerunRead(BaseModel):
    """What a re-run did: the new run, or (``unchanged``) the re-run an earlier identical request made."""

    run: IngestRunRead
    unchanged: bool
