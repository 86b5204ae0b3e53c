"""Leads at scale, both databases: assigning 100,000 ingested leads, and the lead list with 1,000,000 leads.

``python -m bench.leads`` (``BANKCRM_BENCH_LEADS``, default 1,000,000; the ingest is a tenth of it, at most
100,000). First a ``leads`` file of 100,000 website prospects (unique phones, Beijing and Shanghai units) is loaded
through the ingest (checks, duplicate phones against the CIF and open leads, encryption, the assignment rules with
Beijing's and Shanghai's round robins): the whole load is timed. Then rows are generated directly up to 1,000,000
leads (one in a hundred am1's, the rest spread over the units, a tenth in the pool) and the first page of the list
(newest first, with its count) is read 100 times through the service the page and API use, for am1 (own scope:
assigned to or made by them) and the Beijing branch manager (unit scope), unfiltered and by status.
Results: bench/results/leads-<database>.json.
"""

from __future__ import annotations

import csv
import os
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.access.principal import SYSTEM
from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.db import insert_many, make_engine, session_scope
from bankcrm.ingest.service.run import IngestRequest, ingest_file
from bankcrm.leads.service import reads, rota
from bankcrm.models.access import User
from bankcrm.models.lead import Lead
from bankcrm.models.org import OrgUnit
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import fresh

PG_URL = os.environ.get("BANKCRM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bankcrm_bench")
INTERESTS = ("WEALTH", "LOAN", "CARD", "DEPOSIT", "MORTGAGE")
STATUSES = ("ASSIGNED", "CONTACTED", "QUALIFIED", "CONVERTED", "DISQUALIFIED")
BATCH = 50_000
READS = 100


def _file(path: Path, n: int, units: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["lead_ref", "source", "interest", "name", "phone", "amount", "unit"])
        for i in range(n):
            out.writerow(
                [f"W{i:08d}", "WEB", INTERESTS[i % 5], "访客", f"1990{i:07d}", 100_000 + i, units[i % len(units)]]
            )
    return path


def _generate(db: Session, start: int, total: int, units: list[int], am1: int, am2: int) -> None:
    """Leads start+1..total written directly (COPY on PostgreSQL)."""
    now = datetime.now(UTC)
    for first in range(start, total, BATCH):
        rows: list[dict[str, Any]] = []
        for i in range(first + 1, min(total, first + BATCH) + 1):
            pool = i % 10 == 5
            assignee = None if pool else am1 if i % 100 == 0 else am2 if i % 100 == 1 else None
            rows.append(
                {
                    "id": i,
                    "source": "CAMPAIGN",
                    "interest": INTERESTS[i % 5],
                    "customer_id": None,
                    "prospect_name": "x",
                    "phone_enc": None,
                    "phone_index": None,
                    "phone_masked": "199****0000",
                    "id_type": None,
                    "id_no_enc": None,
                    "id_no_index": None,
                    "id_no_masked": None,
                    "amount": i,
                    "note": None,
                    "unit_id": units[i % len(units)],
                    "status": "NEW" if pool else STATUSES[i % 5],
                    "reason": None,
                    "assignee_id": assignee,
                    "assigned_at": None if pool else now,
                    "assigned_by_rule": None,
                    "accept_due_at": None,
                    "accepted_at": None,
                    "referrer_id": None,
                    "created_by": None,
                    "external_system": "BENCH",
                    "external_ref": f"B{i}",
                    "batch_id": None,
                    "change_request_id": None,
                    "opportunity_id": None,
                    "converted_at": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        insert_many(db, Lead, rows)
        db.commit()


def _p95(fn: Any) -> dict[str, float]:
    samples = []
    for _ in range(READS):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    cuts = statistics.quantiles(samples, n=100)
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1)}


def run_one(backend: str, total: int, workdir: Path) -> dict[str, object]:
    """Ingest and assign, then generate up to ``total`` and time the list."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    fresh(url)
    settings = Settings(mode="test", database_url=url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    ingested = min(100_000, total // 10)
    with session_scope(maker) as db:
        rota.put(db, "BJ", None, ["am1"])
        rota.put(db, "BJ", "LOAN", ["am1"])
        rota.put(db, "SH", None, ["am2"])
        codes = list(db.scalars(select(OrgUnit.code).where(OrgUnit.code.like("BJ%") | OrgUnit.code.like("SH%"))))
    path = _file(workdir / "leads.csv", ingested, sorted(codes))
    with Session(engine) as db:
        wall, cpu = time.perf_counter(), time.process_time()
        req = IngestRequest(path=path, file_type="leads", business_date=date(2026, 12, 3), source="WEBSITE")
        result = ingest_file(db, settings.field_cipher(), SYSTEM, req, timezone=settings.timezone)
        loaded = result.run.rows_loaded
        db.commit()
        ingest_s, ingest_cpu = time.perf_counter() - wall, time.process_time() - cpu
        assigned = db.scalar(select(func.count()).select_from(Lead).where(Lead.assignee_id.is_not(None)))
        users = {u.username: u for u in db.scalars(select(User))}
        units = list(db.scalars(select(OrgUnit.id).order_by(OrgUnit.id)))
        start = db.scalar(select(func.max(Lead.id))) or 0
        wall_gen = time.perf_counter()
        _generate(db, start, total, units, users["am1"].id, users["am2"].id)
        generate_s = time.perf_counter() - wall_gen
        if backend == "postgresql":
            db.connection().exec_driver_sql("ANALYZE lead")
            db.commit()
        timings: dict[str, Any] = {}
        cpu = time.process_time()
        for name in ("am1", "manager"):
            who = principal_for(users[name])
            for label, filters in (("all", {}), ("mine", {"mine": True}), ("qualified", {"status": "QUALIFIED"})):
                timings[f"{name}_{label}"] = _p95(lambda w=who, f=filters: reads.lead_page(db, w, f, 1, 25, "en"))
        list_cpu = time.process_time() - cpu
        count = db.scalar(select(func.count()).select_from(Lead))
    engine.dispose()
    return {
        "machine": machine(),
        "database": backend,
        "leads": count,
        "ingested": ingested,
        "ingest_rows_loaded": loaded,
        "ingest_assigned": assigned,
        "ingest_and_assign_s": round(ingest_s, 2),
        "ingest_and_assign_cpu_s": round(ingest_cpu, 2),
        "generate_s": round(generate_s, 1),
        "list_reads_each": READS,
        "list": timings,
        "list_cpu_s": round(list_cpu, 2),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    per_database("leads", run_one, "BANKCRM_BENCH_LEADS", 1_000_000)
