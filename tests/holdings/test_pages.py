"""The web pages of holdings: the 360° view, vouchers partial, tasks with outcomes, ingest runs; scope and masking."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.ingest import IngestRun
from bankcrm.models.task import Task
from tests.conftest import csrf_from, signed_in
from tests.holdings.helpers import account, load, write_file
from tests.holdings.test_view_and_tasks import CIF, given_holdings


def test_the_360_page_shows_masked_holdings_in_both_languages(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given holdings, and am1 signed in
    given_holdings(db, settings, tmp_path)
    am1 = signed_in(client, "am1")
    # When am1 opens the 360° page in English and in Chinese
    english = am1.get(f"/customers/{CIF}/360")
    chinese = am1.get(f"/customers/{CIF}/360", headers={"Accept-Language": "zh-CN"})
    # Then both show the holdings with masked numbers only, with the figures in yuan
    assert english.status_code == chinese.status_code == 200
    for page in (english.text, chinese.text):
        assert "************0001" in page and "************0002" in page
        assert "6222000000000001" not in page and "LN00000001" not in page
        assert "51,200.00" in page
    assert "Time deposit 1 year" in english.text
    assert "一年期定期存款" in chinese.text and "正常" in chinese.text


def test_the_vouchers_partial_filters_and_names_a_bad_amount(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given holdings
    given_holdings(db, settings, tmp_path)
    am1 = signed_in(client, "am1")
    url = f"/customers/{CIF}/360/transactions"
    # When filtering by channel, Then only the POS voucher is listed
    pos = am1.get(url, params={"channel": "POS"})
    assert pos.status_code == 200 and "35.50" in pos.text and "8,500.00" not in pos.text
    # When the minimum amount is not an amount, Then 422 names the field and lists nothing
    bad = am1.get(url, params={"min_amount": "12.345"})
    assert bad.status_code == 422
    assert 'data-field-error="min_amount"' in bad.text and "35.50" not in bad.text


def test_a_task_outcome_is_recorded_from_the_task_page(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given am1's open maturity task on the task page
    given_holdings(db, settings, tmp_path)
    am1 = signed_in(client, "am1")
    page = am1.get("/tasks")
    task = db.scalars(select(Task)).one()
    assert f'data-testid="task-{task.id}"' in page.text
    # When am1 submits more than the amount maturing, Then the page says so and the task stays open
    too_much = am1.post(
        f"/tasks/{task.id}", data={"csrf_token": csrf_from(page.text), "outcome": "RENEWED", "amount_kept": "50000.01"}
    )
    assert too_much.status_code == 422 and 'data-field-error="amount_kept"' in too_much.text
    db.expire_all()
    assert db.scalars(select(Task)).one().status == "OPEN"
    # When am1 records the renewal of 45,000.00
    done = am1.post(
        f"/tasks/{task.id}",
        data={"csrf_token": csrf_from(page.text), "outcome": "RENEWED", "amount_kept": "45,000.00", "note": "续存一年"},
        follow_redirects=False,
    )
    # Then it redirects to the list and the task is done with 4,500,000 fen kept
    assert (done.status_code, done.headers["location"]) == (303, f"/tasks?completed={task.id}")
    db.expire_all()
    stored = db.scalars(select(Task)).one()
    assert (stored.status, stored.outcome, stored.amount_kept, stored.note) == (
        "DONE",
        "RENEWED",
        4_500_000,
        "续存一年",
    )


def test_another_branch_gets_404_on_every_holdings_page(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a Beijing customer's holdings and task, and am2 (Shanghai) signed in
    given_holdings(db, settings, tmp_path)
    task = db.scalars(select(Task)).one()
    am2 = signed_in(client, "am2")
    tasks_page = am2.get("/tasks")
    # When am2 tries each page, Then each is 404, the task list does not show the task, and it stays open
    for path in (f"/customers/{CIF}/360", f"/customers/{CIF}/360/transactions"):
        assert am2.get(path).status_code == 404, path
    posted = am2.post(f"/tasks/{task.id}", data={"csrf_token": csrf_from(tasks_page.text), "outcome": "RENEWED"})
    assert posted.status_code == 404
    assert f'data-testid="task-{task.id}"' not in tasks_page.text
    db.expire_all()
    assert db.scalars(select(Task)).one().status == "OPEN"


def test_operations_lists_ingest_runs_and_downloads_rejects_others_may_not(
    client: TestClient,
    make_client,
    db: Session,
    settings: Settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # Given an accounts file with one row for an unknown customer, loaded
    rows = [account("6222000000000009", "90000000098")]
    load(db, settings, write_file(tmp_path / "accounts.csv", "accounts", rows), "accounts")
    run = db.scalars(select(IngestRun)).one()
    # When operations opens the runs page and downloads the rejects
    ops = signed_in(client, "ops")
    listed = ops.get("/ingest/runs")
    rejects = ops.get(f"/ingest/runs/{run.id}/rejects.csv")
    # Then the run is listed with its counts and the reject file names line, field and reason (the row masked)
    assert listed.status_code == 200 and f'data-testid="run-{run.id}"' in listed.text
    assert rejects.status_code == 200
    lines = rejects.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("2,cif_no,No customer with this CIF number.,没有此客户号的客户。,************0009,")
    # And an account manager may see neither
    am1 = signed_in(make_client(), "am1")
    assert [am1.get(p).status_code for p in ("/ingest/runs", f"/ingest/runs/{run.id}/rejects.csv")] == [403, 403]
