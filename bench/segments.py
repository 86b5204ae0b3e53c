"""Segments at scale: preview counts (p95) and materialising 50 saved segments over N customers, both databases.

``python -m bench.segments`` (``BANKCRM_BENCH_CUSTOMERS``, default 1,000,000). Customers (all in Beijing) get two
snapshot rows, this month and three months back (month-average AUM spread 0-¥3,000,000, one in five a VIP, some
holding wealth products, salary credits); then 40 previews (count + masked sample of 10) of four specifications
as the Beijing branch manager (unit scope) give the p50/p95, and 50 saved rule segments are materialised by the
nightly's ``membership.refresh`` (first run: every member enters; the rerun finds nothing changed). Wall and
this process's CPU seconds; on PostgreSQL also the session backend's CPU seconds of each run (read from /proc,
the server being on this machine; parallel workers not counted). ``BANKCRM_BENCH_REUSE=1`` keeps a database
already holding the N customers (its saved segments emptied) instead of generating it again.
Results: bench/results/segments-<db>.json.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.db import make_engine
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.segment import Segment
from bankcrm.segments.service import membership
from bankcrm.segments.service import spec as specs
from bench import individuals
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import PG_URL, fresh

TODAY = date(2026, 11, 30)
NOW, BACK = date(2026, 11, 1), date(2026, 8, 1)
BATCH = 10_000
ZEROS = {
    c.name: 0
    for c in CustomerMonth.__table__.columns
    if not c.nullable and c.name not in ("month", "customer_id", "as_of", "kind", "unit_id", "tier", "computed_at")
}
VIP = {"feature": "tier", "op": "=", "value": "VIP"}
FELL = {"feature": "aum_avg", "change_pct_over_months": 3, "op": "<", "value": -20}
PREVIEWS: list[dict[str, Any]] = [
    {"all": [VIP, FELL]},
    {"feature": "aum_avg", "op": "between", "value": [10_000_000, 50_000_000]},
    {
        "all": [
            {"feature": "tier", "op": "in", "value": ["VIP", "WEALTH"]},
            {"feature": "held_wealth", "op": "=", "value": 0},
        ]
    },
    {"any": [{"feature": "salary_count", "op": ">=", "value": 1}, {"not": VIP}]},
]


def _generate(db: Session, customers: int) -> None:
    individuals.generate(db, customers, _rows)
    if db.get_bind().dialect.name == "postgresql":
        # A settled database: autovacuum would have analysed the customers by now (under load it had not, and
        # every preview planned nested loops for "184 customers a unit"); the snapshot step analyses its rows.
        db.execute(text("ANALYZE"))
    db.commit()


def _reused(db: Session, customers: int) -> bool:
    """``BANKCRM_BENCH_REUSE=1`` and the database holds this bench's customers: saved segments emptied, reused."""
    if os.environ.get("BANKCRM_BENCH_REUSE") != "1":
        return False
    if db.scalar(select(func.count()).select_from(Customer)) != customers:
        return False
    if db.get_bind().dialect.name == "postgresql":  # a DELETE would leave 21 million dead rows to insert beside
        db.execute(text("TRUNCATE segment_size, segment_member, segment"))
    for table in ("segment_size", "segment_member", "segment"):
        db.execute(text(f"DELETE FROM {table}"))
    db.commit()
    return True


def _rows(db: Session, ids: range, unit: int, now: datetime) -> None:
    for month, shift in ((NOW, 0), (BACK, 3)):
        db.execute(
            insert(CustomerMonth),
            [
                {
                    **ZEROS,
                    "month": month,
                    "customer_id": i,
                    "as_of": month,
                    "kind": "individual",
                    "unit_id": unit,
                    "tier": "VIP" if i % 5 == 0 else "MASS",
                    "computed_at": now,
                    "aum_avg": (i * (7919 + shift * 13)) % 300_000_000,
                    "held_wealth": int(i % 4 == 0),
                    "salary_count": int(i % 7 == 0),
                }
                for i in ids
            ],
        )


def _segments(db: Session, owner: int, unit: int) -> None:
    for n in range(50):
        spec = [
            {"all": [VIP, {**FELL, "value": -10 - n}]},
            {"feature": "aum_avg", "op": ">=", "value": 1_000_000 * (n + 1)},
            {
                "all": [
                    {"feature": "held_wealth", "op": "=", "value": n % 2},
                    {"feature": "salary_count", "op": ">=", "value": 1},
                ]
            },
            {"any": [VIP, {"feature": "aum_avg", "op": "between", "value": [n * 1_000_000, n * 2_000_000 + 1]}]},
            {"not": {"feature": "tier", "op": "=", "value": "VIP"}},
        ][n % 5]
        text = specs.stored(specs.checked(db, spec))
        db.add(Segment(name=f"s{n}", kind="rule", spec=text, visibility="bank", owner_id=owner, unit_id=unit))
    db.commit()


def _timed(work: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _server_cpu(db: Session) -> Any:
    """PostgreSQL on this machine: a reader of the session's backend CPU seconds (parallel workers not counted)."""
    if db.get_bind().dialect.name != "postgresql":
        return lambda: None
    stat = Path(f"/proc/{db.scalar(text('SELECT pg_backend_pid()'))}/stat")
    if not stat.exists():
        return lambda: None

    def seconds() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return seconds


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 2)


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the previews and two materialising runs of 50 segments."""
    load_start = [round(x, 2) for x in os.getloadavg()]
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    engine = make_engine(url)
    with Session(engine) as db:
        reused = _reused(db, customers)
    if not reused:
        engine.dispose()
        fresh(url)
        engine = make_engine(url)
    with Session(engine) as db:
        if not reused:
            _generate(db, customers)
        user = db.scalars(select(User).where(User.username == "manager")).one()
        manager = principal_for(user)
        walls, counts = [], {}
        for round_ in range(10):
            for i, spec in enumerate(PREVIEWS):
                found, wall, _ = _timed(lambda s=spec: specs.preview(db, manager, s, today=TODAY))
                walls.append(wall)
                counts[i] = found.count
            del round_
        _segments(db, user.id, manager.unit_id)
        server = _server_cpu(db)
        at = server()
        first, first_s, first_cpu = _timed(lambda: membership.refresh(db, today=TODAY))
        db.commit()
        between = server()
        again, again_s, again_cpu = _timed(lambda: membership.refresh(db, today=date(2026, 12, 1)))
        db.commit()
        end = server()
    engine.dispose()
    cuts = statistics.quantiles(walls, n=20)
    return {
        "machine": machine(),
        "database": backend,
        "customers": customers,
        "preview_counts": json.dumps(counts),
        "preview_p50_s": round(statistics.median(walls), 3),
        "preview_p95_s": round(cuts[18], 3),
        "materialise_50_first_s": round(first_s, 2),
        "materialise_50_first_cpu_s": round(first_cpu, 2),
        "materialise_50_first_server_cpu_s": _spent(at, between),
        "materialise_50_members": first.members,
        "materialise_50_rerun_s": round(again_s, 2),
        "materialise_50_rerun_cpu_s": round(again_cpu, 2),
        "materialise_50_rerun_server_cpu_s": _spent(between, end),
        "rerun_changed": again.entered + again.left,
        "peak_rss_mb": peak_rss_mb(),
        "reused_data": reused,
        "load_average_start": load_start,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    per_database("segments", run_one)
