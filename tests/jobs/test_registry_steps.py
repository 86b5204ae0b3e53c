"""The registered steps run by the runner on real data: figures, maturity tasks, households, duplicates, groups."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.config import Settings
from bankcrm.jobs.service import runs
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.job import JobRun
from bankcrm.models.task import Task
from tests.holdings.helpers import DAY, account, load, make_customer, write_file

CIF = "90000000011"


def test_the_nightly_steps_compute_figures_then_raise_the_maturity_task_once(
    db: Session, connection: Connection, settings: Settings, tmp_path: Path
) -> None:
    # Given am1's customer with a 50,000.00 time deposit maturing in 5 days, loaded from core banking
    today = today_in(settings.timezone)
    make_customer(db, CIF)
    deposit = account(
        "6222000000000002",
        CIF,
        product_code="TD-1Y",
        balance="50000.00",
        maturity_date=(today + timedelta(days=5)).isoformat(),
        auto_renew="N",
    )
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", [deposit]), "accounts")
    db.commit()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    # When the nightly batch runs twice
    first = runs.run_nightly(factory, settings, options={"full": False})
    second = runs.run_nightly(factory, settings)
    # Then the first computed the customer's figures and raised one task; the second had nothing to do
    assert [(s.job.code, s.outcome) for s in first] == [
        ("figures", "ok"),
        ("maturity-tasks", "ok"),
        ("households", "ok"),
        ("match", "ok"),
        ("groups", "ok"),
        ("snapshot", "ok"),
        ("lifecycle", "ok"),
        ("churn", "ok"),
        ("warnings", "ok"),
        ("tags", "ok"),
        ("segments", "ok"),
        ("contribution", "ok"),
        ("data-quality", "ok"),
        ("opportunity-wins", "ok"),
        ("leads", "ok"),
        ("deliver-outbox", "ok"),
    ]
    db.expire_all()
    records = db.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.job_code, r.trigger, r.rows, r.detail) for r in records[:2] + records[len(first) : len(first) + 2]] == [
        ("figures", "nightly", 1, f"figures as of {DAY.isoformat()} for 1 customers (incremental)"),
        ("maturity-tasks", "nightly", 1, "maturity tasks: 1 created, 0 escalated"),
        ("figures", "nightly", 0, f"figures as of {DAY.isoformat()} for 0 customers (incremental)"),
        ("maturity-tasks", "nightly", 0, "maturity tasks: 0 created, 0 escalated"),
    ]
    assert [s.outcome for s in second] == ["ok"] * len(first)
    assert [t.window_days for t in db.scalars(select(Task))] == [7]
    # And each figures and tasks run is audited as the system
    audited = db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("holdings.%")).order_by(AuditEvent.seq)
    ).all()
    assert audited == ["holdings.figures", "holdings.maturity_tasks"] * 2
