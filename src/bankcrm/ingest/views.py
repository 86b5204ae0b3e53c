"""HTML pages: ingest runs, a run's page with its rejected rows (masked) and re-run button, the downloads."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, Cipher, Db, EntityId, csrf_protect
from bankcrm.access.deps import IngestReader as Reader
from bankcrm.access.deps import IngestRerunner as Rerunner
from bankcrm.access.deps import RejectUnmasker as Unmasker
from bankcrm.access.principal import Actor
from bankcrm.ingest.schemas import INGEST_RUN_LIST
from bankcrm.ingest.service import outputs, runs
from bankcrm.ingest.service.rerun import rerun
from bankcrm.ingest.service.run import Limits
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.web import lists
from bankcrm.web.export import MEDIA
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Format = Literal["csv", "xlsx"]
RUNS = INGEST_RUN_LIST


def _download(run_id: int, fmt: str, body: bytes, suffix: str) -> Response:
    name = f"ingest-run-{run_id}-{suffix}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/ingest/runs", response_class=HTMLResponse)
def runs_page(request: Request, db: Db, principal: Reader) -> Response:
    """Completed loads, newest first unless a column header is clicked, with rows in, loaded and rejected."""
    lq = lists.read(request, RUNS)
    result = runs.list_runs(db, lq.page, lq.sort)
    paged = Page(items=result.items, total=result.total, page=result.page, size=result.size)
    return render(request, "ingest/runs.html", {"result": paged, "params": lq.params(), "lq": lq})


@router.get("/ingest/runs/export.{fmt}")
def runs_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The runs in the list's order as CSV or XLSX; audited."""
    lq = lists.read(request, RUNS)
    result = runs.list_runs(db, PageRequest(1, RUNS.export_limit), lq.sort)
    return lists.export(request, db, principal, RUNS, fmt, result.items, detail=f"sort={lq.sort.param}")


@router.get("/ingest/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, db: Db, principal: Reader, run_id: EntityId, saved: str | None = None) -> Response:
    """One run: its counts, where it stands in its delivery, its first rejected rows (masked), re-run."""
    detail = runs.run_detail(db, run_id)
    return render(request, "ingest/run.html", {"d": detail, "shown_max": runs.SHOWN_REJECTS, "saved": saved})


@router.get("/ingest/runs/{run_id}/rejects.{fmt}")
def run_rejects(db: Db, principal: Reader, run_id: EntityId, fmt: Format) -> Response:
    """The run's rejected rows, masked, as a CSV or XLSX attachment: line, field, reason (en, zh), the row."""
    run, body = outputs.run_rejects(db, run_id, fmt)
    return _download(run.id, fmt, body, "rejects")


@router.get("/ingest/runs/{run_id}/rejects-delivered.{fmt}")
def run_rejects_delivered(db: Db, cipher: Cipher, principal: Unmasker, run_id: EntityId, fmt: Format) -> Response:
    """The run's rejected rows as delivered (unmasked); needs ``ingest.rejects.unmask``; audited."""
    run, body = outputs.run_rejects_delivered(db, cipher, principal, run_id, fmt)
    return _download(run.id, fmt, body, "rejects-delivered")


@router.post("/ingest/runs/{run_id}/rerun")
def rerun_run(db: Db, cipher: Cipher, settings: AppSettings, principal: Rerunner, run_id: EntityId) -> Response:
    """Re-run the run's rejected rows; then the new run's page (or the earlier re-run's, asked twice)."""
    result = rerun(
        db,
        cipher,
        Actor.of(principal),
        run_id,
        timezone=settings.timezone,
        limits=Limits(settings.ingest_max_line_bytes, settings.ingest_reject_max_chars),
    )
    saved = "unchanged" if result.unchanged else "rerun"
    return RedirectResponse(f"/ingest/runs/{result.run.id}?saved={saved}", status_code=303)
