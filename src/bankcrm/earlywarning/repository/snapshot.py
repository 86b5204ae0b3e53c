"""Reads of the monthly snapshot (customer_month) the signals use: the months held, a range of customers' rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.insight import catalogue as insight_catalogue
from bankcrm.insight.service.compute import add_months
from bankcrm.models.insight import CustomerMonth

HELD = sorted(set(insight_catalogue.HELD.values()))
COLUMNS = (
    "customer_id",
    "month",
    "aum",
    "products",
    "transfer_count",
    "transfer_amount",
    "days_since_txn",
    "salary_count",
    "salary_amount",
    "tier",
    "unit_id",
    "manager_id",
    "stage",
)


def newest_completed(db: Session) -> date | None:
    """The newest month the snapshot holds up to its last day (the one before, while the newest is running)."""
    months = sorted(db.scalars(select(CustomerMonth.month).distinct().order_by(CustomerMonth.month.desc()).limit(2)))
    if not months:
        return None
    newest = months[-1]
    as_of = db.scalar(select(func.max(CustomerMonth.as_of)).where(CustomerMonth.month == newest))
    if as_of is not None and as_of >= add_months(newest, 1) - timedelta(days=1):
        return newest
    return months[0] if len(months) > 1 else None


def customers_of(db: Session, month: date) -> list[int]:
    """The customers with a row in the month, ascending."""
    stmt = select(CustomerMonth.customer_id).where(CustomerMonth.month == month).order_by(CustomerMonth.customer_id)
    return list(db.scalars(stmt))


def frame(db: Session, months: list[date], low: int, high: int, schema: dict[str, Any]) -> pl.DataFrame:
    """COLUMNS of customers low..high in these months as a frame of ``schema`` (columns in COLUMNS' order)."""
    cm = CustomerMonth.__table__.c
    products = sum((cm[c] for c in HELD[1:]), cm[HELD[0]])
    stmt = select(
        cm.customer_id,
        cm.month,
        cm.aum_end,
        products,
        cm.transfer_out_other_count,
        cm.transfer_out_other_amount,
        cm.days_since_txn,
        cm.salary_count,
        cm.salary_amount,
        cm.tier,
        cm.unit_id,
        cm.manager_id,
        cm.lifecycle_stage,
    ).where(cm.month.in_(months), cm.customer_id.between(low, high))
    conn = db.connection()
    if conn.dialect.name != "sqlite":
        return pl.DataFrame([tuple(r) for r in conn.execute(stmt)], schema=schema, orient="row")
    # SQLite: the driver's cursor, months kept as their stored text and parsed in one go (SQLAlchemy's rows and
    # per-value date conversion cost more than the signals computed from them). Only dates and integers of ours.
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        found = cursor.fetchall()
    finally:
        cursor.close()
    out = pl.DataFrame(found, schema=schema | {"month": pl.String}, orient="row")
    return out.with_columns(pl.col("month").str.to_date("%Y-%m-%d"))
