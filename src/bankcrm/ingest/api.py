"""JSON API: ingest runs and their reject files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from bankcrm.access.deps import Db, EntityId, require_api
from bankcrm.access.principal import Principal
from bankcrm.ingest.schemas import IngestRunPage
from bankcrm.ingest.service import outputs, runs
from bankcrm.kit.pagination import MAX_PAGE, PageRequest

router = APIRouter(tags=["ingest"])
Reader = Annotated[Principal, Depends(require_api("ingest.read"))]


@router.get("/ingest/runs", response_model=IngestRunPage)
def list_runs(
    db: Db,
    caller: Reader,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> IngestRunPage:
    """Completed loads, newest first, with rows in, loaded and rejected."""
    return runs.list_runs(db, PageRequest(page, size))


@router.get("/ingest/runs/{run_id}/rejects", response_class=Response)
def run_rejects(db: Db, caller: Reader, run_id: EntityId) -> Response:
    """The run's rejected rows as CSV: line, field, reason (English and Chinese), the row as delivered."""
    run, body = outputs.run_rejects_csv(db, run_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ingest-run-{run.id}-rejects.csv"'},
    )
