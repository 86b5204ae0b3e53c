"""JSON API: ingest runs, their rejected rows (masked; as delivered with a permission) and re-runs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bankcrm.access.deps import ApiIngestReader as Reader
from bankcrm.access.deps import ApiIngestRerunner as Rerunner
from bankcrm.access.deps import ApiRejectUnmasker as Unmasker
from bankcrm.access.deps import AppSettings, Cipher, Db, EntityId
from bankcrm.access.principal import Actor
from bankcrm.ingest.schemas import INGEST_RUN_LIST, IngestRerunRead, IngestRunPage, IngestRunRead
from bankcrm.ingest.service import outputs, runs
from bankcrm.ingest.service.rerun import rerun
from bankcrm.ingest.service.run import Limits
from bankcrm.kit.pagination import MAX_PAGE
from bankcrm.web import lists
from bankcrm.web.export import MEDIA

router = APIRouter(tags=["ingest"])
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format")]


def _download(run_id: int, fmt: str, body: bytes, suffix: str) -> Response:
    name = f"ingest-run-{run_id}-{suffix}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/ingest/runs", response_model=IngestRunPage)
def list_runs(
    db: Db,
    caller: Reader,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=200, description="Any column key, '-' descending; ties by id")] = None,
) -> IngestRunPage:
    """Completed loads, newest first unless ``sort`` says otherwise, with rows in, loaded and rejected."""
    return runs.list_runs(db, lists.page_of(INGEST_RUN_LIST, page, size), lists.sort_of(INGEST_RUN_LIST, sort))


@router.get("/ingest/runs/{run_id}", response_model=IngestRunRead)
def get_run(db: Db, caller: Reader, run_id: EntityId) -> IngestRunRead:
    """One completed load with its counts, and the run it re-ran (if it is a re-run)."""
    return runs.get_run(db, run_id)


@router.get("/ingest/runs/{run_id}/rejects", response_class=Response)
def run_rejects(db: Db, caller: Reader, run_id: EntityId, fmt: Format = "csv") -> Response:
    """The run's rejected rows, masked (C2 values of every customer): line, field, reason (en, zh), the row."""
    run, body = outputs.run_rejects(db, run_id, fmt)
    return _download(run.id, fmt, body, "rejects")


@router.get("/ingest/runs/{run_id}/rejects/delivered", response_class=Response)
def run_rejects_delivered(db: Db, cipher: Cipher, caller: Unmasker, run_id: EntityId, fmt: Format = "csv") -> Response:
    """The run's rejected rows as delivered, unmasked; needs ``ingest.rejects.unmask``; audited."""
    run, body = outputs.run_rejects_delivered(db, cipher, caller, run_id, fmt)
    return _download(run.id, fmt, body, "rejects-delivered")


@router.post("/ingest/runs/{run_id}/rerun", response_model=IngestRerunRead)
def rerun_run(db: Db, cipher: Cipher, settings: AppSettings, caller: Rerunner, run_id: EntityId) -> IngestRerunRead:
    """Re-run the run's rejected rows as a new run of the same delivery; asked again, answers that run."""
    result = rerun(
        db,
        cipher,
        Actor.of(caller),
        run_id,
        timezone=settings.timezone,
        limits=Limits(settings.ingest_max_line_bytes, settings.ingest_reject_max_chars),
    )
    return IngestRerunRead(run=runs.read_run(result.run, result.batch), unchanged=result.unchanged)
