"""Snapshot rows written straight into customer_month (the lifecycle reads only them), month by month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, SmallInteger
from sqlalchemy.orm import Session

from bankcrm.insight.service.compute import add_months
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from tests.factories import make_customer

JULY = date(2026, 7, 1)


def month_of(n: int, first: date = JULY) -> date:
    """The n-th month from ``first`` (0: ``first``)."""
    return add_months(first, n)


def put_month(db: Session, customer: Customer, month: date, **figures: Any) -> None:
    """One snapshot row: zero everywhere but the figures given (aum_end, held_demand, tenure_months ...)."""
    values: dict[str, Any] = {}
    for col in CustomerMonth.__table__.columns:
        if not col.nullable and isinstance(col.type, (Integer, SmallInteger)) and col.name != "customer_id":
            values[col.name] = 0
    values |= {
        "month": month,
        "customer_id": customer.id,
        "as_of": add_months(month, 1) - timedelta(days=1),
        "kind": customer.kind,
        "unit_id": customer.home_unit_id,
        "manager_id": customer.account_manager_id,
        "tier": "MASS",
        "computed_at": utcnow(),
        "tenure_months": 12,
    }
    values |= figures
    values["aum_avg"] = values.get("aum_avg", values["aum_end"])
    db.add(CustomerMonth(**values))
    db.flush()


def given_a_customer_over(
    db: Session, cif_no: str, months: list[dict[str, Any]], first: date = JULY, **kw: Any
) -> Customer:
    """A customer with one snapshot row per dict, the first in ``first``; each dict gives its figures."""
    customer = make_customer(db, cif_no, **kw)
    for n, figures in enumerate(months):
        put_month(db, customer, month_of(n, first), **figures)
    return customer


def held(products: int, aum: int, tenure: int = 12, **more: Any) -> dict[str, Any]:
    """A month's figures: ``products`` demand accounts holding ``aum`` fen, ``tenure`` months since the first."""
    return {"held_demand": products, "aum_end": aum, "demand_end": aum, "tenure_months": tenure, **more}
