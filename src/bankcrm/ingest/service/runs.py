"""Reading ingest runs for the web list and the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.ingest import repository
from bankcrm.ingest.schemas import IngestRunPage, IngestRunRead
from bankcrm.kit.pagination import PageRequest


def list_runs(db: Session, page: PageRequest) -> IngestRunPage:
    """Runs, newest first, with their counts."""
    result = repository.runs(db, page)
    items = [
        IngestRunRead(
            id=run.id,
            source=batch.source,
            file_type=batch.file_type,
            business_date=batch.business_date,
            file_name=run.file_name,
            checksum=run.checksum,
            encoding=run.encoding,
            replaced=run.replaced,
            rows_in=run.rows_in,
            rows_loaded=run.rows_loaded,
            rows_rejected=run.rows_rejected,
            actor=run.actor,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )
        for run, batch in result.items
    ]
    return IngestRunPage(items=items, total=result.total, page=result.page, size=result.size)
