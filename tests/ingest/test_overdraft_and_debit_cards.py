"""Overdrawn accounts load where the product allows it; debit cards load linked to a demand account."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.holding import Account, BalanceSnapshot, Product
from tests.factories import make_customer
from tests.holdings.helpers import account, load, reasons, write_file

CIF, OTHER = "90000000011", "90000000012"


def _accounts(db: Session) -> list[tuple[str, str, int, str | None]]:
    rows = db.scalars(select(Account).order_by(Account.id))
    return [(a.account_no_masked[-2:], a.product_code, a.balance, a.linked_account_masked) for a in rows]


def test_the_catalogue_says_which_products_allow_an_overdraft(db: Session) -> None:
    # Given the shipped catalogue
    # When reading which products allow a negative balance
    allowed = db.scalars(select(Product.code).where(Product.allows_overdraft).order_by(Product.sort_order))
    # Then exactly the demand deposits do
    assert list(allowed) == ["DD-CNY", "DD-USD"]


def test_a_negative_balance_loads_where_the_product_allows_an_overdraft(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an overdrawn demand account and a fund with a negative balance
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF, balance="-250.75"),
        account("6222000000000002", CIF, product_code="FD-MMF", balance="-5.00"),
        account("6222000000000003", CIF, product_code="FD-MMF", balance="-0.00"),
    ]
    # When loaded
    result = load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts", day=date(2026, 10, 29))
    # Then the demand account loads overdrawn; the fund's negative balance is rejected naming column and product
    assert reasons(result) == [
        (3, "balance", "Must not be negative: product FD-MMF does not allow an overdraft."),
    ]
    assert _accounts(db) == [("01", "DD-CNY", -25_075, None), ("03", "FD-MMF", 0, None)]
    # When the next day's balances are negative for both
    balances = [
        {"account_no": "6222000000000001", "balance": "-300.00"},
        {"account_no": "6222000000000003", "balance": "-1.00"},
    ]
    result = load(db, settings, write_file(tmp_path / "b.csv", "balances", balances), "balances")
    # Then the demand account's balance loads and the fund's is rejected, nothing stored for it
    assert reasons(result) == [(3, "balance", "Must not be negative: product FD-MMF does not allow an overdraft.")]
    snapshots = db.execute(select(BalanceSnapshot.balance_date, BalanceSnapshot.balance)).all()
    assert [tuple(s) for s in snapshots] == [(date(2026, 10, 30), -30_000)]
    assert _accounts(db) == [("01", "DD-CNY", -30_000, None), ("03", "FD-MMF", 0, None)]


def test_debit_cards_load_linked_to_a_demand_account(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a customer with a time deposit on file, and another customer with a demand account
    make_customer(db, CIF)
    make_customer(db, OTHER)
    first = [
        account("6222000000000004", CIF, product_code="TD-1Y", maturity_date="2027-03-01"),
        account("6222000000000009", OTHER),
    ]
    load(db, settings, write_file(tmp_path / "a1.csv", "accounts", first), "accounts", day=date(2026, 10, 29))
    # When a file carries a card before its demand account, and cards breaking the rules
    rows = [
        account("6222000000000002", CIF, product_code="DC-STD", linked_account_no="6222000000000001"),
        account("6222000000000001", CIF),
        account("6222000000000003", CIF, product_code="DC-STD"),
        account("6222000000000005", CIF, product_code="DC-GOLD", linked_account_no="6222000000000004"),
        account("6222000000000006", CIF, product_code="DC-GOLD", linked_account_no="6222000000000009"),
        account("6222000000000007", CIF, product_code="DC-STD", linked_account_no="62220"),
    ]
    result = load(db, settings, write_file(tmp_path / "a2.csv", "accounts", rows), "accounts")
    # Then the card and its demand account load, the card showing the linked number masked
    assert reasons(result) == [
        (4, "linked_account_no", "Required for debit cards: the demand account the card draws on."),
        (5, "linked_account_no", "The linked account is not a demand account."),
        (6, "linked_account_no", "The linked account belongs to another customer."),
        (7, "linked_account_no", "Not an account or contract number: 6 to 32 letters or digits."),
    ]
    assert _accounts(db) == [
        ("04", "TD-1Y", 100_000, None),
        ("09", "DD-CNY", 100_000, None),
        ("02", "DC-STD", 100_000, "************0001"),
        ("01", "DD-CNY", 100_000, None),
    ]
