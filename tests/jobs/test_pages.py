"""The operations page and the API: run records newest first for job.read, queueing for job.run, refusals."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.jobs.service import runs
from bankcrm.models.audit import AuditEvent
from bankcrm.models.job import JobRun
from tests.conftest import csrf_from, signed_in, token_for, user_id


def run_queued(client: TestClient) -> list[tuple[str, str]]:
    """Run what is queued, as ``bankcrm batch queued`` does, in the test's transaction."""
    app: Any = client.app
    with app.state.sessionmaker() as db:
        codes = runs.queued_codes(db)
    steps = runs.run_steps(app.state.sessionmaker, app.state.settings, codes)
    return [(s.job.code, s.outcome) for s in steps]


def test_an_operations_manager_queues_a_step_and_reads_its_runs(client: TestClient, db: Session) -> None:
    # Given the operations manager's token
    ops = token_for(client, "ops")
    # When the delivery step is queued twice, and the households step once
    first = client.post("/api/v1/jobs/deliver-outbox/queue", headers=ops)
    second = client.post("/api/v1/jobs/deliver-outbox/queue", headers=ops)
    homes = client.post("/api/v1/jobs/households/queue", headers=ops)
    # Then one request waits per step, naming who asked
    assert (first.status_code, second.status_code, homes.status_code) == (202, 202, 202)
    assert first.json()["id"] == second.json()["id"]
    assert {k: first.json()[k] for k in ("job_code", "outcome", "trigger", "triggered_by", "rows")} == {
        "job_code": "deliver-outbox",
        "outcome": "queued",
        "trigger": "user",
        "triggered_by": user_id(db, "ops"),
        "rows": None,
    }
    # When the batch runs what is queued
    assert run_queued(client) == [("households", "ok"), ("deliver-outbox", "ok")]
    # Then the same records are filled in, listed newest first
    listed = client.get("/api/v1/jobs/runs", headers=ops)
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 2
    assert [(r["id"], r["job_code"], r["outcome"], r["trigger"], r["rows"], r["detail"]) for r in body["items"]] == [
        (homes.json()["id"], "households", "ok", "user", 0, "0 households with 0 members (0 created, 0 dissolved)"),
        (first.json()["id"], "deliver-outbox", "ok", "user", 0, "0 sent, 0 failed, 0 to retry"),
    ]
    # And each queueing is audited once
    queued = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "job.queued")).all()
    assert queued == ["deliver-outbox", "households"]


def test_an_unknown_step_is_404_and_others_may_neither_read_nor_queue(client: TestClient, db: Session) -> None:
    ops, am1 = token_for(client, "ops"), token_for(client, "am1")
    assert client.post("/api/v1/jobs/nope/queue", headers=ops).status_code == 404
    assert client.get("/api/v1/jobs/runs", headers=am1).status_code == 403
    assert client.post("/api/v1/jobs/groups/queue", headers=am1).status_code == 403
    assert db.scalars(select(JobRun)).all() == []


def test_the_page_lists_the_steps_queues_one_and_says_so(client: TestClient, db: Session) -> None:
    # Given the operations manager on the page
    ops = signed_in(client, "ops")
    page = ops.get("/admin/jobs")
    assert page.status_code == 200
    assert 'href="/admin/jobs"' in page.text and "No job has run yet." in page.text
    assert re.findall(r'data-job="([^"]+)"', page.text) == [
        "figures",
        "maturity-tasks",
        "households",
        "match",
        "groups",
        "snapshot",
        "lifecycle",
        "churn",
        "warnings",
        "tags",
        "segments",
        "contribution",
        "data-quality",
        "opportunity-wins",
        "leads",
        "deliver-outbox",
    ]
    # When the groups step is queued from the page
    queued = ops.post("/admin/jobs/groups/queue", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    # Then the page says it waits for the batch, and lists the queued run
    assert (queued.status_code, queued.headers["location"]) == (303, "/admin/jobs?queued=groups")
    shown = ops.get(queued.headers["location"])
    assert "Corporate groups and guarantee circles is queued: it runs with the next batch" in shown.text
    assert 'id="queue-groups"' not in shown.text and 'id="queue-households"' in shown.text
    [run] = db.scalars(select(JobRun)).all()
    assert f'data-run="{run.id}"' in shown.text and "1 job run" in shown.text
    # And in Chinese the steps carry their Chinese labels
    ops.cookies.set("bankcrm_locale", "zh_CN")
    assert "识别集团客户和担保圈" in ops.get("/admin/jobs", headers={"Accept-Language": "zh-CN"}).text


def test_a_manager_without_the_permission_is_refused_the_page(client: TestClient) -> None:
    am1 = signed_in(client, "am1")
    assert am1.get("/admin/jobs").status_code == 403
