"""Opportunities at scale: the pipeline board and the list for an account manager and a branch manager, both
databases.

``python -m bench.sales`` (``BANKCRM_BENCH_OPPORTUNITIES``, default 1,000,000). Rows are generated directly
(COPY on PostgreSQL): 30,000 customers over the three branches' units, 150 synthetic account managers (50 per
branch) owning the opportunities of their branch, and am1 owning every 200th (5,000, Beijing). Then signed-in
page requests are timed through the app: the board (counts, amounts and weighted amounts per stage, 20 cards per
column) and the list (default order, first page with its total) for am1 (own scope) and the Beijing branch manager
(unit scope, about a third of all rows). The running totals (per unit, owner and stage) are rebuilt once after the
load, as the rows bypassed the service, and both databases are analysed (ANALYZE). ``BANKCRM_BENCH_SALES_REUSE=1``
times again on databases that already hold the rows (``BANKCRM_BENCH_SALES_SQLITE``: a kept SQLite file).
Results: bench/results/sales-<database>.json.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bankcrm.app import create_app
from bankcrm.config import Settings
from bankcrm.db import insert_many, make_engine
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit
from bankcrm.models.sales import Opportunity
from bankcrm.sales import catalogue, repository
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import fresh

REUSE = os.environ.get("BANKCRM_BENCH_SALES_REUSE") == "1"  # time again without generating (same rows)
SQLITE_FILE = os.environ.get("BANKCRM_BENCH_SALES_SQLITE")  # a kept SQLite file (else a temporary one)
PG_URL = os.environ.get("BANKCRM_BENCH_SALES_PG_URL", "postgresql://postgres@127.0.0.1:5432/h_opps_bench")
CUSTOMERS = 30_000
MANAGERS_PER_BRANCH = 50
BATCH = 50_000
REPEAT = 40
PRODUCTS = ("TD-3M", "TD-6M", "DD-CNY")


def _generate(db: Session, opportunities: int) -> None:
    units = db.execute(select(OrgUnit.id, OrgUnit.path, OrgUnit.code).where(OrgUnit.kind_code != "HO")).all()
    branches = {code: path for _, path, code in units if code in ("BJ", "SH", "GZ")}
    by_branch = {code: [uid for uid, path, _ in units if path.startswith(bpath)] for code, bpath in branches.items()}
    template = db.scalars(select(User).where(User.username == "am1")).one()
    now = datetime.now(UTC)
    branch_ids = {code: db.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) for code in branches}
    rows = []
    for code in branches:
        for n in range(MANAGERS_PER_BRANCH):
            rows.append(
                {
                    "username": f"bench.{code.lower()}{n}",
                    "display_name": f"Bench {code} {n}",
                    "org_unit_id": branch_ids[code],
                    "password_hash": template.password_hash,
                    "active": True,
                    "failed_logins": 0,
                    "password_changed_at": now,
                    "created_at": now,
                }
            )
    db.execute(insert(User), rows)
    owners = {
        code: list(db.scalars(select(User.id).where(User.username.like(f"bench.{code.lower()}%")).order_by(User.id)))
        for code in branches
    }
    codes = list(branches)
    customers = []
    for i in range(1, CUSTOMERS + 1):
        branch = codes[i % 3]
        customers.append(
            {
                "cif_no": f"8{i:010d}",
                "kind": "individual",
                "status": "ACTIVE",
                "name": "x",
                "name_pinyin": "x",
                "name_initials": "x",
                "home_unit_id": by_branch[branch][i % len(by_branch[branch])],
                "created_at": now,
                "updated_at": now,
            }
        )
    db.execute(insert(Customer), customers)
    ids = list(db.execute(select(Customer.id, Customer.home_unit_id).order_by(Customer.id)))
    am1 = template.id
    stages = [s for s in catalogue.stages()]
    weights = [s.code for s in stages for _ in range(4 if s.outcome == "open" else 3)]
    start = date(2026, 1, 1)
    for low in range(0, opportunities, BATCH):
        batch = []
        for i in range(low, min(opportunities, low + BATCH)):
            cid, unit = ids[i % CUSTOMERS]
            branch = codes[(i % CUSTOMERS + 1) % 3]
            owner = am1 if i % 200 == 0 else owners[branch][i % MANAGERS_PER_BRANCH]
            if owner == am1:
                cid, unit = ids[(i // 200 * 3 + 2) % CUSTOMERS]  # a Beijing customer (index ≡ 2 mod 3 → id ≡ 0)
            stage = catalogue.stage_map()[weights[i % len(weights)]]
            closed = stage.outcome != "open"
            batch.append(
                {
                    "customer_id": cid,
                    "product_code": PRODUCTS[i % 3],
                    "amount": 1_000_000 + (i * 7919) % 100_000_000,
                    "stage": stage.code,
                    "probability_pct": stage.probability_pct,
                    "expected_close": start + timedelta(days=i % 540),
                    "owner_id": owner,
                    "unit_id": unit,
                    "lead_id": None,
                    "note": None,
                    "lost_reason": "PRICE" if stage.outcome == "lost" else None,
                    "competitor": "CMB" if stage.outcome == "lost" else None,
                    "won_amount": 1_000_000 if stage.outcome == "won" else None,
                    "closed_on": start + timedelta(days=i % 300) if closed else None,
                    "proposed_amount": None,
                    "proposed_on": None,
                    "stage_since": now - timedelta(days=i % 120),
                    "created_by": owner,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        insert_many(db, Opportunity, batch)
    db.commit()


def _signed_in(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"username": username, "password": "demo1234", "csrf_token": token.group(1) if token else ""}
    client.post("/login", data=data)


def _time(client: TestClient, path: str) -> dict[str, float]:
    client.get(path)  # warm
    samples, cpu = [], time.process_time()
    for _ in range(REPEAT):
        t = time.perf_counter()
        r = client.get(path)
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    cuts = statistics.quantiles(samples, n=100)
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "cpu_ms_per_request": round((time.process_time() - cpu) * 1000 / REPEAT, 1),
    }


def _holds(engine: Engine, opportunities: int) -> bool:
    """Whether the database already holds the generated opportunities (and their running totals)."""
    try:
        with Session(engine) as db:
            return db.scalar(select(func.count()).select_from(Opportunity)) == opportunities and bool(
                repository.running_totals(db)
            )
    except SQLAlchemyError:
        return False


def run_one(backend: str, opportunities: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the board and the list pages for am1 and the Beijing branch manager."""
    url = f"sqlite:///{SQLITE_FILE or workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    engine = make_engine(url)
    generate_s = generate_cpu = rebuild_s = 0.0
    total_rows = 0
    if not (REUSE and _holds(engine, opportunities)):
        engine.dispose()
        fresh(url)
        engine = make_engine(url)
        wall, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as db:
            _generate(db, opportunities)
        generate_s, generate_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall = time.perf_counter()
        with Session(engine) as db:
            total_rows = repository.rebuild_totals(db)  # the rows bypassed the service that keeps the running totals
            db.commit()
        rebuild_s = time.perf_counter() - wall
        with engine.begin() as conn:  # statistics after a bulk load, as the planners of both need them
            conn.exec_driver_sql("ANALYZE")
    app = create_app(Settings(mode="test", database_url=url), engine)
    out: dict[str, object] = {"machine": machine(), "database": backend, "opportunities": opportunities}
    for user in ("am1", "manager"):
        client = TestClient(app)
        _signed_in(client, user)
        for name, path in (
            ("board", "/opportunities/board"),
            ("list", "/opportunities"),
            ("list_open_page_5", "/opportunities?open=true&page=5"),
        ):
            out[f"{user}_{name}"] = _time(client, path)
    engine.dispose()
    out |= {
        "generate_s": round(generate_s, 1),
        "generate_cpu_s": round(generate_cpu, 1),
        "rebuild_totals_s": round(rebuild_s, 1),
        "total_rows": total_rows,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "peak_rss_mb": peak_rss_mb(),
    }
    return out


if __name__ == "__main__":
    per_database("sales", run_one, "BANKCRM_BENCH_OPPORTUNITIES", 1_000_000)
