"""A corrected accounts or loans re-delivery first undoes what the earlier delivery changed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.holding import Account, LoanContract
from bankcrm.models.ingest import IngestBatch, IngestPriorRow
from tests.factories import make_customer
from tests.holdings.helpers import DAY, account, load, loan, reasons, voucher, write_file

CIF = "90000000011"
NEXT = DAY + timedelta(days=1)


def _accounts(db: Session) -> dict[str, tuple[int, str, date | None, date]]:
    """Per account (last 4 digits): balance, status, balance date, business date of the last delivery."""
    rows = db.execute(
        select(
            Account.account_no_masked, Account.balance, Account.status, Account.balance_date, IngestBatch.business_date
        ).join(IngestBatch, IngestBatch.id == Account.batch_id)
    )
    return {masked[-4:]: (balance, status, balance_date, day) for masked, balance, status, balance_date, day in rows}


def _load_accounts(db: Session, settings: Settings, path: Path, rows: list[dict[str, str]], day: date, **kw: object):
    return load(db, settings, write_file(path, "accounts", rows), "accounts", day=day, **kw)


def _given_day_one(db: Session, settings: Settings, tmp_path: Path) -> None:
    """A customer whose accounts 0001 and 0002 day 1's accounts file opened."""
    make_customer(db, CIF)
    rows = [account("6222000000000001", CIF), account("6222000000000002", CIF)]
    _load_accounts(db, settings, tmp_path / "d1.csv", rows, DAY)


def test_a_row_left_out_of_the_correction_ends_as_before_the_earlier_delivery(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given day 1 opened accounts 0001 and 0002, and day 2 changed 0001 and opened 0003
    _given_day_one(db, settings, tmp_path)
    day2 = [account("6222000000000001", CIF, balance="1500.00", status="FROZEN"), account("6222000000000003", CIF)]
    _load_accounts(db, settings, tmp_path / "d2.csv", day2, NEXT)
    # When core banking re-delivers day 2 corrected: 0001 was not in it, 0003's balance was wrong
    fixed = _load_accounts(
        db, settings, tmp_path / "d2b.csv", [account("6222000000000003", CIF, balance="350.00")], NEXT
    )
    # Then 0001 is back to day 1's values, 0002 is untouched and 0003 carries the correction
    assert fixed.run.replaced
    assert _accounts(db) == {
        "0001": (100000, "ACTIVE", DAY, DAY),
        "0002": (100000, "ACTIVE", DAY, DAY),
        "0003": (35000, "ACTIVE", NEXT, NEXT),
    }
    # And when day 2 is corrected once more, without 0003, the account day 2 opened is gone
    _load_accounts(db, settings, tmp_path / "d2c.csv", [account("6222000000000002", CIF, balance="7.00")], NEXT)
    assert _accounts(db) == {"0001": (100000, "ACTIVE", DAY, DAY), "0002": (700, "ACTIVE", NEXT, NEXT)}


def test_rows_a_later_delivery_set_or_vouchers_refer_to_are_kept(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given day 1 opened 0001 and 0002, day 2 changed 0001, and vouchers of day 2 name 0002
    _given_day_one(db, settings, tmp_path)
    _load_accounts(db, settings, tmp_path / "d2.csv", [account("6222000000000001", CIF, balance="5.00")], NEXT)
    load(
        db,
        settings,
        write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000002")]),
        "transactions",
        day=NEXT,
    )
    # When day 1 is re-delivered with neither account
    _load_accounts(db, settings, tmp_path / "d1b.csv", [account("6222000000000009", CIF)], DAY)
    # Then 0001 keeps day 2's values and 0002 stays, as a voucher refers to it (its undo record stays too)
    assert _accounts(db) == {
        "0001": (500, "ACTIVE", NEXT, NEXT),
        "0002": (100000, "ACTIVE", DAY, DAY),
        "0009": (100000, "ACTIVE", DAY, DAY),
    }
    kept = db.scalars(select(IngestPriorRow.prior).join(Account, Account.id == IngestPriorRow.row_id)
                      .where(Account.account_no_masked.like("%0002"))).all()  # fmt: skip
    assert kept == [None]


def test_a_loan_left_out_of_a_correction_gets_its_earlier_values_back(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given day 1 and day 2 deliveries of one loan contract, day 2 moving it to 关注 (special mention)
    make_customer(db, CIF)
    load(db, settings, write_file(tmp_path / "l1.csv", "loans", [loan("LN000001", CIF)]), "loans", day=DAY)
    day2 = [loan("LN000001", CIF, classification="SPECIAL_MENTION", days_overdue="40")]
    load(db, settings, write_file(tmp_path / "l2.csv", "loans", day2), "loans", day=NEXT)
    # When day 2 is re-delivered without it
    load(db, settings, write_file(tmp_path / "l2b.csv", "loans", [loan("LN000002", CIF)]), "loans", day=NEXT)
    # Then the contract is as day 1 left it, and day 2's correction added its own contract
    rows = db.execute(select(LoanContract.contract_no_masked, LoanContract.classification, LoanContract.days_overdue))
    assert sorted((m[-4:], c, d) for m, c, d in rows) == [("0001", "NORMAL", 0), ("0002", "NORMAL", 0)]


def test_undo_records_older_than_the_window_are_pruned(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given accounts delivered on day 1
    make_customer(db, CIF)
    _load_accounts(db, settings, tmp_path / "d1.csv", [account("6222000000000001", CIF)], DAY)
    assert db.scalar(select(func.count()).select_from(IngestPriorRow)) == 1
    # When day 3 is loaded with a one-day undo window
    day3 = DAY + timedelta(days=2)
    _load_accounts(db, settings, tmp_path / "d3.csv", [account("6222000000000002", CIF)], day3, undo_days=1)
    # Then only day 3's record is left
    days = db.scalars(select(IngestBatch.business_date).join(IngestPriorRow, IngestPriorRow.batch_id == IngestBatch.id))
    assert list(days) == [day3]


def test_an_older_days_file_does_not_overwrite_rows_a_later_day_set(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given day 2's accounts and loans already loaded
    make_customer(db, CIF)
    _load_accounts(db, settings, tmp_path / "d2.csv", [account("6222000000000001", CIF, balance="5.00")], NEXT)
    load(db, settings, write_file(tmp_path / "l2.csv", "loans", [loan("LN000001", CIF)]), "loans", day=NEXT)
    # When day 1's files arrive late, naming the same account and contract and a new account
    late = [account("6222000000000001", CIF, status="FROZEN"), account("6222000000000002", CIF)]
    result = _load_accounts(db, settings, tmp_path / "d1.csv", late, DAY)
    loans = load(db, settings, write_file(tmp_path / "l1.csv", "loans", [loan("LN000001", CIF)]), "loans", day=DAY)
    # Then the rows day 2 set are rejected, saying why, and the new account is loaded
    reason = "A delivery for a later business date (2026-10-31) has set this row; an older file does not change it."
    assert reasons(result) == [(2, "account_no", reason)]
    assert reasons(loans) == [(2, "contract_no", reason)]
    assert _accounts(db) == {"0001": (500, "ACTIVE", NEXT, NEXT), "0002": (100000, "ACTIVE", DAY, DAY)}
