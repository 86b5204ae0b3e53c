"""`bankcrm ingest FILE ...` against a committed database: a refused file, a NUL line, and `--rerun`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.db import make_engine
from bankcrm.models.holding import AccountTransaction
from bankcrm.models.ingest import IngestRun
from tests.conftest import _drop_postgres
from tests.holdings.helpers import account, voucher, write_file
from tests.ingest.test_kill import _fresh_database

runner = CliRunner()
DATE = ("--business-date", "2026-10-30")


@pytest.fixture(scope="module")
def cli_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this backend, migrated, with the demo org and 10 customers committed (9100000000..9)."""
    url = _fresh_database(database_url, f"bankcrm_ingest_cli_{os.getpid()}", tmp_path_factory.mktemp("cli"))
    yield url
    if not url.startswith("sqlite"):
        _drop_postgres(url)


@pytest.fixture
def cli(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI's settings pointed at that database."""
    monkeypatch.setenv("BANKCRM_DATABASE_URL", cli_url)
    monkeypatch.setenv("BANKCRM_MODE", "test")
    get_settings.cache_clear()
    yield cli_url
    get_settings.cache_clear()


def _ingest(path: Path, file_type: str, source: str, *more: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["ingest", str(path), "--type", file_type, *DATE, "--source", source, *more])


def _count(url: str, stmt) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with Session(engine) as db:
        n = db.scalar(stmt) or 0
    engine.dispose()
    return n


def _summary(path: Path) -> dict[str, object]:
    summary: dict[str, object] = json.loads(path.with_name(path.name + ".summary.json").read_text(encoding="utf-8"))
    return summary


def test_a_file_with_a_quote_left_open_is_refused_with_a_summary_and_nothing_loaded(cli: str, tmp_path: Path) -> None:
    # Given an accounts file whose second row opens a quote that never closes
    rows = [account("6222100000000001", "91000000000"), account("6222100000000002", "91000000000")]
    path = write_file(tmp_path / "accounts.csv", "accounts", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + lines[2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = _count(cli, select(func.count()).select_from(IngestRun))
    # When it is loaded through the command line
    result = _ingest(path, "accounts", "CLI1")
    # Then the command fails with a one-line reason, no traceback, and nothing is loaded
    assert result.exit_code == 1, result.output
    assert "Refused, nothing loaded: A quoted field opened on line 3 does not close on that line" in " ".join(
        result.output.split()
    )
    assert "Traceback" not in result.output
    assert _count(cli, select(func.count()).select_from(IngestRun)) == runs
    # And the summary says why, in English and Chinese, with rows in = loaded + rejected = 0
    summary = _summary(path)
    assert {k: summary[k] for k in ("outcome", "rows_in", "rows_loaded", "rows_rejected", "run_id")} == {
        "outcome": "refused",
        "rows_in": 0,
        "rows_loaded": 0,
        "rows_rejected": 0,
        "run_id": None,
    }
    assert summary["reason"] == (
        "A quoted field opened on line 3 does not close on that line; one record per line is required."
    )
    assert summary["reason_zh"] == "第 3 行的引号字段未在该行内结束；每行必须是一条完整记录。"
    rejects = path.with_name("accounts.csv.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects == ["line,field,reason,reason_zh"]


def test_a_nul_in_a_voucher_rejects_its_line_and_the_rest_loads(cli: str, tmp_path: Path) -> None:
    # Given an account loaded, and vouchers one of which has a NUL in its summary
    accounts = write_file(tmp_path / "a.csv", "accounts", [account("6222200000000001", "91000000001")])
    assert _ingest(accounts, "accounts", "CLI2").exit_code == 0
    rows = [
        voucher("N1", "6222200000000001"),
        voucher("N2", "6222200000000001", summary="a\x00b"),
        voucher("N3", "6222200000000001"),
    ]
    path = write_file(tmp_path / "t.csv", "transactions", rows)
    # When they are loaded through the command line
    result = _ingest(path, "transactions", "CLI2")
    # Then the load succeeds, line 3 is rejected for the NUL, the two others are stored
    assert result.exit_code == 0, result.output
    summary = _summary(path)
    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 2, 1)
    rejects = path.with_name("t.csv.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[1] == "3,-,The line holds a NUL character.,该行含有 NUL 字符。,****"
    stored = select(func.count()).select_from(AccountTransaction).where(AccountTransaction.voucher_no.in_(["N1", "N3"]))
    assert _count(cli, stored) == 2


def test_rerun_loads_rejected_balances_once_their_accounts_are_there(cli: str, tmp_path: Path) -> None:
    # Given balances delivered before their account: rejected; then the account loaded
    balances = write_file(tmp_path / "b.csv", "balances", [{"account_no": "6222300000000001", "balance": "5.00"}])
    first = _ingest(balances, "balances", "CLI3")
    assert first.exit_code == 0 and _summary(balances)["rows_rejected"] == 1
    accounts = write_file(tmp_path / "a.csv", "accounts", [account("6222300000000001", "91000000002")])
    assert _ingest(accounts, "accounts", "CLI3").exit_code == 0
    # When the balances file is loaded again, then re-run
    again = _ingest(balances, "balances", "CLI3")
    rerun = _ingest(balances, "balances", "CLI3", "--rerun")
    # Then loading it again changes nothing, and the re-run loads the row as a new run
    run_id = _summary(balances)["run_id"]
    first_id = _summary(balances)["rerun_of"]
    assert "Already loaded" in again.output
    assert rerun.exit_code == 0, rerun.output
    assert f"Re-ran the rejected rows of run {first_id}: run {run_id}, 1 rows in, 1 loaded, 0 rejected." in " ".join(
        rerun.output.split()
    )
    summary = _summary(balances)
    assert (summary["outcome"], summary["rows_in"], summary["rows_loaded"], summary["rows_rejected"]) == (
        "rerun",
        1,
        1,
        0,
    )
    # And re-run once more, there is nothing left to do
    twice = _ingest(balances, "balances", "CLI3", "--rerun")
    assert twice.exit_code == 0 and f"Nothing to re-run: run {run_id} has no rejected rows." in twice.output
    # And another file for the same delivery is not re-run but refused: it must be loaded as a correction
    other = write_file(tmp_path / "b2.csv", "balances", [{"account_no": "6222300000000001", "balance": "6.00"}])
    refused = _ingest(other, "balances", "CLI3", "--rerun")
    assert refused.exit_code == 1
    assert "This file is not the one loaded for this delivery" in refused.output
