"""The registry's steps for callers: run them from the CLI, queue one from a request, read the run records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bankcrm import modules
from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.config import Settings
from bankcrm.jobs import repository
from bankcrm.jobs.schemas import JobInfo, JobRunPage, JobRunRead
from bankcrm.jobs.service import runner
from bankcrm.jobs.service.order import find, ordered
from bankcrm.kit.module import Job
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.job import JobOutcome, JobRun, JobTrigger


def registered() -> list[Job]:
    """Every registered step in dependency order (an unknown ``after`` or a cycle raises)."""
    return ordered(modules.jobs())


def job(code: str) -> Job:
    """One registered step by code (UnknownJob lists the known ones)."""
    return find(modules.jobs(), code)


def infos(locale: str) -> list[JobInfo]:
    """The registered steps, labelled in the reader's language."""
    return [
        JobInfo(
            code=j.code, label=j.label_zh if locale == "zh_CN" else j.label_en, after=list(j.after), nightly=j.nightly
        )
        for j in registered()
    ]


def run_nightly(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    options: dict[str, Any] | None = None,
    on_step: Callable[[runner.StepOutcome], None] | None = None,
) -> list[runner.StepOutcome]:
    """Every nightly step in dependency order."""
    steps = [j for j in registered() if j.nightly]
    return runner.run(
        factory, settings, steps, trigger=JobTrigger.NIGHTLY, resolve=modules.resolve, options=options, on_step=on_step
    )


def run_steps(
    factory: sessionmaker[Session],
    settings: Settings,
    codes: list[str],
    *,
    trigger: str = JobTrigger.CLI,
    options: dict[str, Any] | None = None,
    on_step: Callable[[runner.StepOutcome], None] | None = None,
) -> list[runner.StepOutcome]:
    """These steps (each named one must exist), in the registry's order."""
    wanted = {job(code).code for code in codes}
    steps = [j for j in registered() if j.code in wanted]
    return runner.run(
        factory, settings, steps, trigger=trigger, resolve=modules.resolve, options=options, on_step=on_step
    )


def queued_codes(db: Session) -> list[str]:
    """The steps a request is waiting for."""
    return repository.queued_codes(db)


def queue(db: Session, principal: Principal, code: str) -> JobRunRead:
    """Ask for a step to run after this request (a queued run record); one waiting request per step."""
    job(code)
    row = repository.queued(db, code)
    if row is None:
        row = repository.add(
            db,
            JobRun(
                job_code=code,
                outcome=JobOutcome.QUEUED,
                trigger=JobTrigger.USER,
                triggered_by=principal.user_id,
                queued_at=utcnow(),
            ),
        )
        audit_service.record(
            db, Actor.of(principal), "job.queued", entity_type="job_run", entity_id=row.id, detail=code
        )
    return JobRunRead.model_validate(row)


def list_runs(db: Session, request: PageRequest, job_code: str | None = None) -> JobRunPage:
    """Run records newest first."""
    rows, total = repository.page(db, request, job_code)
    return JobRunPage(
        items=[JobRunRead.model_validate(r) for r in rows], total=total, page=request.page, size=request.size
    )
