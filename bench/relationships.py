"""Corporate groups and guarantee circles at scale: 1M customers and about 2M links, on both databases.

``python -m bench.relationships`` (``make bench``). The customers, their figures and the links are
generated inside the database with plain SQL (a numbers series; no Python per row), then the real
derivation the nightly batch runs (``relationships.service.derivation.derive``: one query into numpy
arrays, scipy's connected components, bulk writes) is timed twice: the first run stores every group
and circle, the second finds nothing changed (idempotent refresh). Peak memory is the process's.

Shape (blocks of ten customers): eight companies and two individuals per block; companies 1-7
held by their tree parent (shares of 40 %, exactly 50 % or 60-89 %, so some links are not control),
the first individual actually controls company 0, the second is the first's spouse; a guarantee
chain 0 → 1 → ... → 7 per block, closed into a circle in every fifth block, the second individual
guarantees company 3, every block's company 5 guarantees company 6 of another block, and two
supplier links go to other blocks; every fiftieth block holds an ownership cycle (3 holds 60 % of 0).
Size: ``BANKCRM_BENCH_CUSTOMERS`` (default 1,000,000, rounded down to whole blocks).
Results: bench/results/relationships-<database>.json.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.db import make_engine
from bankcrm.kit.time import today_in
from bankcrm.models.group import CorporateGroup, CorporateGroupMember, GuaranteeCircle
from bankcrm.relationships.service import derivation
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import PG_URL, Sql, fresh

BLOCK = 10


def _links(q: Sql, blocks: int) -> dict[str, str]:
    """INSERT ... SELECT statements, one per kind of link; b is the block (0-based), its first id b*10+1."""
    base = (
        "INSERT INTO customer_link"
        " (from_customer_id, to_customer_id, link_type, share_pct_bp, amount, valid_from, created_at)"
    )
    day, now = "'2025-01-01'", q.now()
    if q.pg:
        day = "date '2025-01-01'"
    series = q.series(blocks * 7)
    per_block = q.series(blocks)

    def other(b: str, salt: int) -> str:
        return f"(({b}) * {salt} + 1) % {blocks}"

    return {
        # company j (1..7) held by company (j-1)/2 of the same block; k runs over blocks x 7
        "shareholder": f"{base} SELECT (k / 7) * 10 + 1 + ((k % 7)) / 2, (k / 7) * 10 + 2 + (k % 7), 'SHAREHOLDER_OF',"
        f" CASE k % 5 WHEN 0 THEN 4000 WHEN 1 THEN 5000 ELSE 6000 + (k % 30) * 100 END, NULL, {day}, {now}"
        f" FROM (SELECT i - 1 AS k FROM {series}) s",
        "controller": f"{base} SELECT b * 10 + 9, b * 10 + 1, 'ACTUAL_CONTROLLER_OF', NULL, NULL, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s",
        "spouse": f"{base} SELECT b * 10 + 10, b * 10 + 9, 'SPOUSE', NULL, NULL, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s",
        "cycle": f"{base} SELECT b * 10 + 4, b * 10 + 1, 'SHAREHOLDER_OF', 6000, NULL, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s WHERE b % 50 = 0",
        "guarantee_chain": f"{base} SELECT (k / 7) * 10 + 1 + k % 7, (k / 7) * 10 + 2 + k % 7, 'GUARANTOR_FOR',"
        f" NULL, 100000 + (k % 97) * 1000, {day}, {now} FROM (SELECT i - 1 AS k FROM {series}) s",
        "guarantee_close": f"{base} SELECT b * 10 + 8, b * 10 + 1, 'GUARANTOR_FOR', NULL, 250000, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s WHERE b % 5 = 0",
        "guarantee_person": f"{base} SELECT b * 10 + 10, b * 10 + 4, 'GUARANTOR_FOR', NULL, 50000, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s",
        "guarantee_across": f"{base} SELECT b * 10 + 6, {other('b', 7919)} * 10 + 7, 'GUARANTOR_FOR', NULL, 80000,"
        f" {day}, {now} FROM (SELECT i - 1 AS b FROM {per_block}) s",
        "supplier": f"{base} SELECT b * 10 + 2, {other('b', 104729)} * 10 + 3, 'SUPPLIER_OF', NULL, NULL, {day}, {now}"
        f" FROM (SELECT i - 1 AS b FROM {per_block}) s",
        "supplier_2": f"{base} SELECT b * 10 + 5, {other('b', 1299709)} * 10 + 8, 'SUPPLIER_OF', NULL, NULL, {day},"
        f" {now} FROM (SELECT i - 1 AS b FROM {per_block}) s",
    }


def generate(conn: Connection, customers: int) -> dict[str, object]:
    """Customers (ids 1..N), figures of the companies, and the links, all in SQL."""
    q = Sql(conn.dialect.name)
    blocks = customers // BLOCK
    customers = blocks * BLOCK
    unit = conn.execute(text("SELECT id FROM org_unit WHERE code = 'BJ-CY'")).scalar_one()
    manager = conn.execute(text("SELECT id FROM app_user WHERE username = 'am1'")).scalar_one()
    kind = "CASE WHEN (i - 1) % 10 < 8 THEN 'corporate' ELSE 'individual' END"
    steps = {
        "customer": f"INSERT INTO customer (id, cif_no, kind, status, name, name_pinyin, name_initials, home_unit_id,"
        f" account_manager_id, created_at, updated_at) SELECT i, {q.pad('i', 11)}, {kind}, 'ACTIVE', '星河',"
        f" 'xinghe', 'xh', {unit}, {manager}, {q.now()}, {q.now()} FROM {q.series(customers)}",
        "customer_figure": "INSERT INTO customer_figure (customer_id, as_of, aum, deposit_balance, loan_balance,"
        f" monthly_avg_balance, product_count, balance_series, computed_at) SELECT i, "
        f"{'date ' if q.pg else ''}'2026-10-31', (i * 7919) % 100000000, (i * 7919) % 100000000,"
        f" (i * 104729) % 500000000, 0, 1, '[]', {q.now()} FROM {q.series(customers)} WHERE (i - 1) % 10 < 8",
        **{f"link_{k}": v for k, v in _links(q, blocks).items()},
    }
    timings = {}
    for name, sql in steps.items():
        started = time.perf_counter()
        conn.execute(text(sql))
        timings[name] = round(time.perf_counter() - started, 1)
        print(f"  {name}: {timings[name]} s", flush=True)
    conn.execute(text("ANALYZE"))
    links = conn.execute(text("SELECT count(*) FROM customer_link")).scalar_one()
    return {"customers": customers, "links": links, "generate_s": round(sum(timings.values()), 1)}


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the nightly derivation twice (first store, then an unchanged re-run)."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    settings = Settings(mode="test", database_url=url)
    fresh(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        sizes = generate(conn, customers)
    today = today_in(settings.timezone)
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        with Session(engine) as db:
            report = derivation.derive(db, SYSTEM_PRINCIPAL, today=today, threshold_bp=settings.group_control_share_bp)
            db.commit()
        runs.append((time.perf_counter() - started, report))
        print(f"  derive: {runs[-1][0]:.1f} s {report.model_dump()}", flush=True)
    with Session(engine) as db:
        stored = {
            "groups": db.scalar(select(func.count()).select_from(CorporateGroup)),
            "group_customers": db.scalar(select(func.count()).select_from(CorporateGroupMember)),
            "circles": db.scalar(select(func.count()).select_from(GuaranteeCircle)),
        }
    engine.dispose()
    first, second = runs
    return {
        "database": backend,
        **sizes,
        "derive_first_s": round(first[0], 1),
        "derive_unchanged_s": round(second[0], 1),
        "groups_found": first[1].groups,
        "groups_proposed": first[1].proposed,
        "circles_found": first[1].circles,
        "rerun_proposed": second[1].proposed,
        "rerun_circles_new": second[1].circles_new,
        "stored": stored,
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }


def main() -> None:
    """Each database in its own process, so peak memory is its own."""
    per_database("relationships", run_one)


if __name__ == "__main__":
    main()
