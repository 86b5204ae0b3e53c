"""A load killed (SIGKILL) mid-file leaves the database as it was; run again, it ends exactly as one clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade
from tests.conftest import _drop_postgres
from tests.factories import make_customer
from tests.holdings.helpers import account, voucher, write_file
from tests.ingest.snapshot import table_checksums

ROWS = 120_000
ACCOUNTS = 50


def _fresh_database(base_url: str, name: str, tmp_path: Path) -> str:
    """An empty database of the same backend, migrated, with the demo org and 10 customers committed."""
    if base_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / (name + '.db')}"
    else:
        admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
        for i in range(10):
            make_customer(db, f"9100000{i:04d}")
    engine.dispose()
    return url


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"BANKCRM_DATABASE_URL": url, "BANKCRM_MODE": "test", "BANKCRM_INGEST_CHUNK_BYTES": "262144"}
    return subprocess.Popen(
        [sys.executable, "-m", "bankcrm", "ingest", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _checksums(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with Session(engine) as db:
        sums = table_checksums(db)
    engine.dispose()
    return sums


def _mid_load(url: str, proc: subprocess.Popen[bytes]) -> bool:
    """True once the load is writing inside its open transaction (SQLite WAL growing, or a COPY running)."""
    if url.startswith("sqlite"):
        wal = Path(make_url(url).database + "-wal")  # type: ignore[operator]
        return wal.exists() and wal.stat().st_size > 1_000_000
    engine = make_engine(url)
    with engine.connect() as conn:
        busy = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%'")
        ).scalar_one()
    engine.dispose()
    return bool(busy)


def test_a_killed_load_rerun_ends_as_one_clean_run(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Given accounts in two identical databases, and a file of vouchers with some bad rows
    accounts = [account(f"62220000{i:08d}", f"9100000{i % 10:04d}") for i in range(ACCOUNTS)]
    vouchers = [
        voucher(f"V{i:08d}", f"62220000{i % ACCOUNTS:08d}", amount="-1" if i % 1000 == 7 else f"{i % 5000}.25")
        for i in range(ROWS)
    ]
    accounts_file = write_file(tmp_path / "accounts.csv", "accounts", accounts)
    vouchers_file = write_file(tmp_path / "vouchers.csv", "transactions", vouchers)
    load = ("--business-date", "2026-10-30", "--source", "CORE")
    urls = []
    for name in (f"bankcrm_clean_{os.getpid()}", f"bankcrm_killed_{os.getpid()}"):
        url = _fresh_database(database_url, name, tmp_path)
        if not url.startswith("sqlite"):
            request.addfinalizer(lambda url=url: _drop_postgres(url))
        assert _cli(url, str(accounts_file), "--type", "accounts", *load).wait(120) == 0
        urls.append(url)
    clean, killed = urls
    before = _checksums(killed)
    # When one load runs to the end, and the other is killed while it writes
    assert _cli(clean, str(vouchers_file), "--type", "transactions", *load).wait(300) == 0
    proc = _cli(killed, str(vouchers_file), "--type", "transactions", *load)
    deadline = time.monotonic() + 120
    while not _mid_load(killed, proc):
        assert proc.poll() is None, "the load finished before it could be killed: make the file bigger"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    # Then nothing of the killed load is in the database
    assert _checksums(killed) == before
    # And run again, it ends exactly as the clean run
    assert _cli(killed, str(vouchers_file), "--type", "transactions", *load).wait(300) == 0
    after = _checksums(killed)
    assert after == _checksums(clean)
    assert after["account_transaction"].endswith(f":{ROWS - ROWS // 1000}")
    assert after["ingest_reject"].endswith(f":{ROWS // 1000}")
    # And the reject file and summary were written
    assert (tmp_path / "vouchers.csv.summary.json").is_file()
