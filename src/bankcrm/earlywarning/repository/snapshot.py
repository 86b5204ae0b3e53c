"""Reads of the monthly snapshot (customer_month) the signals use: the months held, a range of customers' rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

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


def rows(db: Session, months: list[date], low: int, high: int) -> Sequence[Any]:
    """COLUMNS of customers low..high in these months."""
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
    return db.execute(stmt).all()
