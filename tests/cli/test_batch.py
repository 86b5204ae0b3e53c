"""``bankcrm batch``: nightly, run, queued and list against a real SQLite file; every step recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.kit.time import today_in
from bankcrm.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "batch.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_MODE", "dev")
    monkeypatch.setenv("BANKCRM_OUTBOX_DIR", str(tmp_path / "outbox"))
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    engine.dispose()
    yield path
    get_settings.cache_clear()


def runs(path: Path) -> list[tuple[str, str, str, int | None, str | None]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT job_code, outcome, trigger, rows, error FROM job_run ORDER BY id").fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_list_names_every_step_in_nightly_order() -> None:
    listed = runner.invoke(app, ["batch", "list"])
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "figures: Customers' derived figures / 客户衍生指标 (nightly)",
        "maturity-tasks: Maturity follow-up tasks / 到期跟进任务 (nightly, after figures)",
        "households: Households from family links / 根据亲属关系识别家庭 (nightly, after figures)",
        "match: Possible duplicate customers / 识别疑似重复客户 (nightly)",
        "groups: Corporate groups and guarantee circles / 识别集团客户和担保圈 (nightly, after figures)",
        "snapshot: Monthly customer snapshot / 客户月度快照 (nightly, after figures)",
        "lifecycle: Customers' lifecycle stages / 客户生命周期阶段 (nightly, after snapshot)",
        "churn: Churn model: monthly training, scores / 流失模型：每月训练与评分 (nightly, after snapshot)",
        "warnings: Early-warning signals, warnings and escalations / 预警信号、预警与升级 "
        "(nightly, after snapshot, lifecycle, churn)",
        "tags: Rule tags recomputed / 重新计算规则标签 (nightly, after figures)",
        "segments: Segment membership refreshed / 刷新客户分群成员 (nightly, after snapshot, tags)",
        "contribution: Customers' monthly contribution / 客户月度贡献度 (nightly, after figures)",
        "data-quality: Monthly data-quality figures / 月度数据质量指标 (nightly)",
        "opportunity-wins: Opportunities won per the holdings / 根据持有产品识别赢单商机 (nightly, after figures)",
        "leads: Lead timeouts and conversions / 线索超时退回与转化 (nightly)",
        "deliver-outbox: Deliver messages to customers / 发送客户消息 (nightly)",
    ]


def test_nightly_runs_every_step_prints_the_summary_and_records_each(db_file: Path) -> None:
    # When the nightly batch runs on a bank with no holdings loaded
    result = runner.invoke(app, ["batch", "nightly"])
    # Then it succeeds with the summary lines, and every step has an ok run record from the nightly batch
    assert result.exit_code == 0, result.output
    today = today_in(get_settings().timezone)
    out = " ".join(result.output.split())
    assert f"Figures as of {today} for 0 customers; maturity tasks: 0 created, 0 escalated." in out
    assert "Households: 0 (0 created, 0 dissolved)." in out
    assert "Corporate groups: 0 (0 proposed for review); guarantee circles: 0 (0 new, 0 ended)." in out
    assert runs(db_file) == [
        ("figures", "ok", "nightly", 0, None),
        ("maturity-tasks", "ok", "nightly", 0, None),
        ("households", "ok", "nightly", 0, None),
        ("match", "ok", "nightly", 0, None),
        ("groups", "ok", "nightly", 0, None),
        ("snapshot", "ok", "nightly", 0, None),
        ("lifecycle", "ok", "nightly", 0, None),
        ("churn", "ok", "nightly", 0, None),
        ("warnings", "ok", "nightly", 0, None),
        ("tags", "ok", "nightly", 0, None),
        ("segments", "ok", "nightly", 0, None),
        ("contribution", "ok", "nightly", 0, None),
        ("data-quality", "ok", "nightly", 0, None),
        ("opportunity-wins", "ok", "nightly", 0, None),
        ("leads", "ok", "nightly", 0, None),
        ("deliver-outbox", "ok", "nightly", 0, None),
    ]
    # And a bad --as-of is refused before anything runs
    refused = runner.invoke(app, ["batch", "nightly", "--as-of", "2026-13-01"])
    assert refused.exit_code == 2 and "--as-of: not a date in the form YYYY-MM-DD: 2026-13-01" in refused.output
    assert len(runs(db_file)) == 16


def test_a_failing_step_fails_the_batch_but_the_independent_steps_still_run(db_file: Path) -> None:
    # Given the households' override table is missing (a damaged database)
    with sqlite3.connect(db_file) as conn:
        conn.execute("DROP TABLE household_override")
    # When the nightly batch runs
    result = runner.invoke(app, ["batch", "nightly"])
    # Then it exits non-zero, the households step is recorded failed with the error, the others ran
    assert result.exit_code == 1
    assert "households: failed: OperationalError" in result.output
    assert "Households:" not in result.output and "Corporate groups: 0" in " ".join(result.output.split())
    recorded = runs(db_file)
    assert [(code, outcome) for code, outcome, *_ in recorded] == [
        ("figures", "ok"),
        ("maturity-tasks", "ok"),
        ("households", "failed"),
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
    assert "no such table: household_override" in (recorded[2][4] or "")


def test_run_one_step_and_an_unknown_one(db_file: Path) -> None:
    # When one step is run, and then a step that does not exist
    one = runner.invoke(app, ["batch", "run", "groups"])
    unknown = runner.invoke(app, ["batch", "run", "nope"])
    # Then the step ran from the command line; the unknown one is refused naming the known ones
    assert one.exit_code == 0, one.output
    assert runs(db_file) == [("groups", "ok", "cli", 0, None)]
    assert unknown.exit_code == 2
    known = (
        "churn, contribution, data-quality, deliver-outbox, figures, groups, households, leads, lifecycle, match, "
        "maturity-tasks, opportunity-wins, segments, snapshot, tags, warnings"
    )
    assert f"Unknown job 'nope'. Known jobs: {known}." in " ".join(unknown.output.split())
    # And with nothing queued, ``batch queued`` says so
    queued = runner.invoke(app, ["batch", "queued"])
    assert (queued.exit_code, queued.output) == (0, "No job is queued.\n")


def test_queued_runs_what_a_request_queued_and_fills_in_its_record(db_file: Path) -> None:
    # Given a request queued the groups step (as the derive button does)
    with sqlite3.connect(db_file) as conn:
        ops = conn.execute("SELECT id FROM app_user WHERE username = 'ops'").fetchone()[0]
        conn.execute(
            "INSERT INTO job_run (job_code, outcome, trigger, triggered_by, queued_at, created_at) "
            "VALUES ('groups', 'queued', 'user', ?, '2026-12-03 01:00:00.000000', '2026-12-03 01:00:00.000000')",
            (ops,),
        )
    # When the queued steps run
    result = runner.invoke(app, ["batch", "queued"])
    # Then the request's record is the run's record
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("SELECT job_code, outcome, trigger, triggered_by, rows FROM job_run").fetchall()
    assert rows == [("groups", "ok", "user", ops, 0)]


def test_run_contribution_for_one_month_and_a_bad_month(db_file: Path) -> None:
    # When the contribution step is run for a month in a bad form, then for October
    bad = runner.invoke(app, ["batch", "run", "contribution", "--month", "2026-13"])
    good = runner.invoke(app, ["batch", "run", "contribution", "--month", "2026-10"])
    # Then the bad month is refused before anything runs; October runs (nothing delivered yet: nothing to price)
    assert bad.exit_code == 2 and "--month: not a month in the form YYYY-MM: 2026-13" in bad.output
    assert good.exit_code == 0, good.output
    assert "contribution: no business date delivered yet" in good.output
    assert runs(db_file) == [("contribution", "ok", "cli", 0, None)]
