"""Currencies: the ISO 4217 list as data, the bank's active ones, amounts in each currency's own minor units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.errors import ValidationFailed
from bankcrm.holdings.service import currencies
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import Account, AccountTransaction, BalanceSnapshot, Currency, LoanContract
from tests.factories import make_customer
from tests.holdings.helpers import account, load, loan, reasons, voucher, write_file

CIF = "90000000011"


def _balances(db: Session) -> list[tuple[str, str, int]]:
    rows = db.scalars(select(Account).order_by(Account.id))
    return [(a.account_no_masked[-2:], a.currency, a.balance) for a in rows]


def test_the_currency_table_is_the_iso_list_with_minor_units_and_six_active(db: Session) -> None:
    # Given the migrated database
    # When reading the currency table
    rows = {c.code: c for c in db.scalars(select(Currency))}
    # Then it holds the ISO 4217 list, the six currencies of before active, each with its minor unit
    assert len(rows) == 178
    assert sorted(code for code, c in rows.items() if c.active) == ["CNY", "EUR", "GBP", "HKD", "JPY", "USD"]
    assert {code: rows[code].minor_units for code in ("CNY", "JPY", "CZK", "BHD", "KWD", "IQD", "CLF")} == {
        "CNY": 2,
        "JPY": 0,
        "CZK": 2,
        "BHD": 3,
        "KWD": 3,
        "IQD": 3,
        "CLF": 4,
    }
    assert (rows["CZK"].label_en, rows["CZK"].label_zh) == ("Czech Koruna", "捷克克朗")


def test_an_inactive_or_unknown_currency_rejects_the_row_naming_column_and_value(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a customer and rows in an inactive currency (CZK), an unknown one (XYZ) and CNY
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF, currency="CZK"),
        account("6222000000000002", CIF, currency="XYZ"),
        account("6222000000000003", CIF),
    ]
    result = load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts")
    loans = [loan("LN000001", CIF, currency="CZK")]
    loan_result = load(db, settings, write_file(tmp_path / "l.csv", "loans", loans), "loans")
    # Then the CZK and XYZ rows are rejected on currency, naming the value
    assert reasons(result) == [
        (2, "currency", "Code CZK is not in use at this bank (code table currency)."),
        (3, "currency", "Unknown code XYZ (code table currency)."),
    ]
    assert reasons(loan_result) == [(2, "currency", "Code CZK is not in use at this bank (code table currency).")]
    assert _balances(db) == [("03", "CNY", 100_000)]


def test_amounts_are_kept_in_each_currencys_own_minor_units(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given CZK and BHD switched on, and accounts in CZK (2 decimals), JPY (none) and BHD (3)
    assert currencies.set_active(db, SYSTEM, ["CZK", "BHD"], active=True) == ["BHD", "CZK"]
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF, currency="CZK", balance="1234.56"),
        account("6222000000000002", CIF, currency="JPY", balance="1234"),
        account("6222000000000003", CIF, currency="BHD", balance="1.234"),
        account("6222000000000004", CIF, currency="JPY", balance="1234.5"),
        account("6222000000000005", CIF, currency="BHD", balance="1.2345"),
        account("6222000000000006", CIF, currency="CNY", balance="12.345"),
    ]
    # When loaded
    result = load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts")
    # Then each balance is in the currency's minor units, and more decimals than it has are rejected
    assert reasons(result) == [
        (5, "balance", "Not an amount: JPY has no minor unit, so whole numbers only, such as 1234."),
        (6, "balance", "Not an amount: digits with at most 3 decimals in BHD, such as 1234.500."),
        (7, "balance", "Not an amount: digits with at most two decimals, such as 1234.50."),
    ]
    assert _balances(db) == [("01", "CZK", 123_456), ("02", "JPY", 1_234), ("03", "BHD", 1_234)]


def test_balances_and_vouchers_take_the_accounts_currency(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a JPY and a BHD account
    currencies.set_active(db, SYSTEM, ["BHD"], active=True)
    make_customer(db, CIF)
    rows = [
        account("6222000000000001", CIF, currency="JPY", balance="100"),
        account("6222000000000002", CIF, currency="BHD", balance="1.000"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", rows), "accounts", day=date(2026, 10, 29))
    # When the day's balances and vouchers are loaded
    balances = [
        {"account_no": "6222000000000001", "balance": "5000"},
        {"account_no": "6222000000000002", "balance": "0.5"},
    ]
    result_b = load(db, settings, write_file(tmp_path / "b.csv", "balances", balances), "balances")
    vouchers = [
        voucher("V1", "6222000000000002", amount="0.125"),
        voucher("V2", "6222000000000001", amount="10.5"),
        voucher("V3", "6222000000000001", amount="4500"),
    ]
    result_t = load(db, settings, write_file(tmp_path / "t.csv", "transactions", vouchers), "transactions")
    # Then amounts are in each account's minor units; a yen amount with decimals is rejected
    assert reasons(result_b) == []
    assert reasons(result_t) == [
        (3, "amount", "Not an amount: JPY has no minor unit, so whole numbers only, such as 1234."),
    ]
    snapshots = db.execute(select(BalanceSnapshot.balance).order_by(BalanceSnapshot.account_id)).scalars().all()
    assert list(snapshots) == [5_000, 500]
    stored = db.execute(select(AccountTransaction.voucher_no, AccountTransaction.amount).order_by("voucher_no"))
    assert [tuple(r) for r in stored] == [("V1", 125), ("V3", 4_500)]


def test_a_loan_in_yen_is_kept_in_yen(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a loan contract in JPY
    make_customer(db, CIF)
    row = loan("LN000001", CIF, currency="JPY", amount="1000000", drawn="1000000", outstanding="800000")
    # When loaded
    result = load(db, settings, write_file(tmp_path / "l.csv", "loans", [row]), "loans")
    # Then its amounts are whole yen
    assert reasons(result) == []
    stored = db.scalars(select(LoanContract)).one()
    assert (stored.amount, stored.drawn, stored.outstanding, stored.rate_bp) == (1_000_000, 1_000_000, 800_000, 435)


def test_switching_currencies_is_audited_and_an_unknown_code_is_refused(db: Session) -> None:
    # Given the six active currencies
    # When CZK is switched on, GBP off, and CNY on again (no change)
    assert currencies.set_active(db, SYSTEM, ["CZK"], active=True) == ["CZK"]
    assert currencies.set_active(db, SYSTEM, ["GBP"], active=False) == ["GBP"]
    assert currencies.set_active(db, SYSTEM, ["CNY"], active=True) == []
    # Then the active list is exact and each change is in the audit log
    assert [c.code for c in currencies.listed(db, active_only=True)] == ["CNY", "USD", "EUR", "HKD", "JPY", "CZK"]
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("currency.%")).order_by(AuditEvent.seq))
    assert list(events) == ["currency.activated", "currency.deactivated"]
    # And an unknown code changes nothing
    with pytest.raises(ValidationFailed) as caught:
        currencies.set_active(db, SYSTEM, ["XYZ", "CZK"], active=False)
    assert [(e.field, e.params) for e in caught.value.errors] == [("code", {"codes": "XYZ"})]
    assert db.scalar(select(Currency.active).where(Currency.code == "CZK")) is True
