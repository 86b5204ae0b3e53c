"""A customers feed killed (SIGKILL) while its workers build and it writes leaves nothing; run again, it loads all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.db import make_engine
from bankcrm.demo import feed_files
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer, CustomerSearchKey, FieldChange
from bankcrm.models.matching import CustomerSource
from tests.conftest import _drop_postgres
from tests.ingest.test_kill import _fresh_database, _mid_load

CUSTOMERS = 8_000  # two chunks of ~1 MB, each over the workers' minimum: the load's one pool builds them
TABLES = (Customer, CustomerSearchKey, FieldChange, CustomerSource, AuditEvent)


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"BANKCRM_DATABASE_URL": url, "BANKCRM_MODE": "test", "BANKCRM_INGEST_CHUNK_BYTES": "1048576"}
    return subprocess.Popen(
        [sys.executable, "-m", "bankcrm", "ingest", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            out.setdefault(parent, []).append(int(entry.name))
    return out


def _descendants(pid: int) -> list[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as db:
        out = {t.__tablename__: db.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}
    engine.dispose()
    return out


def test_a_killed_feed_leaves_nothing_and_loads_whole_when_rerun(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a database and a core-banking customers feed large enough for the worker processes
    url = _fresh_database(database_url, f"bankcrm_feedkill_{os.getpid()}", tmp_path)
    if not url.startswith("sqlite"):
        request.addfinalizer(lambda: _drop_postgres(url))
    files = feed_files.write_feed(tmp_path, CUSTOMERS, date(2026, 10, 30), seed=3)
    monkeypatch.setenv("BANKCRM_WORKERS", "2")
    args = (str(files.core), "--type", "customers", "--business-date", "2026-10-30", "--source", "CORE")
    before = _counts(url)
    # When its load is killed while it writes (the workers building the next batches)
    proc = _cli(url, *args)
    deadline = time.monotonic() + 300
    while not _mid_load(url, proc):
        assert proc.poll() is None, "the load finished before it could be killed: make the file bigger"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    helpers = _descendants(proc.pid)  # the fork server and the load's worker processes
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    # Then nothing of it is in the database
    assert _counts(url) == before
    # And its worker processes and their fork server end on their own (they watch the loading process)
    assert helpers
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in helpers):
        assert time.monotonic() < deadline, [pid for pid in helpers if _alive(pid)]
        time.sleep(0.2)
    # And run again, every customer of the file is created once
    assert _cli(url, *args).wait(600) == 0
    after = _counts(url)
    assert after["customer_source"] == CUSTOMERS
    engine = make_engine(url)
    with Session(engine) as db:
        created = db.scalar(select(func.count()).where(CustomerSource.match_method == "created"))
    engine.dispose()
    assert created and after["customer"] == before["customer"] + created
