"""Run steps in dependency order, each in its own transaction, and record every step's run.

The runner is the transaction boundary: a step that fails is rolled back alone and recorded as
failed; the steps that wait for it (directly or not) are recorded as skipped; independent steps
still run. A step a request queued is taken by the next run of that step, and by that run only: the run claims the
request (marks it running) before the step starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bankcrm.config import Settings
from bankcrm.db import session_scope
from bankcrm.jobs import repository
from bankcrm.jobs.service.order import ordered
from bankcrm.kit.jobs import JobResult
from bankcrm.kit.module import Job
from bankcrm.kit.time import utcnow
from bankcrm.models.job import JobOutcome, JobRun

Resolve = Callable[[str], Any]
MAX_ERROR = 4000  # characters of a failed step's error kept in its run record


@dataclass(frozen=True)
class StepOutcome:
    """What happened to one step in a run."""

    job: Job
    outcome: str  # ok | failed | skipped
    run_id: int
    result: JobResult | None = None
    error: str | None = None


def run(
    factory: sessionmaker[Session],
    settings: Settings,
    jobs: Sequence[Job],
    *,
    trigger: str,
    resolve: Resolve,
    options: dict[str, Any] | None = None,
    on_step: Callable[[StepOutcome], None] | None = None,
) -> list[StepOutcome]:
    """Run these steps (dependencies among them respected; ``after`` outside them is ignored)."""
    selected = {j.code for j in jobs}
    plan = ordered([j if set(j.after) <= selected else _within(j, selected) for j in jobs])
    outcomes: dict[str, StepOutcome] = {}
    for job in plan:
        blocked = [name for name in job.after if outcomes[name].outcome != JobOutcome.OK]
        if blocked:
            error = f"not run: {', '.join(blocked)} did not succeed"
            step = StepOutcome(job, JobOutcome.SKIPPED, _skip(factory, job, trigger, error), error=error)
        else:
            step = _run_one(factory, settings, job, trigger, resolve, options or {})
        outcomes[job.code] = step
        if on_step is not None:
            on_step(step)
    return list(outcomes.values())


def _within(job: Job, selected: set[str]) -> Job:
    """The step waiting only for the selected steps it names."""
    return Job(
        job.code, job.label_en, job.label_zh, job.entry, tuple(a for a in job.after if a in selected), job.nightly
    )


def _run_one(
    factory: sessionmaker[Session],
    settings: Settings,
    job: Job,
    trigger: str,
    resolve: Resolve,
    options: dict[str, Any],
) -> StepOutcome:
    started = utcnow()
    run_id, requested_by = _open(factory, job, trigger, JobOutcome.RUNNING, started)
    if requested_by is not None:
        # the step runs for the user who queued it: steps that name who asked (groups) get the id
        options = {**options, "requested_by": requested_by}
    clock = time.perf_counter()
    try:
        with session_scope(factory) as db:
            result: JobResult = resolve(job.entry)(db, settings, **options)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        _close(factory, run_id, JobOutcome.FAILED, seconds=time.perf_counter() - clock, error=error)
        return StepOutcome(job, JobOutcome.FAILED, run_id, error=error)
    _close(factory, run_id, JobOutcome.OK, seconds=time.perf_counter() - clock, result=result)
    return StepOutcome(job, JobOutcome.OK, run_id, result=result)


def _skip(factory: sessionmaker[Session], job: Job, trigger: str, error: str) -> int:
    """Record a step not run because a step it waits for did not succeed (its waiting request with it)."""
    run_id, _ = _open(factory, job, trigger, JobOutcome.SKIPPED, None)
    _close(factory, run_id, JobOutcome.SKIPPED, error=error)
    return run_id


def _open(
    factory: sessionmaker[Session], job: Job, trigger: str, outcome: str, started: datetime | None
) -> tuple[int, int | None]:
    """Take the step's waiting request as this run's record, or start a record, committed at once (so a second
    runner cannot take the same request, and the operations page shows the step running); its id and who asked."""
    with session_scope(factory) as db:
        row = repository.claim_queued(db, job.code, outcome, started)
        if row is None:
            row = repository.add(db, JobRun(job_code=job.code, trigger=trigger, outcome=outcome, started_at=started))
        return row.id, row.triggered_by


def _close(
    factory: sessionmaker[Session],
    run_id: int,
    outcome: str,
    *,
    seconds: float | None = None,
    result: JobResult | None = None,
    error: str | None = None,
) -> None:
    """Write how the run ended, in a transaction of its own (a failed step's rollback must not take it along)."""
    with session_scope(factory) as db:
        row = repository.get(db, run_id)
        row.outcome = outcome
        row.finished_at = utcnow() if row.started_at is not None else None
        row.seconds = round(seconds, 3) if seconds is not None else None
        row.rows = result.rows if result is not None else None
        row.detail = result.detail if result is not None else None
        row.error = error
