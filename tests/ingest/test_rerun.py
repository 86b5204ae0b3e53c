"""A delivery's rejected rows re-run once their cause is fixed: a new run, linked, audited, idempotent."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.errors import Conflict
from bankcrm.ingest.service.rerun import rerun
from bankcrm.ingest.service.run import IngestRequest, IngestResult, ingest_file
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import Account, BalanceSnapshot
from bankcrm.models.ingest import IngestBatch, IngestRun
from tests.conftest import _drop_postgres, csrf_from, signed_in, token_for
from tests.factories import make_customer
from tests.holdings.helpers import DAY, account, load, reasons, write_file
from tests.ingest.test_kill import _fresh_database

UNKNOWN = "No account with this number; load it with an accounts file first."


def _balances(tmp_path: Path, name: str = "b.csv") -> Path:
    """Balances for two accounts not loaded yet, one repeated, one with a bad amount."""
    rows = [
        {"account_no": "6222000000000001", "balance": "10.00"},
        {"account_no": "6222000000000002", "balance": "20.00"},
        {"account_no": "6222000000000001", "balance": "30.00"},
        {"account_no": "6222000000000003", "balance": "1.234"},
    ]
    return write_file(tmp_path / name, "balances", rows)


def _accounts(db: Session, settings: Settings, tmp_path: Path) -> None:
    rows = [account(f"622200000000000{i}", "90000000011") for i in (1, 2, 3)]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts")


def _rerun(db: Session, settings: Settings, run_id: int) -> IngestResult:
    return rerun(db, settings.field_cipher(), SYSTEM, run_id, timezone=settings.timezone)


def _count(db: Session, model: object) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_balances_delivered_before_their_accounts_load_when_their_rejects_are_rerun(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given balances delivered before their accounts: all rejected; then the accounts loaded
    make_customer(db, "90000000011")
    path = _balances(tmp_path)
    first = load(db, settings, path, "balances")
    assert reasons(first) == [
        (2, "account_no", UNKNOWN),
        (3, "account_no", UNKNOWN),
        (4, "account_no", "Duplicate key: the same value is on line 2."),
        (5, "account_no", UNKNOWN),
    ]
    _accounts(db, settings, tmp_path)
    # And loading the same file again changes nothing (the delivery is known)
    assert load(db, settings, path, "balances").unchanged
    events = _count(db, AuditEvent)
    # When its rejected rows are re-run
    result = _rerun(db, settings, first.run.id)
    # Then a new run of the same delivery, linked to the first, loads the two rows that now pass; the
    # repeated key stays rejected, and line 5 is now rejected for its own next problem
    new = result.run
    assert not result.unchanged
    assert (new.rerun_of, new.batch_id, new.rows_in, new.rows_loaded, new.rows_rejected) == (
        first.run.id,
        first.run.batch_id,
        4,
        2,
        2,
    )
    assert reasons(result) == [
        (4, "account_no", "Duplicate key: the same value is on line 2."),
        (5, "balance", "Not an amount: digits with at most two decimals, such as 1234.50."),
    ]
    snapshots = db.execute(
        select(Account.account_no_masked, BalanceSnapshot.balance, BalanceSnapshot.batch_id)
        .join(Account, Account.id == BalanceSnapshot.account_id)
        .order_by(Account.account_no_masked)
    ).all()
    assert [tuple(s) for s in snapshots] == [
        ("************0001", 1000, first.run.batch_id),
        ("************0002", 2000, first.run.batch_id),
    ]
    # And the delivery now points to the new run, and the re-run is audited
    assert db.get(IngestBatch, first.run.batch_id).current_run_id == new.id  # type: ignore[union-attr]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (event.action, event.entity_id, _count(db, AuditEvent)) == ("ingest.rerun", str(new.id), events + 1)
    assert event.detail == (f"CORE/balances/2026-10-30 b.csv: re-run of run {first.run.id}: 4 in, 2 loaded, 2 rejected")
    # And the same file loaded again still changes nothing, reporting the re-run
    again = load(db, settings, path, "balances")
    assert again.unchanged and again.run.id == new.id


def test_asked_twice_a_rerun_answers_the_first_and_changes_nothing(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given balances re-run once after their accounts loaded
    make_customer(db, "90000000011")
    first = load(db, settings, _balances(tmp_path), "balances")
    _accounts(db, settings, tmp_path)
    done = _rerun(db, settings, first.run.id)
    before = (_count(db, IngestRun), _count(db, BalanceSnapshot), _count(db, AuditEvent))
    # When the same re-run is asked for again
    twice = _rerun(db, settings, first.run.id)
    # Then it answers the first re-run, and nothing changed
    assert twice.unchanged and twice.run.id == done.run.id
    assert (_count(db, IngestRun), _count(db, BalanceSnapshot), _count(db, AuditEvent)) == before


def test_a_run_replaced_by_a_corrected_delivery_cannot_be_rerun(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given balances rejected, then replaced by a corrected delivery for the same day
    make_customer(db, "90000000011")
    first = load(db, settings, _balances(tmp_path), "balances")
    fixed = write_file(tmp_path / "b2.csv", "balances", [{"account_no": "6222000000000009", "balance": "1.00"}])
    second = load(db, settings, fixed, "balances")
    runs = _count(db, IngestRun)
    # When the first run's rejects are re-run
    with pytest.raises(Conflict) as refused:
        _rerun(db, settings, first.run.id)
    # Then it is refused naming the run that replaced it, and nothing is recorded
    assert refused.value.params == {"run": second.run.id}
    assert _count(db, IngestRun) == runs


def test_operations_reruns_through_the_api_and_the_page_others_may_not(
    client: TestClient, make_client, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given balances rejected, then their accounts loaded
    make_customer(db, "90000000011")
    first = load(db, settings, _balances(tmp_path), "balances")
    _accounts(db, settings, tmp_path)
    # When an account manager asks for a re-run through the API
    denied = client.post(f"/api/v1/ingest/runs/{first.run.id}/rerun", headers=token_for(client, "am1"))
    # Then it is refused and nothing is re-run
    assert denied.status_code == 403 and _count(db, IngestRun) == 2
    # When operations asks through the API, twice
    headers = token_for(client, "ops")
    done = client.post(f"/api/v1/ingest/runs/{first.run.id}/rerun", headers=headers)
    twice = client.post(f"/api/v1/ingest/runs/{first.run.id}/rerun", headers=headers)
    # Then the first re-runs the rows, the second answers the same run
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["unchanged"] is False
    new_id = body["run"]["id"]
    assert {k: body["run"][k] for k in ("rerun_of", "rows_in", "rows_loaded", "rows_rejected")} == {
        "rerun_of": first.run.id,
        "rows_in": 4,
        "rows_loaded": 2,
        "rows_rejected": 2,
    }
    assert twice.json()["unchanged"] is True and twice.json()["run"]["id"] == new_id
    assert client.get(f"/api/v1/ingest/runs/{new_id}", headers=headers).json()["rerun_of"] == first.run.id
    # And the new run's page links back; its button re-runs its own remaining rejects
    ops = signed_in(make_client(), "ops")
    page = ops.get(f"/ingest/runs/{new_id}")
    assert f'href="/ingest/runs/{first.run.id}" id="rerun-of"' in page.text and 'id="rerun"' in page.text
    old_page = ops.get(f"/ingest/runs/{first.run.id}")
    assert 'id="rerun"' not in old_page.text and f'href="/ingest/runs/{new_id}" id="rerun-by"' in old_page.text
    posted = ops.post(f"/ingest/runs/{new_id}/rerun", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    newest = db.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(1)).one()
    assert posted.status_code == 303 and posted.headers["location"] == f"/ingest/runs/{newest.id}?saved=rerun"
    assert (newest.rerun_of, newest.rows_in, newest.rows_loaded, newest.rows_rejected) == (new_id, 2, 0, 2)


def test_two_reruns_at_once_make_one_new_run(database_url: str, settings: Settings, tmp_path: Path) -> None:
    # Given a committed database where balances were rejected, then their accounts loaded
    url = _fresh_database(database_url, f"bankcrm_rerun_race_{os.getpid()}", tmp_path)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine)
    cipher = settings.field_cipher()
    with session_scope(factory) as db:
        make_customer(db, "90000000011")
        run_id = _ingest(db, settings, _balances(tmp_path), "balances").run.id
        rows = [account(f"622200000000000{i}", "90000000011") for i in (1, 2, 3)]
        _ingest(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts")
    # When two callers re-run the same run at the same moment, each in its own transaction
    start = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            with session_scope(factory) as db:
                result = rerun(db, cipher, SYSTEM, run_id, timezone=settings.timezone)
                results.append((result.run.id, result.unchanged))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then one made the re-run and the other answered it; the rows loaded once
    assert errors == []
    assert sorted(unchanged for _, unchanged in results) == [False, True]
    assert len({run for run, _ in results}) == 1
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(IngestRun).where(IngestRun.rerun_of == run_id)) == 1
        assert _count(db, BalanceSnapshot) == 2
    engine.dispose()
    if not url.startswith("sqlite"):
        _drop_postgres(url)


def _ingest(db: Session, settings: Settings, path: Path, file_type: str) -> IngestResult:
    req = IngestRequest(path=path, file_type=file_type, business_date=DAY, source="CORE")
    return ingest_file(db, settings.field_cipher(), SYSTEM, req, timezone=settings.timezone)
