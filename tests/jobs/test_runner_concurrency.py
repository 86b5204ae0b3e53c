"""Two runners starting one queued step at the same moment, with real threads and committed data: one takes it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bankcrm import modules
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.jobs.service import runner
from bankcrm.kit.module import Job
from bankcrm.kit.time import utcnow
from bankcrm.models.job import JobRun, OutboxMessage
from tests.conftest import PG_URL, live_database
from tests.factories import make_user

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
STEP = Job("for-whom", "For whom", "为谁", "tests.jobs.steps:for_whom_step")


@pytest.fixture(scope="module", params=BACKENDS)
def live_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own whose writes really commit."""
    yield from live_database(request, tmp_path_factory, "runner")


def test_two_runners_starting_at_once_take_a_queued_request_once(live_url: str) -> None:
    # given an operations user's request for the step, waiting for the batch
    engine = make_engine(live_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(factory) as db:
        user_id = make_user(db, "ops-runner", "BJ", "operations_manager").id
        db.add(JobRun(job_code=STEP.code, outcome="queued", trigger="user", triggered_by=user_id, queued_at=utcnow()))
    # and a resolver that holds each runner until both have started the step (past any claim, before its work)
    both_started = threading.Barrier(2, timeout=30)

    def resolve(entry: str) -> Callable[..., Any]:
        both_started.wait()
        return modules.resolve(entry)

    # when two runners run the step at the same moment
    def run(_: int) -> str:
        (outcome,) = runner.run(
            factory, Settings(mode="test", database_url=live_url), [STEP], trigger="cli", resolve=resolve
        )
        return outcome.outcome

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, range(2)))
    # then both ran, exactly one of them for the user's request and the other on its own record
    assert outcomes == ["ok", "ok"]
    with session_scope(factory) as db:
        runs = db.scalars(select(JobRun).where(JobRun.job_code == STEP.code).order_by(JobRun.id)).all()
        assert sorted((r.trigger, r.triggered_by, r.outcome, r.detail) for r in runs) == [
            ("cli", None, "ok", "for None"),
            ("user", user_id, "ok", f"for {user_id}"),
        ]
        bodies = sorted(db.scalars(select(OutboxMessage.body)).all())
        assert bodies == sorted(["for None", f"for {user_id}"])
    engine.dispose()
