"""Core-banking files and loads shared by the ingest and holdings tests (customers come from tests.factories)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.ingest.formats import FORMATS
from bankcrm.ingest.service.run import IngestRequest, IngestResult, Limits, ingest_file
from tests.factories import make_customer

DAY = date(2026, 10, 30)


def account(account_no: str, cif_no: str, **overrides: str) -> dict[str, str]:
    """A valid accounts-file row (a demand deposit unless overridden)."""
    row = {
        "account_no": account_no,
        "cif_no": cif_no,
        "product_code": "DD-CNY",
        "branch_code": "BJ",
        "currency": "CNY",
        "status": "ACTIVE",
        "open_date": "2024-03-01",
        "close_date": "",
        "rate": "0.20",
        "maturity_date": "",
        "auto_renew": "",
        "balance": "1000.00",
    }
    return row | overrides


def loan(contract_no: str, cif_no: str, **overrides: str) -> dict[str, str]:
    """A valid loans-file row (a consumer loan unless overridden)."""
    row = {
        "contract_no": contract_no,
        "cif_no": cif_no,
        "product_code": "PL-CONS",
        "branch_code": "BJ",
        "currency": "CNY",
        "status": "ACTIVE",
        "amount": "100000.00",
        "drawn": "100000.00",
        "outstanding": "80000.00",
        "rate": "4.35",
        "term_months": "24",
        "start_date": "2025-06-01",
        "maturity_date": "2027-06-01",
        "repayment_method": "EQUAL_INSTALMENT",
        "guarantee_type": "CREDIT",
        "classification": "NORMAL",
        "days_overdue": "0",
    }
    return row | overrides


def voucher(voucher_no: str, account_no: str, **overrides: str) -> dict[str, str]:
    """A valid transactions-file row (a salary credit unless overridden)."""
    row = {
        "voucher_no": voucher_no,
        "account_no": account_no,
        "txn_time": "2026-10-30 09:15:00",
        "amount": "8500.00",
        "direction": "C",
        "channel": "BATCH",
        "counterparty_name": "北京星河科技有限公司",
        "counterparty_bank": "招商银行",
        "purpose_code": "SALARY",
        "summary": "工资",
    }
    return row | overrides


def write_file(
    path: Path, file_type: str, rows: list[dict[str, str]], encoding: str = "utf-8", drop: tuple[str, ...] = ()
) -> Path:
    """A delivered CSV file of this type (optionally without some columns)."""
    header = [c for c in FORMATS[file_type].names if c not in drop]
    with path.open("w", encoding="gb18030" if encoding == "gbk" else encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(db: Session, settings: Settings, path: Path, file_type: str, day: date = DAY, **kw: Any) -> IngestResult:
    """Ingest a file in the test's transaction as the system."""
    chunk_bytes = kw.pop("chunk_bytes", settings.ingest_chunk_bytes)
    undo_days = kw.pop("undo_days", settings.ingest_undo_days)
    limits = kw.pop("limits", Limits(settings.ingest_max_line_bytes, settings.ingest_reject_max_chars))
    req = IngestRequest(path=path, file_type=file_type, business_date=day, source=kw.pop("source", "CORE"), **kw)
    return ingest_file(
        db,
        settings.field_cipher(),
        SYSTEM,
        req,
        timezone=settings.timezone,
        chunk_bytes=chunk_bytes,
        undo_days=undo_days,
        limits=limits,
    )


def reasons(result: IngestResult) -> list[tuple[int, str, str]]:
    """(line, field, English reason) of each reject."""
    from bankcrm.kit.i18n import gettext_for

    return [(r.line, r.field, gettext_for("en", r.reason, r.params)) for r in result.rejects]


def given_an_account(
    db: Session, settings: Settings, tmp_path: Path, account_no: str = "6222000000000001", cif_no: str = "90000000011"
) -> None:
    """A customer with one demand-deposit account, loaded by an accounts file."""
    make_customer(db, cif_no)
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", [account(account_no, cif_no)]), "accounts")
