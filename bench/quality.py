"""The data-quality page and its nightly step at scale: checking live versus reading the kept checks.

``python -m bench.quality`` (``make bench``): per database (each in its own process), N individuals generated as
bench.cif does (resident ID, birth date, gender, an encrypted mobile), then timed: the head office's page with
nothing kept (every customer decrypted and checked live, as before the kept checks), the first nightly step
(checks every customer and keeps them), the page again (masks summed in SQL), and the day after 1% of customers
changed: the page (those 1% checked live) and the nightly step (only they are checked again).
N: ``BANKCRM_BENCH_QUALITY_CUSTOMERS`` (default 100,000). Results: bench/results/quality-<database>.json.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.migrate import upgrade
from bankcrm.quality.service import figures, snapshot
from bench import cif
from bench.common import machine, peak_rss_mb, per_database

TODAY = date(2026, 12, 3)
CHANGED_EVERY = 100  # 1% of customers change before the second day
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """The result and the wall seconds."""
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def run_one(database: str, customers: int, workdir: Path) -> dict[str, Any]:
    """Generate, then time the page and the nightly step on one database."""
    settings = Settings(mode="test")
    cipher = settings.field_cipher()
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        from bench.run import fresh_postgres

        maybe = fresh_postgres(cif.PG_URL)
        if maybe is None:
            return {"database": database, "skipped": "PostgreSQL not reachable"}
        url = maybe
    upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine)
    with session_scope(factory) as db:
        demo_org.build(db)
    _, generate_s = timed(lambda: cif.generate(engine, cipher, customers))

    def page() -> int:
        with session_scope(factory) as db:
            return figures.compute(db, cipher, SYSTEM_PRINCIPAL, TODAY, "en").customers

    def nightly(day: date) -> int:
        with session_scope(factory) as db:
            return snapshot.take(db, cipher, day).checked

    counted, live_s = timed(page)
    first, first_nightly_s = timed(lambda: nightly(TODAY))
    _, kept_s = timed(page)
    with engine.begin() as conn:  # 1% of customers change (every change path sets updated_at)
        conn.execute(text(f"UPDATE customer SET updated_at = CURRENT_TIMESTAMP WHERE id % {CHANGED_EVERY} = 0"))
    _, changed_page_s = timed(page)
    again, next_nightly_s = timed(lambda: nightly(date(2026, 12, 4)))
    engine.dispose()
    return {
        "database": database,
        "customers": customers,
        "counted": counted,
        "generate_s": generate_s,
        "page_all_live_s": live_s,
        "first_nightly_checked": first,
        "first_nightly_s": first_nightly_s,
        "page_all_kept_s": kept_s,
        "page_1pct_changed_s": changed_page_s,
        "next_nightly_checked": again,
        "next_nightly_s": next_nightly_s,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def main() -> None:
    """Each database in its own process (peak memory is its own)."""
    per_database("quality", run_one, "BANKCRM_BENCH_QUALITY_CUSTOMERS", 100_000)


if __name__ == "__main__":
    main()
