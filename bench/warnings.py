"""Early-warning signals at scale: the nightly ``warnings`` step over N customers × 6 months of customer_month, both
databases.

``python -m bench.warnings`` (``BANKCRM_BENCH_WARNINGS_CUSTOMERS``, default 100,000). Customers and 6 months of
snapshot rows are generated as in bench/lifecycle.py (the same paths: every 10th down 40 % from the fourth month,
every 17th closing everything in the last), plus every 13th sending 2 transfers a month to other banks from the
fourth month, every 4th paid a salary (every 8th not in the last month) and days since the last transaction spread
0-119. Then the step evaluates every signal and raises the warnings (first run), and again (a rerun: all already
open, none raised). Results: bench/results/warnings-<database>.json.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.db import make_engine
from bankcrm.earlywarning.service import raising
from bankcrm.insight import repository as insight_repository
from bench import individuals
from bench import lifecycle as base
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import fresh

MONTHS = base.MONTHS[:6]
TODAY = date(2026, 12, 3)
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")


def _rows(ids: range, unit: int, now: datetime) -> pl.DataFrame:
    """6 months of snapshot rows with the signals' columns filled along the paths above."""
    frame = base._rows(ids, unit, now).filter(pl.col("month").is_in(MONTHS))
    cid = pl.col("customer_id")
    mi = pl.col("month").rank("dense").over("customer_id") - 1
    last = mi == len(MONTHS) - 1
    frame = frame.with_columns(
        aum_end=pl.when((cid % 10 == 0) & (mi >= 3)).then(pl.col("aum_end") * 6 // 10).otherwise(pl.col("aum_end")),
        transfer_out_other_count=pl.when((cid % 13 == 0) & (mi >= 3)).then(2).otherwise(0).cast(pl.Int64),
        transfer_out_other_amount=pl.when((cid % 13 == 0) & (mi >= 3)).then(5_000_000).otherwise(0).cast(pl.Int64),
        salary_count=pl.when((cid % 4 == 0) & ~((cid % 8 == 0) & last)).then(1).otherwise(0).cast(pl.Int64),
        salary_amount=pl.when((cid % 4 == 0) & ~((cid % 8 == 0) & last)).then(1_200_000).otherwise(0).cast(pl.Int64),
        days_since_txn=(cid % 120).cast(pl.Int64),
    )
    return frame.select(insight_repository.insert_order(frame.columns))


def _generate(db: Session, customers: int) -> None:
    individuals.generate(db, customers, individuals.snapshot_rows(MONTHS, _rows))


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the step (signals, raising, escalation) and a rerun."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    fresh(url)
    engine = make_engine(url)
    with Session(engine) as db:
        _generate(db, customers)
        wall, cpu = time.perf_counter(), time.process_time()
        first = raising.raise_from_signals(db, TODAY, MONTHS[-1])
        db.commit()
        first_s, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        again = raising.raise_from_signals(db, TODAY, MONTHS[-1])
        db.commit()
        again_s, again_cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    return {
        "machine": machine(),
        "database": backend,
        "customers": customers,
        "months": len(MONTHS),
        "first_s": round(first_s, 2),
        "first_cpu_s": round(first_cpu, 2),
        "flagged": first.flagged,
        "raised": first.raised,
        "rerun_s": round(again_s, 2),
        "rerun_cpu_s": round(again_cpu, 2),
        "rerun_raised": again.raised,
        "rerun_already_open": again.already_open,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    per_database("warnings", run_one, "BANKCRM_BENCH_WARNINGS_CUSTOMERS", 100_000)
