"""The monthly customer snapshot at scale: the backfill of 24 months, then the nightly incremental run with 5 %
of customers changed, on both databases.

``python -m bench.snapshot``. The bank is bench.holdings' generated one (3 accounts per customer, 10 vouchers
each over a year, 12 month-end balances per demand account, a loan for one in ten), given a second, earlier
year of month-end balances and vouchers so that 24 months hold data. Then, timed: ``snapshot --backfill``
(every month of history, all customers); a nightly where 5 % of customers got a new balance (queued by ingest
as the dirty-customer queue does) — the ``figures`` step for them and the incremental ``snapshot`` step.
Sizes: ``BANKCRM_BENCH_CUSTOMERS`` (default 1,000,000). CPU seconds are the process's own (user + system).
Results: bench/results/snapshot-<database>.json.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.holdings import jobs as holdings_jobs
from bankcrm.insight import jobs as insight_jobs
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import Sql, fresh, generate

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench_snapshot")
CHANGED_SHARE = 20  # one customer in 20 changed: 5 %


def earlier_year(conn: Connection, customers: int) -> dict[str, float]:
    """Month-end balances of demand accounts and 10 vouchers per customer over Nov 2024 – Oct 2025."""
    q = Sql(conn.dialect.name)
    ends = ["2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31",
            "2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31"]  # fmt: skip
    months = " UNION ALL ".join(f"SELECT '{d}' AS d, {k} AS k" for k, d in enumerate(ends))
    day = "m.d::date" if q.pg else "m.d"
    accounts = customers * 3
    steps = {
        "balance_snapshot_earlier": "INSERT INTO balance_snapshot (account_id, balance_date, customer_id, balance,"
        f" batch_id) SELECT a.id, {day}, a.customer_id, a.balance / 2 + m.k * 500, 3 FROM account a"
        f" CROSS JOIN ({months}) m WHERE a.product_code = 'DD-CNY'",
        "account_transaction_earlier": "INSERT INTO account_transaction (batch_id, voucher_no, account_id,"
        f" customer_id, txn_time, amount, direction, channel, counterparty_name, counterparty_bank, purpose_code,"
        f" summary) SELECT 2, 'E' || {q.pad('i', 12)}, a, (a - 1) % {customers} + 1,"
        f" {q.moment('2024-11-01', '(i * 7) % 31536000')}, (i * 7919) % 1000000 + 1,"
        f" CASE i % 2 WHEN 0 THEN 'D' ELSE 'C' END, CASE i % 3 WHEN 0 THEN 'COUNTER' WHEN 1 THEN 'ONLINE'"
        f" ELSE 'BATCH' END, '北京星河科技有限公司', CASE i % 5 WHEN 0 THEN '' ELSE '招商银行' END,"
        f" CASE i % 3 WHEN 2 THEN 'SALARY' ELSE 'TRANSFER' END, '转账'"
        f" FROM (SELECT i, (i * 7919) % {accounts} + 1 AS a FROM {q.series(customers * 10)}) v",
    }
    timings: dict[str, float] = {}
    for name, sql in steps.items():
        started = time.perf_counter()
        conn.execute(text(sql))
        timings[f"generate_{name}_s"] = round(time.perf_counter() - started, 1)
        print(f"  {name}: {timings[f'generate_{name}_s']} s", flush=True)
    conn.execute(text("ANALYZE"))
    return timings


def cpu_s() -> float:
    """This process's CPU seconds so far (user + system)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(step: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), cpu_s()
    out = step()
    return out, round(time.perf_counter() - wall, 1), round(cpu_s() - cpu, 1)


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate two years of history, backfill the snapshot, then a nightly with 5 % of customers changed."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    fresh(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        sizes = generate(conn, customers)
        sizes |= earlier_year(conn, customers)
    factory = sessionmaker(bind=engine)
    with session_scope(factory) as db:
        _, figures_full_s, _ = timed(lambda: holdings_jobs.figures_job(db, settings, full=True))
    with session_scope(factory) as db:
        backfill, backfill_s, backfill_cpu = timed(lambda: insight_jobs.snapshot_job(db, settings, backfill=True))
    with session_scope(factory) as db:  # the nightly ingest: a new balance for 5 % of demand accounts, queued
        db.execute(text(f"UPDATE balance_snapshot SET balance = balance + 100 WHERE balance_date = '2026-10-31'"
                        f" AND customer_id % {CHANGED_SHARE} = 0"))  # fmt: skip
        db.execute(text(f"INSERT INTO customer_figure_dirty (customer_id) SELECT id FROM customer"
                        f" WHERE id % {CHANGED_SHARE} = 0"))  # fmt: skip
    with session_scope(factory) as db:
        figures, figures_s, figures_cpu = timed(lambda: holdings_jobs.figures_job(db, settings))
    with session_scope(factory) as db:
        nightly, nightly_s, nightly_cpu = timed(lambda: insight_jobs.snapshot_job(db, settings))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM customer_month")).scalar_one()
    engine.dispose()
    return {
        "database": backend,
        **sizes,
        "figures_full_s": figures_full_s,
        "snapshot_backfill": {"s": backfill_s, "cpu_s": backfill_cpu, "detail": backfill.detail},
        "nightly_5pct": {
            "figures_s": figures_s,
            "figures_cpu_s": figures_cpu,
            "snapshot_s": nightly_s,
            "snapshot_cpu_s": nightly_cpu,
            "figures_customers": figures.rows,
            "detail": nightly.detail,
        },
        "customer_month_rows": rows,
        "peak_rss_mb": peak_rss_mb(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine(),
    }


def main() -> None:
    """Each database in its own process, so peak memory is its own."""
    per_database("snapshot", run_one)


if __name__ == "__main__":
    main()
