"""Batch entry points: load one file, or re-run a delivery's rejected rows, then write the reject file and summary."""

from __future__ import annotations

from pathlib import Path

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.ingest.service.outputs import write_outputs, write_refused
from bankcrm.ingest.service.rerun import rerun, rerun_target
from bankcrm.ingest.service.run import IngestRequest, IngestResult, Limits, Progress, Refused, ingest_file


def limits(settings: Settings) -> Limits:
    """The reader's and the reject store's limits from the settings."""
    return Limits(settings.ingest_max_line_bytes, settings.ingest_reject_max_chars)


def run_ingest(settings: Settings, req: IngestRequest, progress: Progress | None = None) -> tuple[IngestResult, Path]:
    """Load the file (commit), then write FILE.rejects.csv and FILE.summary.json; returns the result and summary.

    A file refused as a whole loads nothing; its summary says why (and the error is raised again).
    """
    engine = make_engine(settings.database_url)
    try:
        try:
            with session_scope(make_sessionmaker(engine)) as db:
                result = ingest_file(
                    db,
                    settings.field_cipher(),
                    SYSTEM,
                    req,
                    timezone=settings.timezone,
                    progress=progress,
                    undo_days=settings.ingest_undo_days,
                    limits=limits(settings),
                )
        except Refused as exc:
            write_refused(req.path, req.source, req.file_type, req.business_date, exc)
            raise
        # After the commit: if this process dies here, running again finds the file loaded and rewrites these.
        with session_scope(make_sessionmaker(engine)) as db:
            _, summary = write_outputs(db, result, req.path, req.encoding)
    finally:
        engine.dispose()
    return result, summary


def rerun_ingest(settings: Settings, req: IngestRequest) -> tuple[IngestResult, Path]:
    """Re-run the rejected rows of the delivery this same file was loaded as (commit); then rewrite its outputs."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            run_id = rerun_target(db, req, settings.timezone)
            result = rerun(
                db, settings.field_cipher(), SYSTEM, run_id, timezone=settings.timezone, limits=limits(settings)
            )
        with session_scope(make_sessionmaker(engine)) as db:
            _, summary = write_outputs(db, result, req.path, req.encoding)
    finally:
        engine.dispose()
    return result, summary
