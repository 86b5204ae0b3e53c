"""JSON API over batch jobs: the registered steps, their run records, and queueing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from bankcrm.access.deps import ApiJobReader as Reader
from bankcrm.access.deps import ApiJobRunner as Runner
from bankcrm.access.deps import Db
from bankcrm.errors import NotFound
from bankcrm.jobs.schemas import JobInfo, JobRunPage, JobRunRead
from bankcrm.jobs.service import runs
from bankcrm.jobs.service.order import UnknownJob
from bankcrm.kit.i18n import N_
from bankcrm.kit.pagination import MAX_PAGE, PageRequest
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["jobs"])
NO_JOB = N_("No batch job has this code.")


@router.get("/jobs", response_model=list[JobInfo])
def list_jobs(request: Request, caller: Reader) -> list[JobInfo]:
    """The registered steps in the order the nightly batch runs them."""
    return runs.infos(locale_of(request))


@router.get("/jobs/runs", response_model=JobRunPage)
def list_runs(
    db: Db,
    caller: Reader,
    job: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JobRunPage:
    """Run records newest first (queued, ok, failed, skipped), optionally of one step."""
    return runs.list_runs(db, PageRequest(page, size), job)


@router.post("/jobs/{code}/queue", response_model=JobRunRead, status_code=status.HTTP_202_ACCEPTED)
def queue_job(db: Db, caller: Runner, code: str) -> JobRunRead:
    """Queue a step: it runs with the next ``bankcrm batch queued``, ``batch run CODE`` or nightly batch."""
    try:
        return runs.queue(db, caller, code)
    except UnknownJob:
        raise NotFound(NO_JOB) from None
