"""Batch entry point: load one file in its own transaction, then write the reject file and summary."""

from __future__ import annotations

from pathlib import Path

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.ingest.service.outputs import write_outputs
from bankcrm.ingest.service.run import IngestRequest, IngestResult, Progress, ingest_file


def run_ingest(settings: Settings, req: IngestRequest, progress: Progress | None = None) -> tuple[IngestResult, Path]:
    """Load the file (commit), then write FILE.rejects.csv and FILE.summary.json; returns the result and summary."""
    engine = make_engine(settings.database_url)
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
            )
        # After the commit: if this process dies here, running again finds the file loaded and rewrites these.
        with session_scope(make_sessionmaker(engine)) as db:
            _, summary = write_outputs(db, result, req.path, req.encoding)
    finally:
        engine.dispose()
    return result, summary
