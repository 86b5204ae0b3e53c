"""Each ingest rule ends in the reject file with line, field and reason; rows in = loaded + rejected."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.ingest.service import plans
from bankcrm.ingest.service.outputs import reject_path, summary_path, write_outputs
from bankcrm.models.holding import Account, AccountTransaction, LoanContract
from tests.factories import make_customer
from tests.holdings.helpers import account, given_an_account, load, loan, reasons, voucher, write_file


def _count(db: Session, model: object) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_bad_rows_are_rejected_with_line_field_and_reason_and_the_good_rows_load(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a customer and an accounts file with one good row and one row per rule
    make_customer(db, "90000000011")
    rows = [
        account("6222000000000001", "90000000011"),
        account("6222000000000002", "90000000011", open_date="2024-02-30"),
        account("6222000000000003", "90000000099"),
        account("6222000000000004", "90000000011", product_code="FD-MMF", balance="-5.00"),
        account("6222000000000001", "90000000011", balance="7.00"),
        account("6222000000000005", "90000000011", product_code="TD-1Y"),
        account("6222000000000006", "90000000011", status="OPEN"),
        account("6222000000000007", "90000000011", balance="12.345"),
        account("62220", "90000000011"),
    ]
    path = write_file(tmp_path / "accounts.csv", "accounts", rows)
    # When it is loaded
    result = load(db, settings, path, "accounts")
    # Then each bad row is rejected for its first problem, naming line and field
    assert reasons(result) == [
        (3, "open_date", "Not a date in the form YYYY-MM-DD."),
        (4, "cif_no", "No customer with this CIF number."),
        (5, "balance", "Must not be negative: product FD-MMF does not allow an overdraft."),
        (6, "account_no", "Duplicate key: the same value is on line 2."),
        (7, "maturity_date", "Required for time deposits, wealth products and acceptance bills."),
        (8, "status", "Unknown code OPEN (code table account_status)."),
        (9, "balance", "Not an amount: digits with at most two decimals, such as 1234.50."),
        (10, "account_no", "Not an account or contract number: 6 to 32 letters or digits."),
    ]
    # And the counts add up, and only the good row is in the database
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (9, 1, 8)
    assert db.scalar(select(Account.balance).where(Account.account_no_masked.like("%0001"))) == 100000
    assert _count(db, Account) == 1


def test_a_missing_column_rejects_every_row_naming_the_column(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a loans file without the classification column
    make_customer(db, "90000000011")
    path = write_file(
        tmp_path / "loans.csv",
        "loans",
        [loan("LN000001", "90000000011"), loan("LN000002", "90000000011")],
        drop=("classification",),
    )
    # When it is loaded
    result = load(db, settings, path, "loans")
    # Then every row is rejected for the missing column, nothing is loaded
    assert reasons(result) == [
        (2, "classification", "The column is missing from the header."),
        (3, "classification", "The column is missing from the header."),
    ]
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (2, 0, 2)
    assert _count(db, LoanContract) == 0


def test_loan_rules_compare_columns(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given loans whose drawn exceeds the amount, outstanding exceeds drawn, or maturity precedes start
    make_customer(db, "90000000011")
    rows = [
        loan("LN000001", "90000000011", classification="SUBSTANDARD", days_overdue="95"),
        loan("LN000002", "90000000011", drawn="100000.01"),
        loan("LN000003", "90000000011", outstanding="100000.01"),
        loan("LN000004", "90000000011", maturity_date="2025-05-31"),
        loan("LN000005", "90000000011", product_code="DD-CNY"),
    ]
    result = load(db, settings, write_file(tmp_path / "loans.csv", "loans", rows), "loans")
    # Then
    assert reasons(result) == [
        (3, "drawn", "Must not be more than amount."),
        (4, "outstanding", "Must not be more than drawn."),
        (5, "maturity_date", "Must be after start_date."),
        (6, "product_code", "Not a loan product."),
    ]
    stored = db.scalars(select(LoanContract)).one()
    assert (stored.classification, stored.days_overdue, stored.outstanding, stored.rate_bp) == (
        "SUBSTANDARD",
        95,
        8_000_000,
        435,
    )
    assert stored.contract_no_masked == "****0001"


def test_transaction_rules_and_an_unknown_account(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given one account and vouchers breaking the rules
    given_an_account(db, settings, tmp_path)
    rows = [
        voucher("V1", "6222000000000001"),
        voucher("V2", "6222000000009999"),
        voucher("V3", "6222000000000001", amount="0.00"),
        voucher("V4", "6222000000000001", txn_time="2026-10-31 00:00:00"),
        voucher("V5", "6222000000000001", direction="X"),
        voucher("V1", "6222000000000001"),
        voucher("V6", "6222000000000001", txn_time="2026-10-30 9:15"),
    ]
    result = load(db, settings, write_file(tmp_path / "t.csv", "transactions", rows), "transactions")
    # Then
    assert reasons(result) == [
        (3, "account_no", "No account with this number; load it with an accounts file first."),
        (4, "amount", "Must be more than 0."),
        (5, "txn_time", "Must not be after the end of the business date 2026-10-30."),
        (6, "direction", "Unknown code X (code table direction)."),
        (7, "voucher_no", "Duplicate key: the same value is on line 2."),
        (8, "txn_time", "Not a date and time in the form YYYY-MM-DD HH:MM:SS."),
    ]
    stored = db.scalars(select(AccountTransaction)).one()
    # 09:15 in Shanghai is 01:15 UTC
    assert (stored.voucher_no, stored.amount, stored.txn_time.isoformat()) == (
        "V1",
        850000,
        "2026-10-30T01:15:00+00:00",
    )


def test_a_line_in_the_wrong_encoding_is_rejected_alone(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a GBK file holding one line of bytes that are not GBK, and a UTF-8 file read as UTF-8 with a GBK line
    given_an_account(db, settings, tmp_path)
    path = write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000001")])
    with path.open("ab") as fh:
        fh.write("V2,6222000000000001,2026-10-30 10:00:00,1.00,D,POS,超市,,CONSUME,消费\n".encode("gbk"))
    # When the UTF-8 file is loaded
    result = load(db, settings, path, "transactions")
    # Then the GBK line is rejected, the other loads
    assert reasons(result) == [(3, "-", "The line is not valid utf-8.")]
    assert (result.run.rows_in, result.run.rows_loaded) == (2, 1)


def test_a_gbk_file_loads_with_its_chinese_text(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a GBK-encoded vouchers file
    given_an_account(db, settings, tmp_path)
    path = write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000001")], encoding="gbk")
    # When loaded as GBK
    result = load(db, settings, path, "transactions", encoding="gbk")
    # Then the Chinese text arrives intact
    assert result.run.rows_loaded == 1
    assert db.scalar(select(AccountTransaction.counterparty_name)) == "北京星河科技有限公司"


def test_the_reject_file_and_summary_are_written_beside_the_file(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a file with one bad row, loaded
    make_customer(db, "90000000011")
    path = write_file(
        tmp_path / "accounts.csv",
        "accounts",
        [account("6222000000000001", "90000000011"), account("6222000000000002", "90000000098")],
    )
    result = load(db, settings, path, "accounts")
    # When the outputs are written
    write_outputs(db, result, path, "utf-8")
    # Then the reject file names line, field and reason in both languages, then the row, masked
    lines = reject_path(path).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == (
        "line,field,reason,reason_zh,account_no,cif_no,product_code,branch_code,currency,status,open_date,"
        "close_date,rate,maturity_date,auto_renew,balance,linked_account_no"
    )
    assert lines[1] == (
        "3,cif_no,No customer with this CIF number.,没有此客户号的客户。,************0002,*******0098,"
        "DD-CNY,BJ,CNY,ACTIVE,2024-03-01,,0.20,,,****,"
    )
    assert '"rows_in": 2' in summary_path(path).read_text(encoding="utf-8")


def test_a_file_naming_many_accounts_resolves_them_from_one_scan_with_the_same_result(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the threshold for scanning the whole account table lowered to 0, and two accounts on file
    monkeypatch.setattr(plans, "WHOLE_TABLE_ABOVE", 0)
    make_customer(db, "90000000011")
    accounts = [account("6222000000000001", "90000000011"), account("6222000000000002", "90000000011")]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    # When vouchers name both accounts and an unknown one
    rows = [voucher("V1", "6222000000000001"), voucher("V2", "6222000000000002"), voucher("V3", "6222000000000003")]
    result = load(db, settings, write_file(tmp_path / "t.csv", "transactions", rows), "transactions")
    # Then the known ones load to the right accounts and the unknown one is rejected
    assert reasons(result) == [(4, "account_no", "No account with this number; load it with an accounts file first.")]
    stored = db.execute(
        select(AccountTransaction.voucher_no, Account.account_no_masked)
        .join(Account, Account.id == AccountTransaction.account_id)
        .order_by(AccountTransaction.voucher_no)
    ).all()
    assert [tuple(r) for r in stored] == [("V1", "************0001"), ("V2", "************0002")]


def test_a_file_in_many_chunks_written_while_the_next_is_checked_loads_every_good_row(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 30 accounts, and 3,000 vouchers read 16 KB at a time (about 25 chunks, each written in the
    # background while the next is checked) with a bad row every 500 and a duplicate across chunks
    monkeypatch.setattr(plans, "WHOLE_TABLE_ABOVE", 0)
    make_customer(db, "90000000011")
    accounts = [account(f"62220000000000{i:02d}", "90000000011") for i in range(30)]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
    rows = [
        voucher(f"V{i:05d}", f"62220000000000{i % 30:02d}", amount="-1.00" if i % 500 == 499 else f"{i}.01")
        for i in range(3000)
    ]
    rows.append(voucher("V00007", "6222000000000007"))
    path = write_file(tmp_path / "t.csv", "transactions", rows)
    # When it is loaded in small chunks
    result = load(db, settings, path, "transactions", chunk_bytes=16 * 1024)
    # Then every good row is in the database, once, and the bad ones are rejected by line
    assert [(line, field) for line, field, _ in reasons(result)] == [
        (501, "amount"), (1001, "amount"), (1501, "amount"), (2001, "amount"), (2501, "amount"), (3001, "amount"),
        (3002, "voucher_no"),
    ]  # fmt: skip
    assert (result.run.rows_in, result.run.rows_loaded) == (3001, 2994)
    total = db.scalar(select(func.sum(AccountTransaction.amount)))
    assert db.scalar(select(func.count()).select_from(AccountTransaction)) == 2994
    assert total == sum(i * 100 + 1 for i in range(3000) if i % 500 != 499)


def test_voucher_text_with_backslashes_tabs_and_quotes_is_stored_as_delivered(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an account and a voucher whose free text holds a backslash, a tab and quotes, and no bank
    given_an_account(db, settings, tmp_path)
    summary = 'ref C:\\pay\\N\t"季度" 奖金'
    row = voucher("V1", "6222000000000001", summary=summary, counterparty_name="O'Brien \\ Co", counterparty_bank="")
    # When it is loaded
    result = load(db, settings, write_file(tmp_path / "t.csv", "transactions", [row]), "transactions")
    # Then the text comes back exactly, and the empty bank is no value
    assert result.run.rows_loaded == 1
    stored = db.scalars(select(AccountTransaction)).one()
    assert (stored.summary, stored.counterparty_name, stored.counterparty_bank) == (summary, "O'Brien \\ Co", None)


def test_local_times_follow_the_banks_zone_a_repeated_hour_is_the_later_and_a_skipped_one_is_rejected(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a bank in New York (clocks went back at 02:00 on 2026-11-01 and forward on 2026-03-08)
    new_york = settings.model_copy(update={"timezone": "America/New_York"})
    given_an_account(db, new_york, tmp_path)
    rows = [
        voucher("V1", "6222000000000001", txn_time="2026-11-01 01:30:00"),
        voucher("V2", "6222000000000001", txn_time="2026-03-08 02:30:00"),
        voucher("V3", "6222000000000001", txn_time="2026-10-31 12:00:00"),
        voucher("V4", "6222000000000001", txn_time="0000-01-01 00:00:00"),
    ]
    # When the day's vouchers are loaded
    result = load(
        db, new_york, write_file(tmp_path / "t.csv", "transactions", rows), "transactions", day=date(2026, 11, 1)
    )
    # Then the time in the gap and the year 0 are rejected
    assert reasons(result) == [
        (3, "txn_time", "Not a date and time in the form YYYY-MM-DD HH:MM:SS."),
        (5, "txn_time", "Not a date and time in the form YYYY-MM-DD HH:MM:SS."),
    ]
    # And 01:30 of the repeated hour is standard time (06:30 UTC), 12:00 daylight time (16:00 UTC)
    stored = db.execute(select(AccountTransaction.voucher_no, AccountTransaction.txn_time).order_by("voucher_no"))
    assert [(v, t.astimezone(UTC).isoformat()) for v, t in stored] == [
        ("V1", "2026-11-01T06:30:00+00:00"),
        ("V3", "2026-10-31T16:00:00+00:00"),
    ]
