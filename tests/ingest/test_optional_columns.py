"""A file without some optional columns loads: only a missing required column rejects rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.holding import Account, AccountTransaction
from bankcrm.models.relationship import CustomerLink
from tests.factories import make_customer
from tests.holdings.helpers import account, given_an_account, load, reasons, voucher, write_file

CIF = "90000000011"
ACCOUNT_OPTIONAL = ("close_date", "rate", "maturity_date", "auto_renew", "linked_account_no")


def _stored(db: Session) -> list[tuple[object, ...]]:
    rows = db.scalars(select(Account).order_by(Account.id))
    return [
        (a.account_no_masked[-4:], a.product_code, a.close_date, a.rate_bp, a.maturity_date, a.auto_renew, a.balance)
        for a in rows
    ]


def test_an_accounts_file_without_its_optional_columns_loads_its_rows(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an accounts file without close_date, rate, maturity_date, auto_renew and linked_account_no
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF),
        account("6222000000000002", CIF, product_code="FD-MMF", balance="20000.00"),
        account("6222000000000003", CIF, product_code="TD-1Y"),
    ]
    path = write_file(tmp_path / "a.csv", "accounts", rows, drop=ACCOUNT_OPTIONAL)
    # When it is loaded
    result = load(db, settings, path, "accounts")
    # Then the rows load with no value in the absent columns; a new time deposit still needs its maturity date
    assert reasons(result) == [
        (4, "maturity_date", "Required for time deposits, wealth products and acceptance bills.")
    ]
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (3, 2, 1)
    assert _stored(db) == [
        ("0001", "DD-CNY", None, None, None, None, 100_000),
        ("0002", "FD-MMF", None, None, None, None, 2_000_000),
    ]


def test_an_absent_column_keeps_the_stored_value_and_an_empty_cell_empties_it(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a time deposit loaded with a rate, a maturity date and auto-renewal
    make_customer(db, CIF)
    first = account(
        "6222000000000001", CIF, product_code="TD-1Y", rate="1.75", maturity_date="2027-03-01", auto_renew="Y"
    )
    load(db, settings, write_file(tmp_path / "a1.csv", "accounts", [first]), "accounts", day=date(2026, 10, 28))
    # When the next day's file has no rate and no auto_renew column, and a new balance
    second = account("6222000000000001", CIF, product_code="TD-1Y", maturity_date="2027-03-01", balance="1500.00")
    path = write_file(tmp_path / "a2.csv", "accounts", [second], drop=("rate", "auto_renew"))
    assert load(db, settings, path, "accounts", day=date(2026, 10, 29)).run.rows_loaded == 1
    # Then the stored rate and auto-renewal are kept, the balance is the new one
    assert _stored(db) == [("0001", "TD-1Y", None, 175, date(2027, 3, 1), True, 150_000)]
    # When the day after has the rate column with an empty cell (auto_renew still absent)
    third = account("6222000000000001", CIF, product_code="TD-1Y", maturity_date="2027-03-01", rate="")
    path = write_file(tmp_path / "a3.csv", "accounts", [third], drop=("auto_renew",))
    assert load(db, settings, path, "accounts", day=date(2026, 10, 30)).run.rows_loaded == 1
    # Then the rate is emptied and auto-renewal is still kept
    assert _stored(db) == [("0001", "TD-1Y", None, None, date(2027, 3, 1), True, 100_000)]


def test_a_corrected_delivery_without_a_column_puts_back_the_earlier_value(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a time deposit at 1.75 %, then a day-2 delivery setting 2.00 %
    make_customer(db, CIF)
    row = account("6222000000000001", CIF, product_code="TD-1Y", rate="1.75", maturity_date="2027-03-01")
    load(db, settings, write_file(tmp_path / "a1.csv", "accounts", [row]), "accounts", day=date(2026, 10, 29))
    row2 = row | {"rate": "2.00"}
    load(db, settings, write_file(tmp_path / "a2.csv", "accounts", [row2]), "accounts")
    # When day 2 is corrected by a file without the rate column
    path = write_file(tmp_path / "a2b.csv", "accounts", [row | {"balance": "900.00"}], drop=("rate",))
    assert load(db, settings, path, "accounts").run.rows_loaded == 1
    # Then the correction undid day 2 (rate back to 1.75 %) and kept that rate, with its own balance
    assert _stored(db) == [("0001", "TD-1Y", None, 175, date(2027, 3, 1), None, 90_000)]


def test_a_transactions_file_without_its_optional_columns_loads(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an account and vouchers without counterparty, purpose and summary columns
    given_an_account(db, settings, tmp_path)
    dropped = ("counterparty_name", "counterparty_bank", "purpose_code", "summary")
    path = write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000001")], drop=dropped)
    # When loaded
    result = load(db, settings, path, "transactions")
    # Then the voucher is stored with no value in those columns
    assert (reasons(result), result.run.rows_loaded) == ([], 1)
    stored = db.scalars(select(AccountTransaction)).one()
    assert (stored.amount, stored.counterparty_name, stored.counterparty_bank, stored.purpose_code, stored.summary) == (
        850_000,
        None,
        None,
        None,
        None,
    )


def test_a_links_file_without_its_optional_columns_loads(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given two individuals and a links file with only the three required columns
    make_customer(db, "93000000001")
    make_customer(db, "93000000002")
    rows = [{"from_cif_no": "93000000001", "to_cif_no": "93000000002", "link_type": "SPOUSE"}]
    path = write_file(tmp_path / "l.csv", "links", rows, drop=("share_pct", "amount", "valid_from", "valid_to"))
    # When loaded
    result = load(db, settings, path, "links")
    # Then the link is stored, valid from the business date
    assert (reasons(result), result.run.rows_loaded) == ([], 1)
    link = db.scalars(select(CustomerLink)).one()
    assert (link.link_type, link.share_pct_bp, link.amount, link.valid_from, link.valid_to) == (
        "SPOUSE",
        None,
        None,
        date(2026, 10, 30),
        None,
    )
