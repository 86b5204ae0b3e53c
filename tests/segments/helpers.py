"""Hand-built customers with monthly snapshot rows, tags, accounts, households and groups for the segment tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bankcrm.models.base import Base
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.segment import Segment, SegmentMember
from tests.conftest import unit_id, user_id
from tests.factories import make_customer

TODAY = date(2026, 11, 30)
NOW_MONTH, BACK_3 = date(2026, 11, 1), date(2026, 8, 1)
ZERO_DEFAULTS = {
    c.name: 0
    for c in CustomerMonth.__table__.columns
    if not c.nullable and c.name not in ("month", "customer_id", "as_of", "kind", "unit_id", "tier", "computed_at")
}


def add(db: Session, table: str, **values: Any) -> Any:
    """Insert one row; its single primary key, if any."""
    result = db.execute(insert(Base.metadata.tables[table]).values(values))
    pk = result.inserted_primary_key
    return pk[0] if pk and len(pk) == 1 else None


def month_row(db: Session, c: Customer, month: date, **values: Any) -> None:
    """The customer's snapshot row of ``month`` (every figure 0 unless given; tier MASS)."""
    row = {
        **ZERO_DEFAULTS,
        "month": month,
        "customer_id": c.id,
        "as_of": month,
        "kind": c.kind,
        "unit_id": c.home_unit_id,
        "tier": "MASS" if c.kind == "individual" else "C_GENERAL",
        "computed_at": datetime(2026, 11, 30, tzinfo=UTC),
        **values,
    }
    add(db, "customer_month", **row)


def customer(
    db: Session,
    cif_no: str,
    *,
    aum: int = 0,
    aum_before: int | None = None,
    tier: str = "MASS",
    unit: str = "BJ",
    manager: str | None = "am1",
    kind: str = "individual",
    **figures: Any,
) -> Customer:
    """A customer with this month's snapshot (AUM month average in fen, tier) and, if given, AUM three months back."""
    c = make_customer(db, cif_no, unit=unit, manager=manager, kind=kind)
    if kind == "corporate" and tier == "MASS":
        tier = "C_GENERAL"
    month_row(db, c, NOW_MONTH, aum_avg=aum, aum_end=aum, tier=tier, **figures)
    if aum_before is not None:
        month_row(db, c, BACK_3, aum_avg=aum_before, aum_end=aum_before, tier=tier)
    db.flush()
    return c


def segment(db: Session, name: str, kind: str, spec: str | None) -> Segment:
    """A saved bank-wide segment owned by ``manager`` of BJ."""
    row = Segment(
        name=name, kind=kind, spec=spec, visibility="bank", owner_id=user_id(db, "manager"), unit_id=unit_id(db, "BJ")
    )
    db.add(row)
    db.flush()
    return row


def periods(db: Session, row: Segment) -> list[tuple[str, date, date | None]]:
    """The segment's membership periods as (CIF, entered, left), in CIF order."""
    stmt = (
        select(Customer.cif_no, SegmentMember.entered_on, SegmentMember.left_on)
        .join(Customer, Customer.id == SegmentMember.customer_id)
        .where(SegmentMember.segment_id == row.id)
        .order_by(Customer.cif_no, SegmentMember.entered_on)
    )
    return [(cif, entered, left) for cif, entered, left in db.execute(stmt)]
