"""Rule tags at scale: the nightly step's rule tags recomputed over N customers with figures, on both databases.

``python -m bench.tags`` (``BANKCRM_BENCH_CUSTOMERS``, default 1,000,000). Customers, their individual
profiles and nightly figures are inserted in batches of 10,000 (AUM spread 0-¥3,000,000, ages 26-86, last
transaction 0-399 days ago, 0-2 products); the five shipped rule tags are then recomputed twice
(``tags.service.rules.recompute``): the first run opens every carrier's row, the second finds nothing changed.
Results: bench/results/tags-<database>.json.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bankcrm.db import make_engine
from bankcrm.models.customer import IndividualProfile
from bankcrm.models.holding import CustomerFigure
from bankcrm.tags.service import rules
from bench import individuals
from bench.common import machine, peak_rss_mb, per_database
from bench.holdings import PG_URL, fresh

TODAY = date(2026, 11, 30)
BATCH = 10_000


def _generate(db: Session, customers: int) -> None:
    individuals.generate(db, customers, _rows)


def _rows(db: Session, ids: range, unit: int, now: datetime) -> None:
    db.execute(
        insert(IndividualProfile),
        [{"customer_id": i, "birth_date": date(1940 + i % 60, 1 + i % 12, 1)} for i in ids],
    )
    db.execute(
        insert(CustomerFigure),
        [
            {
                "customer_id": i,
                "as_of": TODAY,
                "aum": (i * 7919) % 300_000_000,
                "deposit_balance": 0,
                "loan_balance": 0,
                "monthly_avg_balance": 0,
                "product_count": i % 3,
                "last_txn_date": TODAY - timedelta(days=i % 400),
                "balance_series": "[]",
                "computed_at": now,
            }
            for i in ids
        ],
    )


def run_one(backend: str, customers: int, workdir: Path) -> dict[str, object]:
    """Generate, then time the rule tags' first run and an unchanged rerun."""
    url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else PG_URL
    fresh(url)
    engine = make_engine(url)
    with Session(engine) as db:
        _generate(db, customers)
        started = time.perf_counter()
        first = rules.recompute(db, today=TODAY)
        db.commit()
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = rules.recompute(db, today=TODAY)
        db.commit()
        again_s = time.perf_counter() - started
    engine.dispose()
    return {
        "machine": machine(),
        "database": backend,
        "customers": customers,
        "first_run_s": round(first_s, 2),
        "first_run_applied": first.applied,
        "rerun_s": round(again_s, 2),
        "rerun_changed": again.applied + again.removed,
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    per_database("tags", run_one)
