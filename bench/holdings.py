"""The 360° view and the nightly batch at scale: 1M customers, 3M accounts, 10M vouchers, on both databases.

``python -m bench.holdings`` (``make bench``). The data is generated inside the database with plain
SQL (a numbers series; no Python per row), then: the 360° view's server time per customer (the
service call a request makes, p50/p95 over random customers), a filtered page of vouchers, and
``batch nightly --full`` for every customer. Sizes: ``BANKCRM_BENCH_CUSTOMERS`` (default 1,000,000;
3 accounts each, 10 vouchers per customer, 12 month-end balances per demand account).
Results: bench/results/holdings-<database>.json.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.access.principal import Principal
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.demo import org as demo_org
from bankcrm.holdings import jobs as holdings_jobs
from bankcrm.holdings.service import view
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import today_in
from bankcrm.migrate import upgrade
from bench.common import machine, peak_rss_mb, per_database

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
SAMPLES = 500
SQLITE_GENERATE_CACHE_KIB = 2_000_000


class Sql:
    """The few expressions that differ between the two databases."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def series(self, n: int) -> str:
        """A FROM clause giving i = 1..n."""
        if self.pg:
            return f"generate_series(1::bigint, {n}) AS g(i)"
        return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS g"

    def pad(self, expr: str, width: int) -> str:
        """Zero-padded decimal text."""
        return f"lpad(({expr})::text, {width}, '0')" if self.pg else f"printf('%0{width}d', {expr})"

    def day(self, base: str, offset: str) -> str:
        """A date ``offset`` days after base."""
        return f"(date '{base}' + ({offset})::int)" if self.pg else f"date('{base}', (({offset})) || ' days')"

    def moment(self, base: str, seconds: str) -> str:
        """A UTC timestamp ``seconds`` after base, in the form each database stores."""
        if self.pg:
            return f"(timestamptz '{base} 00:00:00+00' + ({seconds}) * interval '1 second')"
        return f"strftime('%Y-%m-%d %H:%M:%S', '{base}', '+' || ({seconds}) || ' seconds') || '.000000'"

    def now(self) -> str:
        """A fixed creation time."""
        return "timestamptz '2026-01-01 00:00:00+00'" if self.pg else "'2026-01-01 00:00:00.000000'"


@contextmanager
def roomy_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a 2 GB page cache while generating, put back after (the timed part runs with the usual one).

    The vouchers' customer/time index is written in random customer order; with the default 2 MB cache each
    insert re-read index pages from disk, which made 10,000,000 vouchers take minutes (680 s at load 17)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    usual = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_GENERATE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {usual}")


def generate(conn: Connection, customers: int) -> dict[str, int]:
    """Customers, accounts, loans, month-end balances and vouchers, all in SQL."""
    q = Sql(conn.dialect.name)
    units = [
        r[0] for r in conn.execute(text("SELECT id FROM org_unit WHERE code IN ('BJ-CY', 'BJ-HD', 'SH-PD', 'SH-HP')"))
    ]
    managers = [r[0] for r in conn.execute(text("SELECT id FROM app_user WHERE username IN ('am1', 'am2')"))]
    unit = f"CASE i % 4 WHEN 0 THEN {units[0]} WHEN 1 THEN {units[1]} WHEN 2 THEN {units[2]} ELSE {units[3]} END"
    manager = f"CASE WHEN i % 4 < 2 THEN {managers[0]} ELSE {managers[1]} END"
    accounts, vouchers, loans = customers * 3, customers * 10, customers // 10
    conn.execute(text(
        "INSERT INTO ingest_batch (id, source, file_type, business_date, checksum) VALUES "
        "(1, 'BENCH', 'accounts', '2026-10-31', '-'), (2, 'BENCH', 'transactions', '2026-10-31', '-'), "
        "(3, 'BENCH', 'balances', '2026-10-31', '-'), (4, 'BENCH', 'loans', '2026-10-31', '-')"
    ))  # fmt: skip
    steps = {
        "customer": f"INSERT INTO customer (id, cif_no, kind, status, name, name_pinyin, name_initials, home_unit_id,"
        f" account_manager_id, created_at, updated_at) SELECT i, {q.pad('i', 11)}, 'individual', 'ACTIVE', '张伟',"
        f" 'zhangwei', 'zw', {unit}, {manager}, {q.now()}, {q.now()} FROM {q.series(customers)}",
        "account": f"INSERT INTO account (id, customer_id, account_no_enc, account_no_index, account_no_masked,"
        f" product_code, unit_id, currency, status, open_date, rate_bp, maturity_date, balance, balance_date, batch_id,"
        f" updated_at) SELECT i, (i - 1) % {customers} + 1, 'v1.-', {q.pad('i', 20)}, '***' || {q.pad('i % 10000', 4)},"
        f" CASE i % 3 WHEN 1 THEN 'DD-CNY' WHEN 2 THEN 'TD-1Y' ELSE 'WM-R2-180D' END, {units[0]}, 'CNY', 'ACTIVE',"
        f" '2024-01-01', 175, CASE WHEN i % 3 = 1 THEN NULL ELSE {q.day('2026-11-24', 'i % 400')} END,"
        f" (i * 7919) % 100000000, '2026-10-31', 1, {q.now()} FROM {q.series(accounts)}",
        "loan_contract": f"INSERT INTO loan_contract (id, customer_id, contract_no_enc, contract_no_index,"
        f" contract_no_masked, product_code, unit_id, currency, status, amount, drawn, outstanding, rate_bp,"
        f" term_months, start_date, maturity_date, repayment_method, guarantee_type, classification, days_overdue,"
        f" batch_id, updated_at) SELECT i, i * 10, 'v1.-', {q.pad('i', 20)}, '***' || {q.pad('i % 10000', 4)},"
        f" 'PL-CONS', {units[0]}, 'CNY', 'ACTIVE', 10000000, 10000000, (i * 7919) % 10000000, 435, 24,"
        f" '2025-06-01', {q.day('2026-11-24', 'i % 700')}, 'EQUAL_INSTALMENT', 'CREDIT', 'NORMAL', 0, 4,"
        f" {q.now()} FROM {q.series(loans)}",
        "balance_snapshot": "INSERT INTO balance_snapshot (account_id, balance_date, customer_id, balance, batch_id)"
        " SELECT a.id, m.d, a.customer_id, a.balance + m.k * 1000, 3 FROM account a CROSS JOIN (SELECT"
        " '2025-11-30' AS d, 1 AS k UNION ALL SELECT '2025-12-31', 2 UNION ALL SELECT '2026-01-31', 3 UNION ALL"
        " SELECT '2026-02-28', 4 UNION ALL SELECT '2026-03-31', 5 UNION ALL SELECT '2026-04-30', 6 UNION ALL"
        " SELECT '2026-05-31', 7 UNION ALL SELECT '2026-06-30', 8 UNION ALL SELECT '2026-07-31', 9 UNION ALL"
        " SELECT '2026-08-31', 10 UNION ALL SELECT '2026-09-30', 11 UNION ALL SELECT '2026-10-31', 12) m"
        " WHERE a.product_code = 'DD-CNY'",
        "account_transaction": f"INSERT INTO account_transaction (batch_id, voucher_no, account_id, customer_id,"
        f" txn_time, amount, direction, channel, counterparty_name, counterparty_bank, purpose_code, summary)"
        f" SELECT 2, {q.pad('i', 12)}, a, (a - 1) % {customers} + 1, {q.moment('2025-11-01', '(i * 7) % 31536000')},"
        f" (i * 7919) % 1000000 + 1, CASE i % 2 WHEN 0 THEN 'D' ELSE 'C' END,"
        f" CASE i % 4 WHEN 0 THEN 'POS' WHEN 1 THEN 'MOBILE' WHEN 2 THEN 'ATM' ELSE 'BATCH' END,"
        f" '北京星河科技有限公司', '招商银行', 'TRANSFER', '转账'"
        f" FROM (SELECT i, (i * 7919) % {accounts} + 1 AS a FROM {q.series(vouchers)}) v",
    }
    if q.pg:
        steps["balance_snapshot"] = steps["balance_snapshot"].replace("m.d,", "m.d::date,")
    timings = {}
    for table, sql in steps.items():
        started = time.perf_counter()
        conn.execute(text(sql))
        timings[table] = round(time.perf_counter() - started, 1)
        print(f"  {table}: {timings[table]} s", flush=True)
    conn.execute(text("ANALYZE"))
    return {"customers": customers, "accounts": accounts, "vouchers": vouchers, "loans": loans} | {
        f"generate_{k}_s": v for k, v in timings.items()
    }


def fresh(url: str) -> None:
    """An empty migrated database with the demo org and staff."""
    if url.startswith("postgresql"):
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        demo_org.build(db)
    engine.dispose()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100)
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1)}


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, time the 360° view and the vouchers page, then the nightly batch."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    fresh(url)
    engine = make_engine(url)
    with engine.begin() as conn, roomy_cache(conn):
        sizes = generate(conn, customers)
    started = time.perf_counter()
    with session_scope(sessionmaker(bind=engine)) as db:
        report = holdings_jobs.nightly(db, settings, full=True)
    nightly_s = time.perf_counter() - started
    root = Principal(None, "bench", "Bench", 1, "/", ("management",), frozenset({"customer.read"}), "unit")
    rng = random.Random(7)
    today = today_in(settings.timezone)
    view_ms, page_ms = [], []
    with Session(engine) as db:
        for _ in range(SAMPLES):
            cif = f"{rng.randint(1, customers):011d}"
            t0 = time.perf_counter()
            view.customer_view(db, root, cif, "zh_CN", today, settings.timezone)
            view_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            view.transactions(db, root, cif, PageRequest(1, 25), channel="POS", timezone=settings.timezone)
            page_ms.append((time.perf_counter() - t0) * 1000)
            db.rollback()  # each sample its own transaction, as each request is
    engine.dispose()
    return {
        "database": backend,
        **sizes,
        "view_360": percentiles(view_ms),
        "vouchers_page_filtered": percentiles(page_ms),
        "nightly_full_s": round(nightly_s, 1),
        "nightly_customers": report.figures.customers,
        "maturity_tasks_created": report.tasks.created,
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def main() -> None:
    """Each database in its own process, so peak memory is its own."""
    per_database("holdings", run_one)


if __name__ == "__main__":
    main()
