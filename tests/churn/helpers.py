"""Customers and their generated snapshot history written into the database for the churn tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, SmallInteger, insert, select
from sqlalchemy.orm import Session

from bankcrm.insight.service.compute import add_months
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from tests.churn import synthetic
from tests.conftest import unit_id, user_id

FIRST = date(2025, 1, 1)
CIF_BASE = 93_000_000_000


def cif_of(n: int) -> str:
    """The CIF number of the n-th generated customer."""
    return str(CIF_BASE + n)


def given_history(
    db: Session, customers: int = 400, months: int = 12, seed: int = 7, first: date = FIRST
) -> dict[int, int]:
    """Customers 1..n (am1's in Beijing, but customer 2 in Shanghai under nobody) and their generated snapshot
    rows; returns generated number → customer id."""
    snap = synthetic.snapshot(customers, months, seed, first)
    bj, sh, am1 = unit_id(db, "BJ"), unit_id(db, "SH"), user_id(db, "am1")
    db.execute(
        insert(Customer),
        [
            {
                "cif_no": cif_of(n),
                "kind": "individual",
                "status": "ACTIVE",
                "name": f"客户{n}",
                "name_pinyin": f"kehu{n}",
                "name_initials": "kh",
                "home_unit_id": sh if n == 2 else bj,
                "account_manager_id": None if n == 2 else am1,
            }
            for n in range(1, customers + 1)
        ],
    )
    ids = dict(
        db.execute(
            select(Customer.cif_no, Customer.id).where(Customer.cif_no.between(cif_of(1), cif_of(customers)))
        ).all()
    )
    to_id = {n: ids[cif_of(n)] for n in range(1, customers + 1)}
    zero = {
        c.name: 0
        for c in CustomerMonth.__table__.columns
        if not c.nullable and isinstance(c.type, Integer | SmallInteger)
    }
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for r in snap.iter_rows(named=True):
        rows.append(
            zero
            | {
                "month": r["month"],
                "customer_id": to_id[r["customer_id"]],
                "as_of": add_months(r["month"], 1) - timedelta(days=1),
                "kind": r["kind"],
                "unit_id": bj,
                "manager_id": None,
                "tier": r["tier"],
                "computed_at": now,
                "aum_end": r["aum_end"],
                "aum_avg": r["aum_avg"],
                "demand_end": r["aum_end"] - r["time_end"] - r["wealth_end"],
                "time_end": r["time_end"],
                "wealth_end": r["wealth_end"],
                "held_demand": r["products"],
                "transfer_out_other_count": r["transfer_out_other_count"],
                "transfer_out_other_amount": r["transfer_out_other_amount"],
                "salary_count": r["salary_count"],
                "days_since_txn": r["days_since_txn"],
                "tenure_months": r["tenure_months"],
                "age": r["age"],
                "txn_out_count": r["txn_count"],
            }
        )
    for start in range(0, len(rows), 5000):
        db.execute(insert(CustomerMonth), rows[start : start + 5000])
    db.flush()
    return to_id
