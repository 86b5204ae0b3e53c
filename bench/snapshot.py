"""The monthly customer snapshot at scale: the backfill of 24 months, then the nightly incremental run with 5 %
of customers changed, on both databases.

``python -m bench.snapshot``. The bank is bench.holdings' generated one (3 accounts per customer, 10 vouchers
each over a year, 12 month-end balances per demand account, a loan for one in ten), given a second, earlier
year of month-end balances and vouchers so that 24 months hold data. Then, timed: ``snapshot --backfill``
(every month of history, all customers); a nightly where 5 % of customers got a new balance (queued by ingest
as the dirty-customer queue does) — the ``figures`` step for them and the incremental ``snapshot`` step.
Then, unless ``BANKCRM_BENCH_WHOLE_NIGHTLY=0``, the whole ``batch nightly`` (every step) twice: a first one (first-time
work on this bank) and one after 5 % of customers changed again — the target's "nightly including the existing
work". Generation is SQL inside the database (a numbers series), with a 2 GB page cache on SQLite.
Sizes: ``BANKCRM_BENCH_CUSTOMERS`` (default 1,000,000); ``BANKCRM_BENCH_SNAPSHOT_BANK`` keeps the generated bank
(a SQLite file, or a PostgreSQL database used as a template) and starts later runs from it. CPU seconds are the
process's own (user + system).
Results: bench/results/snapshot-<database>.json.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.holdings import jobs as holdings_jobs
from bankcrm.insight import jobs as insight_jobs
from bankcrm.jobs.service import runner, runs
from bench.common import RESULTS, machine, peak_rss_mb, per_database
from bench.holdings import Sql, fresh, generate, roomy_cache

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench_snapshot")
# A generated bank to start from instead of generating (minutes at 1,000,000): a SQLite file (copied) or a
# PostgreSQL database name (the bench's database is created from it as a template). Made by this bench when absent.
BANK = os.environ.get("BANKCRM_BENCH_SNAPSHOT_BANK", "")
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


def generated(url: str, customers: int) -> dict[str, Any]:
    """The bank of two years, generated in the database at ``url``; the sizes and seconds of each step."""
    engine = make_engine(url)
    with engine.begin() as conn, roomy_cache(conn):
        sizes: dict[str, Any] = dict(generate(conn, customers))
        sizes |= earlier_year(conn, customers)
    engine.dispose()
    return sizes


def cpu_s() -> float:
    """This process's CPU seconds so far (user + system)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(step: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), cpu_s()
    out = step()
    return out, round(time.perf_counter() - wall, 1), round(cpu_s() - cpu, 1)


def whole_nightly(
    factory: sessionmaker[Session],
    settings: Settings,
    into: dict[str, Any] | None = None,
    after_step: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """``batch nightly`` (every registered nightly step, in order): wall seconds per step, the total, and the
    outcome of any step that did not succeed; filled into ``into`` step by step (``after_step`` after each)."""
    out = into if into is not None else {}
    steps: dict[str, float] = out.setdefault("steps_s", {})
    steps_cpu: dict[str, float] = out.setdefault("steps_cpu_s", {})
    faults: dict[str, str] = out.setdefault("not_ok", {})
    out["load_before"] = [round(x, 2) for x in os.getloadavg()]
    clock = [time.perf_counter(), cpu_s()]

    def step_done(step: runner.StepOutcome) -> None:
        now, cpu_now = time.perf_counter(), cpu_s()
        steps[step.job.code] = round(now - clock[0], 1)
        steps_cpu[step.job.code] = round(cpu_now - clock[1], 1)
        clock[:] = [now, cpu_now]
        if step.outcome != "ok":
            faults[step.job.code] = f"{step.outcome}: {step.error}"
        out.setdefault("steps_load", {})[step.job.code] = round(os.getloadavg()[0], 2)
        print(
            f"  {time.strftime('%H:%M:%S')} nightly {step.job.code}: {steps[step.job.code]} s,"
            f" {steps_cpu[step.job.code]} CPU s {step.outcome}, load {os.getloadavg()}",
            flush=True,
        )
        if after_step is not None:
            after_step()

    wall, cpu = time.perf_counter(), cpu_s()
    runs.run_nightly(factory, settings, on_step=step_done)
    out |= {
        "s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(cpu_s() - cpu, 1),
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    return out


def change_five_percent(factory: sessionmaker[Session]) -> None:
    """The nightly ingest: a new balance for 5 % of demand accounts, their customers queued for the figures."""
    with session_scope(factory) as db:
        db.execute(text(f"UPDATE balance_snapshot SET balance = balance + 100 WHERE balance_date = '2026-10-31'"
                        f" AND customer_id % {CHANGED_SHARE} = 0"))  # fmt: skip
        db.execute(text(f"INSERT INTO customer_figure_dirty (customer_id) SELECT id FROM customer"
                        f" WHERE id % {CHANGED_SHARE} = 0"))  # fmt: skip


def copied_bank(backend: str, url: str) -> bool:
    """The kept bank copied to ``url``; False when there is none yet."""
    if backend == "sqlite":
        if not Path(BANK).exists():
            return False
        shutil.copyfile(BANK, url.removeprefix("sqlite:///"))
        return True
    admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BANK}).first() is None:
            admin.dispose()
            return False
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{BANK}"'))
    admin.dispose()
    return True


def keep_bank(backend: str, url: str) -> None:
    """Keep the freshly generated bank as ``BANK`` for later runs."""
    if backend == "sqlite":
        shutil.copyfile(url.removeprefix("sqlite:///"), BANK)
        return
    admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{BANK}" TEMPLATE "{url.rsplit("/", 1)[1]}"'))
    admin.dispose()


def checkpoint(backend: str, so_far: dict[str, Any]) -> None:
    """What is measured so far, written to the results file (marked partial) and logged: a 1M run takes hours and
    may be stopped before its end."""
    out = {"database": backend, "partial": True, **so_far, "peak_rss_mb": peak_rss_mb(),
           "load_average": [round(x, 2) for x in os.getloadavg()], "machine": machine()}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"snapshot-{backend}.json").write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(f"  {time.strftime('%H:%M:%S')} so far: {json.dumps(out, default=str)}", flush=True)


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate two years of history, backfill the snapshot, then nightlies with 5 % of customers changed."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    started = time.perf_counter()
    sizes: dict[str, Any] = {}
    if BANK and copied_bank(backend, url):
        sizes["bank_copied_from"] = BANK
        sizes["copy_s"] = round(time.perf_counter() - started, 1)
    else:
        fresh(url)
        # In a child process: SQLite's 2 GB generation cache is then not in this process's peak memory.
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as child:
            sizes = child.submit(generated, url, customers).result()
        sizes["generate_s"] = round(time.perf_counter() - started, 1)
        if BANK:
            keep_bank(backend, url)
    print(f"  bank ready: {sizes}, load {os.getloadavg()}", flush=True)
    engine = make_engine(url)
    load_generated = [round(x, 2) for x in os.getloadavg()]
    so_far: dict[str, Any] = {**sizes, "customers": customers, "load_after_generating": load_generated}
    checkpoint(backend, so_far)
    factory = sessionmaker(bind=engine)
    with session_scope(factory) as db:
        _, figures_full_s, figures_full_cpu = timed(lambda: holdings_jobs.figures_job(db, settings, full=True))
    so_far |= {"figures_full_s": figures_full_s, "figures_full_cpu_s": figures_full_cpu}
    checkpoint(backend, so_far)
    with session_scope(factory) as db:
        backfill, backfill_s, backfill_cpu = timed(lambda: insight_jobs.snapshot_job(db, settings, backfill=True))
    so_far["snapshot_backfill"] = {"s": backfill_s, "cpu_s": backfill_cpu, "detail": backfill.detail}
    so_far["load_after_backfill"] = [round(x, 2) for x in os.getloadavg()]
    checkpoint(backend, so_far)
    change_five_percent(factory)
    with session_scope(factory) as db:
        figures, figures_s, figures_cpu = timed(lambda: holdings_jobs.figures_job(db, settings))
    with session_scope(factory) as db:
        nightly, nightly_s, nightly_cpu = timed(lambda: insight_jobs.snapshot_job(db, settings))
    so_far["nightly_5pct"] = {
        "figures_s": figures_s,
        "figures_cpu_s": figures_cpu,
        "snapshot_s": nightly_s,
        "snapshot_cpu_s": nightly_cpu,
        "figures_customers": figures.rows,
        "detail": nightly.detail,
    }
    checkpoint(backend, so_far)
    whole: dict[str, Any] = {}
    so_far["whole_nightly"] = whole
    if os.environ.get("BANKCRM_BENCH_WHOLE_NIGHTLY", "1") == "1":
        # The first whole nightly on this bank does first-time work (maturity tasks, tags, stages, warnings for
        # every customer): timed too, then the usual night, 5 % changed again.
        def step_kept() -> None:
            checkpoint(backend, so_far)

        whole["first"] = {}
        whole_nightly(factory, settings, whole["first"], step_kept)
        change_five_percent(factory)
        whole["five_percent"] = {}
        whole_nightly(factory, settings, whole["five_percent"], step_kept)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM customer_month")).scalar_one()
    engine.dispose()
    return {
        "database": backend,
        **so_far,
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
