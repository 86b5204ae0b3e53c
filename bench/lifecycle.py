"""Lifecycle stages at scale: the ``lifecycle`` step's backfill over N customers × 12 snapshot months, both databases.

``python -m bench.lifecycle`` (``BANKCRM_BENCH_LIFECYCLE_CUSTOMERS``, default 100,000). Customers and 12 months of
``customer_month`` rows (written as the snapshot writes them: COPY on PostgreSQL) are generated with paths: most
steady, every 10th declining 40 % from the seventh month, every 17th closing everything in the tenth, every 7th new
in the first month; then the step evaluates all 12 months (first run, every move and the last month's tasks) and
again (a rerun, no new task). Results: bench/results/lifecycle-<database>.json.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.db import make_engine
from bankcrm.insight import repository as insight_repository
from bankcrm.insight.service.compute import add_months
from bankcrm.lifecycle.service import run as lifecycle_run
from bankcrm.models.insight import CustomerMonth
from bench import individuals
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import fresh

FIRST = date(2025, 12, 1)
MONTHS = [add_months(FIRST, n) for n in range(12)]
BATCH = 10_000
PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")


def _rows(ids: range, unit: int, now: datetime) -> pl.DataFrame:
    """12 months of snapshot rows of these customers, every column the table has."""
    frame = pl.DataFrame({"customer_id": list(ids)}).join(pl.DataFrame({"mi": list(range(12))}), how="cross")
    cid, mi = pl.col("customer_id"), pl.col("mi")
    base = (cid * 7919) % 2_000_000 + 20_000
    aum = (
        pl.when((cid % 17 == 0) & (mi >= 9))
        .then(0)
        .when((cid % 10 == 0) & (mi >= 6))
        .then(base * 6 // 10)
        .otherwise(base + mi * (cid % 5) * 1000)
    )
    held = pl.when((cid % 17 == 0) & (mi >= 9)).then(0).otherwise(1 + (cid % 3))
    tenure = pl.when(cid % 7 == 0).then(mi).otherwise(12 + (cid % 30) + mi)
    frame = frame.with_columns(
        mi.alias("_m"),
        aum.cast(pl.Int64).alias("aum_end"),
        held.cast(pl.Int64).alias("held_demand"),
        tenure.cast(pl.Int64).alias("tenure_months"),
    )
    frame = frame.with_columns(
        pl.col("_m").map_elements(lambda n: MONTHS[n], return_dtype=pl.Date).alias("month"),
        pl.col("_m").map_elements(lambda n: add_months(MONTHS[n], 1), return_dtype=pl.Date).alias("as_of"),
    ).with_columns(pl.col("as_of").dt.offset_by("-1d"))
    values: dict[str, pl.Expr] = {}
    for col in CustomerMonth.__table__.columns:
        if col.name in frame.columns or col.nullable:
            continue
        values[col.name] = pl.lit(0, dtype=pl.Int64)
    values |= {
        "kind": pl.lit("individual"),
        "unit_id": pl.lit(unit, dtype=pl.Int64),
        "tier": pl.lit("MASS"),
        "aum_avg": pl.col("aum_end"),
        "demand_end": pl.col("aum_end"),
        "computed_at": pl.lit(now),
    }
    frame = frame.with_columns(**values).drop("mi", "_m")
    return frame.select(insight_repository.insert_order(frame.columns))


def _generate(db: Session, customers: int) -> None:
    individuals.generate(db, customers, individuals.snapshot_rows(MONTHS, _rows))


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the step's backfill over 12 months and a rerun of it."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    fresh(url)
    engine = make_engine(url)
    with Session(engine) as db:
        _generate(db, customers)
        wall, cpu = time.perf_counter(), time.process_time()
        first = lifecycle_run.run(db, today=date(2026, 12, 3), full=True)
        db.commit()
        first_s, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        again = lifecycle_run.run(db, today=date(2026, 12, 3), full=True)
        db.commit()
        again_s, again_cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    return {
        "machine": machine(),
        "database": backend,
        "customers": customers,
        "months": len(MONTHS),
        "backfill_s": round(first_s, 2),
        "backfill_cpu_s": round(first_cpu, 2),
        "moves": first.moves,
        "tasks": first.tasks,
        "rerun_s": round(again_s, 2),
        "rerun_cpu_s": round(again_cpu, 2),
        "rerun_tasks": again.tasks,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    per_database("lifecycle", run_one, "BANKCRM_BENCH_LIFECYCLE_CUSTOMERS", 100_000)
