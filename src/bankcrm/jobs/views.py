"""The batch jobs operations page: the registered steps, their runs newest first, and queueing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import Db, csrf_protect
from bankcrm.access.deps import JobReader as Reader
from bankcrm.access.deps import JobRunner as Runner
from bankcrm.errors import NotFound
from bankcrm.jobs.schemas import OUTCOME_LABELS, TRIGGER_LABELS
from bankcrm.jobs.service import runs
from bankcrm.jobs.service.order import UnknownJob
from bankcrm.kit.i18n import N_
from bankcrm.kit.pagination import MAX_PAGE, Page, PageRequest
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
NO_JOB = N_("No batch job has this code.")


@router.get("/admin/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    db: Db,
    principal: Reader,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    queued: str | None = None,
) -> Response:
    """The steps in nightly order, what is queued, and every run newest first."""
    result = runs.list_runs(db, PageRequest(page, 50))
    jobs = runs.infos(locale_of(request))
    context = {
        "jobs": jobs,
        "labels": {j.code: j.label for j in jobs},
        "outcome_labels": OUTCOME_LABELS,
        "trigger_labels": TRIGGER_LABELS,
        "waiting": set(runs.queued_codes(db)),
        "result": Page(result.items, result.total, result.page, result.size),
        "queued": queued if queued in {j.code for j in jobs} else None,
    }
    return render(request, "jobs/list.html", context)


@router.post("/admin/jobs/{code}/queue")
def jobs_queue(db: Db, principal: Runner, code: str) -> Response:
    """Queue a step; back to the page, which says it waits for the batch."""
    try:
        runs.queue(db, principal, code)
    except UnknownJob:
        raise NotFound(NO_JOB) from None
    return RedirectResponse(f"/admin/jobs?queued={code}", status_code=303)
