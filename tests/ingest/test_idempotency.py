"""A file loaded twice changes nothing; a corrected re-delivery replaces that day's rows atomically."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import AccountTransaction, BalanceSnapshot, FigureDirty
from bankcrm.models.ingest import IngestRun
from tests.holdings.helpers import given_an_account, load, voucher, write_file
from tests.ingest.snapshot import table_checksums


def test_loading_the_same_file_again_changes_nothing(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a vouchers file that was loaded
    given_an_account(db, settings, tmp_path)
    path = write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000001"), voucher("V2", "X")])
    first = load(db, settings, path, "transactions")
    before = table_checksums(db)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    # When the same file is loaded again
    again = load(db, settings, path, "transactions")
    # Then it reports the earlier run and nothing in the database changed
    assert again.unchanged and again.run.id == first.run.id
    assert table_checksums(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_corrected_redelivery_replaces_the_days_rows(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a day's vouchers and balances loaded from CORE
    given_an_account(db, settings, tmp_path)
    load(
        db,
        settings,
        write_file(
            tmp_path / "t1.csv", "transactions", [voucher("V1", "6222000000000001"), voucher("V2", "6222000000000001")]
        ),
        "transactions",
    )
    load(
        db,
        settings,
        write_file(tmp_path / "b1.csv", "balances", [{"account_no": "6222000000000001", "balance": "10.00"}]),
        "balances",
    )
    # When core banking re-delivers corrected files for the same day
    fixed = load(
        db,
        settings,
        write_file(tmp_path / "t2.csv", "transactions", [voucher("V3", "6222000000000001", amount="1.50")]),
        "transactions",
    )
    load(
        db,
        settings,
        write_file(tmp_path / "b2.csv", "balances", [{"account_no": "6222000000000001", "balance": "11.00"}]),
        "balances",
    )
    # Then only the corrected rows remain, and the run says it replaced the earlier delivery
    assert fixed.run.replaced
    assert [(t.voucher_no, t.amount) for t in db.scalars(select(AccountTransaction))] == [("V3", 150)]
    assert [s.balance for s in db.scalars(select(BalanceSnapshot))] == [1100]
    assert db.scalar(select(func.count()).select_from(IngestRun)) == 5


def test_another_source_cannot_overwrite_a_days_balance(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a balance for the day from CORE
    given_an_account(db, settings, tmp_path)
    load(
        db,
        settings,
        write_file(tmp_path / "b1.csv", "balances", [{"account_no": "6222000000000001", "balance": "10.00"}]),
        "balances",
    )
    # When another source delivers a balance for the same account and day
    other = load(
        db,
        settings,
        write_file(tmp_path / "b2.csv", "balances", [{"account_no": "6222000000000001", "balance": "99.00"}]),
        "balances",
        source="WEALTH",
    )
    # Then it is rejected and the first balance stands
    assert [(r.line, r.field) for r in other.rejects] == [(2, "account_no")]
    assert [s.balance for s in db.scalars(select(BalanceSnapshot))] == [1000]


def test_loads_queue_the_customers_for_the_nightly_figures(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given / When an account is loaded
    given_an_account(db, settings, tmp_path)
    # Then its customer waits for the nightly batch
    assert db.scalar(select(func.count()).select_from(FigureDirty)) == 1
