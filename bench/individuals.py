"""The analytical benches' bank: plain individuals in Beijing, inserted in batches, with rows of their own beside.

bench.tags, bench.segments, bench.lifecycle and bench.warnings each add their own rows to the same customers (a
profile, two snapshot months, twelve or six months of snapshot rows); the customers and the batching are here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bankcrm.insight import repository as insight_repository
from bankcrm.insight.service.snapshot import sqlite_text
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit

BATCH = 10_000


def generate(db: Session, customers: int, rows: Callable[[Session, range, int, datetime], None]) -> None:
    """Customers 1..N in Beijing (CIF 9 and the id), ``rows(db, ids, unit, now)`` after each batch; committed."""
    unit = db.scalar(select(OrgUnit.id).where(OrgUnit.code == "BJ"))
    assert unit is not None
    now = datetime.now(UTC)
    for start in range(0, customers, BATCH):
        ids = range(start + 1, min(customers, start + BATCH) + 1)
        db.execute(insert(Customer), [_customer(i, unit, now) for i in ids])
        rows(db, ids, unit, now)
    db.commit()


def snapshot_rows(
    months: list[date], frame_of: Callable[[range, int, datetime], pl.DataFrame]
) -> Callable[[Session, range, int, datetime], None]:
    """A ``rows`` for ``generate``: the batch's snapshot rows over ``months``, written as the snapshot writes them."""

    def write(db: Session, ids: range, unit: int, now: datetime) -> None:
        frame = frame_of(ids, unit, now)
        if insight_repository.is_sqlite(db):
            frame = sqlite_text(frame)
        insight_repository.replace_rows(db, list(ids), months, frame.columns, frame.rows())

    return write


def _customer(i: int, unit: int, now: datetime) -> dict[str, object]:
    return {
        "id": i,
        "cif_no": f"9{i:010d}",
        "kind": "individual",
        "status": "ACTIVE",
        "name": "x",
        "name_pinyin": "x",
        "name_initials": "x",
        "home_unit_id": unit,
        "created_at": now,
        "updated_at": now,
    }
