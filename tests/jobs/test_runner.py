"""The runner: steps in dependency order, each in its own transaction, every run recorded; failures skip dependents."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm import modules
from bankcrm.config import Settings
from bankcrm.jobs.service import runner, runs
from bankcrm.jobs.service.order import JobCycle, UnknownJob, ordered
from bankcrm.kit.module import Job
from bankcrm.models.job import JobRun, OutboxMessage


def step(code: str, *after: str, entry: str = "tests.jobs.steps:write_step") -> Job:
    return Job(code, code.upper(), code, entry, after=after)


def factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def test_steps_follow_the_steps_they_name_otherwise_their_declared_order() -> None:
    # Given c after b, b after a, declared c, d, b, a
    declared = [step("c", "b"), step("d"), step("b", "a"), step("a")]
    # Then a comes before b before c, and d keeps its place among the rest
    assert [j.code for j in ordered(declared)] == ["a", "b", "c", "d"]


def test_a_cycle_or_an_unknown_step_is_a_clear_error() -> None:
    with pytest.raises(JobCycle) as cycle:
        ordered([step("x", "y"), step("y", "z"), step("z", "x")])
    assert str(cycle.value) == "jobs wait for each other in a cycle: x -> y -> z -> x"
    with pytest.raises(UnknownJob) as unknown:
        ordered([step("x", "nope"), step("a")])
    assert str(unknown.value) == "unknown job 'nope' (named in the 'after' of x); known jobs: a, x"


def test_the_registry_orders_the_nightly_steps() -> None:
    assert [(j.code, j.after) for j in runs.registered()] == [
        ("figures", ()),
        ("maturity-tasks", ("figures",)),
        ("households", ("figures",)),
        ("match", ()),
        ("groups", ("figures",)),
        ("snapshot", ("figures",)),
        ("lifecycle", ("snapshot",)),
        ("churn", ("snapshot",)),
        ("warnings", ("snapshot", "lifecycle", "churn")),
        ("tags", ("figures",)),
        ("segments", ("snapshot", "tags")),
        ("contribution", ("figures",)),
        ("data-quality", ()),
        ("opportunity-wins", ("figures",)),
        ("leads", ()),
        ("deliver-outbox", ()),
    ]


def test_a_failed_step_is_rolled_back_and_recorded_its_dependents_skipped_the_others_run(
    db: Session, connection: Connection, settings: Settings
) -> None:
    # Given a writes, b fails after writing, c waits for b, d waits for c, e waits for a only
    plan = [
        step("d", "c"),
        step("c", "b"),
        step("b", entry="tests.jobs.steps:fail_step"),
        step("a"),
        step("e", "a"),
    ]
    # When the runner runs them for the nightly batch with an option every step is given
    seen: list[str] = []
    outcomes = runner.run(
        factory(connection),
        settings,
        plan,
        trigger="nightly",
        resolve=modules.resolve,
        options={"label": "night"},
        on_step=lambda s: seen.append(f"{s.job.code}:{s.outcome}"),
    )
    # Then b failed, c and d were skipped, a and e ran; in dependency order, reported as each ended
    assert seen == ["b:failed", "c:skipped", "d:skipped", "a:ok", "e:ok"]
    assert [o.run_id for o in outcomes] == sorted(o.run_id for o in outcomes)
    # And only a's and e's writes are kept (b's was rolled back with it)
    bodies = db.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert bodies == ["written (night)", "written (night)"]
    # And each step has its run record
    db.expire_all()
    records = db.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.job_code, r.outcome, r.trigger, r.triggered_by, r.rows, r.detail, r.error) for r in records] == [
        ("b", "failed", "nightly", None, None, None, "RuntimeError: disk full"),
        ("c", "skipped", "nightly", None, None, None, "not run: b did not succeed"),
        ("d", "skipped", "nightly", None, None, None, "not run: c did not succeed"),
        ("a", "ok", "nightly", None, 1, "wrote 1 (night)", None),
        ("e", "ok", "nightly", None, 1, "wrote 1 (night)", None),
    ]
    ran = [r for r in records if r.outcome != "skipped"]
    assert all(r.started_at is not None and r.finished_at is not None and r.started_at <= r.finished_at for r in ran)
    assert all(r.seconds is not None and r.seconds >= 0 for r in ran)
    skipped = [r for r in records if r.outcome == "skipped"]
    assert [(r.started_at, r.finished_at, r.seconds) for r in skipped] == [(None, None, None), (None, None, None)]


def test_running_some_steps_ignores_waits_on_steps_not_run(
    db: Session, connection: Connection, settings: Settings
) -> None:
    # Given c waits for b, and only c is run
    outcomes = runner.run(factory(connection), settings, [step("c", "b")], trigger="cli", resolve=modules.resolve)
    # Then c runs (as ``bankcrm batch run c`` would)
    assert [(o.job.code, o.outcome) for o in outcomes] == [("c", "ok")]
    assert db.scalars(select(JobRun.trigger)).all() == ["cli"]
