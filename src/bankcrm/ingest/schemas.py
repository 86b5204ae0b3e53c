"""Pydantic shapes of ingest runs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, ListSpec, Page


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


class IngestRunPage(Page[IngestRunRead]):
    """One page of runs, newest first unless sorted otherwise."""


# Runs name files and counts only: nothing to mask.
INGEST_RUN_LIST = ListSpec(
    name="ingest-runs",
    columns=(
        Column("id", N_("Run")),
        Column("source", N_("Source")),
        Column("file_type", N_("File type")),
        Column("business_date", N_("Business date")),
        Column("file_name", N_("File name")),
        Column("replaced", N_("Replaced earlier delivery")),
        Column("rows_in", N_("Rows in")),
        Column("rows_loaded", N_("Loaded")),
        Column("rows_rejected", N_("Rejected")),
        Column("actor", N_("By")),
        Column("finished_at", N_("Finished")),
    ),
    default_sort="-id",
    tie_breaker="id",
    export=(
        ExportColumn(N_("Run"), lambda r: r.id),
        ExportColumn(N_("Source"), lambda r: r.source),
        ExportColumn(N_("File type"), lambda r: r.file_type),
        ExportColumn(N_("Business date"), lambda r: r.business_date.isoformat()),
        ExportColumn(N_("File name"), lambda r: r.file_name),
        ExportColumn(N_("Replaced earlier delivery"), lambda r: "yes" if r.replaced else "no"),
        ExportColumn(N_("Rows in"), lambda r: r.rows_in),
        ExportColumn(N_("Loaded"), lambda r: r.rows_loaded),
        ExportColumn(N_("Rejected"), lambda r: r.rows_rejected),
        ExportColumn(N_("By"), lambda r: r.actor),
        ExportColumn(N_("Finished"), lambda r: r.finished_at),
    ),
    audit_event="ingest.runs.export",
)


class IngestRerunRead(BaseModel):
    """What a re-run did: the new run, or (``unchanged``) the re-run an earlier identical request made."""

    run: IngestRunRead
    unchanged: bool
