"""Queries of the value dashboard: one month's snapshot rows counted by tier, by tier move and by home unit.

Every read is of the customers in the caller's scope homed (now) under one unit, as the value roll-ups count
them; sums are done by the database, nothing customer-level leaves it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit


def units_by_id(db: Session, ids: set[int]) -> dict[int, OrgUnit]:
    """Org units by id."""
    return {u.id: u for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))} if ids else {}


def _under(principal: Principal, under_path: str) -> Any:
    return and_(OrgUnit.path.startswith(under_path, autoescape=True), customer_scope(principal))


def tier_totals(
    db: Session, principal: Principal, month: date, under_path: str
) -> list[tuple[str, str, int, int, int]]:
    """(kind, tier, customers, month-end AUM, month-average AUM) of the month's rows."""
    m = CustomerMonth
    stmt = (
        select(m.kind, m.tier, func.count(), func.sum(m.aum_end), func.sum(m.aum_avg))
        .join(Customer, Customer.id == m.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(m.month == month, _under(principal, under_path))
        .group_by(m.kind, m.tier)
    )
    return [(k, t, int(n), int(e or 0), int(a or 0)) for k, t, n, e, a in db.execute(stmt)]


def tier_moves(
    db: Session, principal: Principal, month: date, previous: date, under_path: str
) -> list[tuple[str, str | None, str | None, int]]:
    """(kind, last month's tier or None, this month's tier or None, customers): every customer with a row in
    either month, counted once; None where the customer has no row that month."""
    now, before = aliased(CustomerMonth), aliased(CustomerMonth)
    stayed_or_new = (
        select(now.kind, before.tier, now.tier, func.count())
        .join(Customer, Customer.id == now.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .outerjoin(before, and_(before.customer_id == now.customer_id, before.month == previous))
        .where(now.month == month, _under(principal, under_path))
        .group_by(now.kind, before.tier, now.tier)
    )
    this_month = select(CustomerMonth.customer_id).where(CustomerMonth.month == month)
    gone = (
        select(before.kind, before.tier, func.count())
        .join(Customer, Customer.id == before.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(before.month == previous, before.customer_id.not_in(this_month), _under(principal, under_path))
        .group_by(before.kind, before.tier)
    )
    out: list[tuple[str, str | None, str | None, int]] = [(k, f, t, int(n)) for k, f, t, n in db.execute(stayed_or_new)]
    out += [(k, f, None, int(n)) for k, f, n in db.execute(gone)]
    return out


def unit_tier_aum(
    db: Session, principal: Principal, month: date, under_path: str
) -> list[tuple[int, str, str, int, int]]:
    """(home unit id, its path, tier, customers, month-end AUM) of the month's rows."""
    m = CustomerMonth
    stmt = (
        select(OrgUnit.id, OrgUnit.path, m.tier, func.count(), func.sum(m.aum_end))
        .join(Customer, Customer.id == m.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(m.month == month, _under(principal, under_path))
        .group_by(OrgUnit.id, OrgUnit.path, m.tier)
    )
    return [(u, p, t, int(n), int(e or 0)) for u, p, t, n, e in db.execute(stmt)]
