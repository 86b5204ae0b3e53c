"""PostgreSQL drops the load's connection mid-COPY (restart, terminate): nothing of it stays, a rerun loads all.

The database is this test's own; only the load's backend is terminated, by pid, from another connection.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from tests.conftest import PG_URL
from tests.factories import make_customer
from tests.fresh_db import fresh_database
from tests.holdings.helpers import account, voucher, write_file
from tests.ingest.test_kill import _checksums, _cli

ROWS = 120_000
ACCOUNTS = 50
COPYING = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%'"


@pytest.mark.skipif(not PG_URL, reason="needs BANKCRM_TEST_DATABASE_URL (PostgreSQL)")
def test_a_load_whose_backend_is_terminated_mid_copy_leaves_nothing_and_a_rerun_loads_all(tmp_path: Path) -> None:
    assert PG_URL is not None
    with fresh_database(PG_URL, "bankcrm_terminate", tmp_path) as url:
        # Given ten customers, their accounts loaded, and a vouchers file with some bad rows
        engine = make_engine(url)
        with session_scope(sessionmaker(bind=engine)) as db:
            for i in range(10):
                make_customer(db, f"9100000{i:04d}")
        accounts = [account(f"62220000{i:08d}", f"9100000{i % 10:04d}") for i in range(ACCOUNTS)]
        vouchers = [
            voucher(f"V{i:08d}", f"62220000{i % ACCOUNTS:08d}", amount="-1" if i % 1000 == 7 else f"{i % 5000}.25")
            for i in range(ROWS)
        ]
        load = ("--business-date", "2026-10-30", "--source", "CORE")
        accounts_file = write_file(tmp_path / "accounts.csv", "accounts", accounts)
        vouchers_file = write_file(tmp_path / "vouchers.csv", "transactions", vouchers)
        assert _cli(url, str(accounts_file), "--type", "accounts", *load).wait(120) == 0
        before = _checksums(url)
        # When the load's backend is terminated while a COPY runs
        proc = _cli(url, str(vouchers_file), "--type", "transactions", *load)
        admin = make_engine(url, isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + 120
        with admin.connect() as conn:
            while not (pids := list(conn.execute(text(COPYING)).scalars())):
                assert proc.poll() is None, "the load finished before a COPY was seen: make the file bigger"
                assert time.monotonic() < deadline
                time.sleep(0.02)
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pids[0]}).scalar_one()
        admin.dispose()
        # Then the command stops with a temporary-failure exit code and says so, without a traceback
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 75, err.decode()
        assert "Traceback" not in err.decode()
        assert "The database is unavailable; try again shortly." in err.decode().splitlines()
        # And nothing of the load is in the database: no vouchers, no run, no rejects, no audit event
        assert _checksums(url) == before
        # And run again, it loads the whole file
        assert _cli(url, str(vouchers_file), "--type", "transactions", *load).wait(300) == 0
        after = _checksums(url)
        assert after["account_transaction"].endswith(f":{ROWS - ROWS // 1000}")
        assert after["ingest_reject"].endswith(f":{ROWS // 1000}")
        assert after["ingest_run"].endswith(":2")
        engine.dispose()
