"""Foundation benchmarks: audit-chain append and verify, and the cost of a password check.

Run with ``make bench``. Uses a fresh SQLite file and, when it can reach it, a fresh PostgreSQL
database (``BANKCRM_BENCH_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/bankcrm_bench``),
so figures from both engines come from the same run on the same machine.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.kit.passwords import hash_password, verify_password
from bankcrm.migrate import upgrade

EVENTS = int(os.environ.get("BANKCRM_BENCH_AUDIT_EVENTS", "5000"))
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
ACTOR = Actor(1, "bench", "127.0.0.1")


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def fresh_postgres(url: str) -> str | None:
    """Drop and recreate the bench database; None when PostgreSQL cannot be reached."""
    admin_url, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return url


def audit_figures(url: str) -> tuple[float, float]:
    """Events/s appended one transaction each (as real writes are), and events/s verified."""
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)

    def append_all() -> None:
        for i in range(EVENTS):
            with session_scope(factory) as db:
                audit_service.record(
                    db, ACTOR, "bench.write", entity_type="bench", entity_id=i, changes={"n": [i, i + 1]}
                )

    def verify_all() -> None:
        with session_scope(factory) as db:
            report = audit_service.verify(db)
            assert report.ok, report.reason

    appended = timed(append_all)
    verified = timed(verify_all)
    engine.dispose()
    return EVENTS / appended, EVENTS / verified


def password_check_ms(rounds: int = 20) -> float:
    """Milliseconds per Argon2id verification (what one sign-in costs the server)."""
    stored = hash_password("Bench-password-2026")
    return timed(lambda: [verify_password(stored, "Bench-password-2026") for _ in range(rounds)]) * 1000 / rounds


def main() -> None:
    """Print one Markdown table of figures, ready for docs/benchmarks.md."""
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = audit_figures(f"sqlite:///{Path(tmp) / 'bench.db'}")
    pg_url = fresh_postgres(PG_URL)
    pg = [f"{v:,.0f}" for v in audit_figures(pg_url)] if pg_url else ["n/a", "n/a"]
    print("| figure | SQLite | PostgreSQL |\n|---|---|---|")
    print(f"| audit append, events/s ({EVENTS:,} one-event transactions) | {sqlite[0]:,.0f} | {pg[0]} |")
    print(f"| audit verify, events/s | {sqlite[1]:,.0f} | {pg[1]} |")
    print(f"| Argon2id password check, ms | {password_check_ms():.1f} | (same) |")


if __name__ == "__main__":
    main()
