"""The 360° view, vouchers, nightly figures and maturity tasks: exact figures, masking, scope, no duplicates."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.holdings.jobs import nightly
from bankcrm.holdings.service.tasks import raise_maturity_tasks, window_for
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.task import Task
from tests.conftest import token_for
from tests.factories import make_customer
from tests.holdings.helpers import account, load, loan, voucher, write_file

CIF = "90000000011"


def given_holdings(db: Session, settings: Settings, tmp_path: Path) -> None:
    """A BJ customer of am1: demand 1,000.00; a time deposit of 50,000.00 maturing in 5 days; a loan; vouchers."""
    today = today_in(settings.timezone)
    make_customer(db, CIF)
    accounts = [
        account("6222000000000001", CIF),
        account(
            "6222000000000002",
            CIF,
            product_code="TD-1Y",
            rate="1.75",
            balance="50000.00",
            maturity_date=(today + timedelta(days=5)).isoformat(),
            auto_renew="N",
        ),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    load(db, settings, write_file(tmp_path / "l.csv", "loans", [loan("LN00000001", CIF)]), "loans")
    balances = [
        {"account_no": "6222000000000001", "balance": "1200.00"},
        {"account_no": "6222000000000002", "balance": "50000.00"},
    ]
    load(db, settings, write_file(tmp_path / "b.csv", "balances", balances), "balances")
    vouchers = [
        voucher("V1", "6222000000000001", txn_time="2026-10-30 09:00:00"),
        voucher(
            "V2",
            "6222000000000001",
            txn_time="2026-10-30 12:00:00",
            amount="35.50",
            direction="D",
            channel="POS",
            purpose_code="CONSUME",
            summary="消费",
        ),
        voucher(
            "V3", "6222000000000001", txn_time="2026-10-29 18:00:00", amount="200.00", direction="D", channel="MOBILE"
        ),
    ]
    load(db, settings, write_file(tmp_path / "t.csv", "transactions", vouchers), "transactions")
    nightly(db, settings)


def test_the_360_view_shows_exact_figures_masked_numbers_and_a_maturity_task(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given holdings loaded and the nightly batch run
    given_holdings(db, settings, tmp_path)
    # When am1 reads the 360° view
    response = client.get(f"/api/v1/customers/{CIF}/view", headers=token_for(client, "am1"))
    # Then the figures are exact (fen): AUM = 1,200.00 + 50,000.00; loans = 80,000.00 outstanding
    assert response.status_code == 200, response.text
    body = response.json()
    figures = body["figures"]
    assert (figures["aum"], figures["deposit_balance"], figures["loan_balance"]) == (5_120_000, 5_120_000, 8_000_000)
    assert (figures["product_count"], figures["last_txn_date"], figures["as_of"]) == (3, "2026-10-30", "2026-10-30")
    assert body["balance_series"][-2:] == [{"month": "2026-09", "aum": None}, {"month": "2026-10", "aum": 5_120_000}]
    # And account and contract numbers are masked everywhere in the response
    assert [a["account_no"] for a in body["accounts"]] == ["************0001", "************0002"]
    assert body["loans"][0]["contract_no"] == "******0001"
    assert "6222000000000001" not in response.text and "LN00000001" not in response.text
    # And the time deposit maturing in 5 days is on the calendar and has a task for am1 in the 7-day window
    assert [(m["holding_kind"], m["amount"]) for m in body["maturities"]] == [("account", 5_000_000)]
    assert [(t["window_days"], t["amount_due"], t["status"]) for t in body["tasks"]] == [(7, 5_000_000, "OPEN")]
    # And the newest vouchers come first
    assert [t["voucher_no"] for t in body["recent_transactions"]["items"]] == ["V2", "V1", "V3"]


def test_vouchers_filter_by_date_amount_and_channel(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given holdings
    given_holdings(db, settings, tmp_path)
    headers = token_for(client, "am1")
    url = f"/api/v1/customers/{CIF}/transactions"
    # When filtering, Then exactly the matching vouchers come back
    assert [t["voucher_no"] for t in client.get(url, params={"channel": "POS"}, headers=headers).json()["items"]] == [
        "V2"
    ]
    assert [
        t["voucher_no"] for t in client.get(url, params={"min_amount": 10_000}, headers=headers).json()["items"]
    ] == ["V1", "V3"]
    by_day = client.get(url, params={"since": "2026-10-29", "until": "2026-10-29"}, headers=headers).json()
    assert [t["voucher_no"] for t in by_day["items"]] == ["V3"]


def test_another_branch_sees_none_of_it(client: TestClient, db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a BJ customer's holdings and task
    given_holdings(db, settings, tmp_path)
    task_id = db.scalar(select(Task.id))
    headers = token_for(client, "am2")
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    # When am2 (Shanghai) tries every route
    responses = [
        client.get(f"/api/v1/customers/{CIF}/view", headers=headers),
        client.get(f"/api/v1/customers/{CIF}/transactions", headers=headers),
        client.post(f"/api/v1/tasks/{task_id}/outcome", json={"outcome": "RENEWED", "amount_kept": 1}, headers=headers),
    ]
    # Then every answer is 404, the attempts are audited, am2 has no tasks, the task is untouched
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert db.scalar(select(func.count()).select_from(AuditEvent)) > events
    assert client.get("/api/v1/tasks", headers=headers).json()["total"] == 0
    assert db.scalar(select(Task.status)) == "OPEN"
    assert "6222000000000001" not in "".join(r.text for r in responses)


def test_a_maturity_task_records_its_outcome_and_the_week_shows_the_share_kept(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given am1's maturity task
    given_holdings(db, settings, tmp_path)
    headers = token_for(client, "am1")
    task = client.get("/api/v1/tasks", params={"status": "OPEN"}, headers=headers).json()["items"][0]
    # When am1 first claims more was kept than was maturing, Then that is refused naming the field
    too_much = client.post(
        f"/api/v1/tasks/{task['id']}/outcome", json={"outcome": "RENEWED", "amount_kept": 5_000_001}, headers=headers
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"] == [
        {"field": "amount_kept", "message": "The amount kept cannot be more than the amount maturing."}
    ]
    # When am1 records that the customer renewed 40,000.00 of the 50,000.00
    done = client.post(
        f"/api/v1/tasks/{task['id']}/outcome", json={"outcome": "RENEWED", "amount_kept": 4_000_000}, headers=headers
    )
    # Then the task is done and the maturity week shows 80 % retained
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"], done.json()["amount_kept"]) == ("DONE", "RENEWED", 4_000_000)
    weeks = client.get("/api/v1/maturities/weekly", headers=headers).json()
    followed = [w for w in weeks if w["done"]]
    assert [(w["maturing"], w["kept"], w["retained_share"]) for w in followed] == [(5_000_000, 4_000_000, 0.8)]
    # And completing it twice is refused
    again = client.post(f"/api/v1/tasks/{task['id']}/outcome", json={"outcome": "RENEWED"}, headers=headers)
    assert again.status_code == 409


def test_rerunning_the_batch_never_duplicates_and_a_nearer_window_escalates(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given holdings with a time deposit maturing in 5 days, the batch already run once (task in the 7-day window)
    given_holdings(db, settings, tmp_path)
    today = today_in(settings.timezone)
    # When the batch runs again today, and then on the eve of maturity
    again = raise_maturity_tasks(db, today, (30, 7, 1))
    eve = raise_maturity_tasks(db, today + timedelta(days=4), (30, 7, 1))
    # Then no task was added and the one task moved to the 1-day window
    assert (again.created, again.escalated, eve.created, eve.escalated) == (0, 0, 0, 1)
    assert [(t.window_days, t.kind) for t in db.scalars(select(Task))] == [(1, "MATURITY")]


def test_windows_pick_the_tightest_that_holds_the_maturity() -> None:
    # Given the default windows, Then
    assert [window_for(d, (30, 7, 1)) for d in (0, 1, 2, 7, 8, 30, 31)] == [1, 1, 7, 7, 30, 30, None]


def test_figures_are_only_recomputed_for_changed_customers(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given the batch has run
    given_holdings(db, settings, tmp_path)
    # When it runs again with nothing new loaded
    report = nightly(db, settings)
    # Then no customer is recomputed; with --full, the one customer is
    assert report.figures.customers == 0
    assert nightly(db, settings, full=True).figures.customers == 1
    assert db.scalar(select(func.count()).select_from(Task)) == 1
