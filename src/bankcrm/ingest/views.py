"""HTML pages: the list of ingest runs and the download of a run's rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import Db, EntityId, csrf_protect, require_web
from bankcrm.access.principal import Principal
from bankcrm.ingest.service import outputs, runs
from bankcrm.kit.pagination import MAX_PAGE, Page, PageRequest
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Reader = Annotated[Principal, Depends(require_web("ingest.read"))]
PAGE_SIZE = 25


@router.get("/ingest/runs", response_class=HTMLResponse)
def runs_page(
    request: Request, db: Db, principal: Reader, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> Response:
    """Completed loads, newest first, with rows in, loaded and rejected."""
    result = runs.list_runs(db, PageRequest(page, PAGE_SIZE))
    paged = Page(items=result.items, total=result.total, page=result.page, size=result.size)
    return render(request, "ingest/runs.html", {"result": paged, "params": {}})


@router.get("/ingest/runs/{run_id}/rejects.csv")
def run_rejects(db: Db, principal: Reader, run_id: EntityId) -> Response:
    """The run's rejected rows as a CSV attachment: line, field, reason (English and Chinese), the row."""
    run, body = outputs.run_rejects_csv(db, run_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ingest-run-{run.id}-rejects.csv"'},
    )
