"""Lines the reader cannot take as rows: a quote left open, a misplaced quote, a NUL, a line too long."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.errors import ValidationFailed
from bankcrm.ingest.formats import FORMATS
from bankcrm.ingest.service.rejects import delivered
from bankcrm.ingest.service.run import Limits
from bankcrm.kit.i18n import gettext_for
from bankcrm.models.holding import Account, AccountTransaction
from bankcrm.models.ingest import IngestBatch, IngestReject, IngestRun
from tests.factories import make_customer
from tests.holdings.helpers import given_an_account, load, reasons, voucher, write_file

HEADER = ",".join(FORMATS["accounts"].names)


def _row(account_no: str, balance: str = "1000.00") -> str:
    return f"{account_no},90000000011,DD-CNY,BJ,CNY,ACTIVE,2024-03-01,,0.20,,,{balance}"


def _count(db: Session, model: object) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_a_quote_left_open_refuses_the_file_naming_its_line_and_loads_nothing(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an accounts file whose third row opens a quote that never closes
    make_customer(db, "90000000011")
    lines = [HEADER, _row("6222000000000001"), _row("6222000000000002"), '"' + _row("6222000000000003"), _row("62224")]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # When it is loaded (in a transaction the caller rolls back on error, as the CLI and jobs do)
    with pytest.raises(ValidationFailed) as refused, db.begin_nested():
        load(db, settings, path, "accounts")
    # Then the file is refused with a one-line reason naming line 4, in English and Chinese
    exc = refused.value
    assert gettext_for("en", exc.message, exc.params) == (
        "A quoted field opened on line 4 does not close on that line; one record per line is required."
    )
    assert gettext_for("zh_CN", exc.message, exc.params) == "第 4 行的引号字段未在该行内结束；每行必须是一条完整记录。"
    # And nothing was loaded or recorded
    assert (_count(db, Account), _count(db, IngestRun), _count(db, IngestBatch)) == (0, 0, 0)


def test_a_misplaced_quote_rejects_only_its_line(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given an accounts file where line 3 has text after a closing quote (quotes balanced: the line stands alone)
    make_customer(db, "90000000011")
    lines = [HEADER, _row("6222000000000001"), '"6222000000000002" x' + _row(""), _row("6222000000000003")]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # When it is loaded
    result = load(db, settings, path, "accounts")
    # Then only line 3 is rejected, as a whole line, and the others load
    assert reasons(result) == [
        (3, "-", "The line is not valid CSV: a quote stands inside a field or after a closing quote.")
    ]
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (3, 2, 1)
    assert _count(db, Account) == 2


def test_a_nul_in_a_text_field_rejects_its_line_and_the_rest_loads(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given an account and vouchers, one with a NUL inside its summary (PostgreSQL cannot store it in text)
    given_an_account(db, settings, tmp_path)
    rows = [
        voucher("V1", "6222000000000001"),
        voucher("V2", "6222000000000001", summary="工资\x00奖金"),
        voucher("V3", "6222000000000001"),
    ]
    path = write_file(tmp_path / "t.csv", "transactions", rows)
    # When it is loaded
    result = load(db, settings, path, "transactions")
    # Then line 3 alone is rejected for the NUL, and the other two vouchers load
    assert reasons(result) == [(3, "-", "The line holds a NUL character.")]
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (3, 2, 1)
    assert list(db.scalars(select(AccountTransaction.voucher_no).order_by(AccountTransaction.voucher_no))) == [
        "V1",
        "V3",
    ]
    # And the stored reject holds no NUL and no clear value
    stored = db.scalars(select(IngestReject)).one()
    assert json.loads(stored.raw) == ["****"]


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 4096])
def test_a_line_longer_than_the_limit_is_rejected_as_too_long_and_numbering_holds(
    db: Session, settings: Settings, tmp_path: Path, chunk_bytes: int
) -> None:
    # Given a limit of 2,048 bytes a line, and a file with a 50,000-byte line between good ones (read in one
    # chunk, or 4 KB at a time so that the long line spans many reads), and a long last line without a line end
    make_customer(db, "90000000011")
    long_line = _row("6222000000000002", balance="1" * 50_000)
    lines = [HEADER, _row("6222000000000001"), long_line, _row("6222000000000003"), "x" * 9_000]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    # When it is loaded
    limits = Limits(max_line_bytes=2048, reject_max_chars=300)
    result = load(db, settings, path, "accounts", chunk_bytes=chunk_bytes, limits=limits)
    # Then the long lines are rejected on their own with their line numbers, and the rows around them load
    assert reasons(result) == [
        (3, "-", "The line is longer than 2048 bytes."),
        (5, "-", "The line is longer than 2048 bytes."),
    ]
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (4, 2, 2)
    assert _count(db, Account) == 2
    # And the stored rejected lines are cut to 300 characters, marked as cut, and only encrypted
    stored = db.scalars(select(IngestReject).order_by(IngestReject.line_no)).all()
    assert [json.loads(r.raw) for r in stored] == [["****…[cut]"], ["****…[cut]"]]
    cipher = settings.field_cipher()
    clear = [delivered(r, cipher) for r in stored]
    assert [(len(c.values[0] or ""), c.cut) for c in clear if c is not None] == [(300, True), (300, True)]


def test_a_header_longer_than_the_limit_refuses_the_file(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a file whose header line is longer than the limit
    path = tmp_path / "accounts.csv"
    path.write_text(HEADER + "," + "x" * 3000 + "\n" + _row("6222000000000001") + "\n", encoding="utf-8")
    # When it is loaded with a limit of 2,048 bytes
    with pytest.raises(ValidationFailed) as refused, db.begin_nested():
        load(db, settings, path, "accounts", limits=Limits(max_line_bytes=2048))
    # Then it is refused saying so, and nothing is recorded
    exc = refused.value
    assert gettext_for("en", exc.message, exc.params) == "The header line is longer than 2048 bytes."
    assert _count(db, IngestRun) == 0


def test_a_row_longer_than_the_stored_length_is_stored_cut_and_marked(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a voucher whose summary is 1,000 characters (over its 200 limit, under the line limit)
    given_an_account(db, settings, tmp_path)
    path = write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000000001", summary="备" * 1000)])
    # When it is loaded with rejects stored up to 300 characters
    result = load(db, settings, path, "transactions", limits=Limits(reject_max_chars=300))
    # Then it is rejected for its length, and stored cut inside the summary, marked as cut
    assert reasons(result) == [(2, "summary", "Longer than 200 characters.")]
    raw = json.loads(db.scalars(select(IngestReject.raw)).one())
    assert raw[:6] == ["V1", "************0001", "2026-10-30 09:15:00", "****", "C", "BATCH"]
    assert raw[-1] == "备备备备备备****…[cut]"
    assert len(raw) == 10
