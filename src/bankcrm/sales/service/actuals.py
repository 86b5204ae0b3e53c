"""Target actuals: from the snapshot (customer_month), the holdings, the opportunities and the activities.

Customer-based figures are credited to each manager by their share of the customer (the primary gets what the
co-managers leave, as in the assignments module) on the period's last day, or today if earlier. Opportunities won
and visits count for their owner. A unit's actual counts everything under it in full.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, Product
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.sales import Activity, Opportunity
from bankcrm.sales import catalogue
from bankcrm.sales.repository import subtree_ids

FULL = 10_000


def months_of(period: str) -> list[date]:
    """'2026-11' → [Nov 1]; '2026-Q4' → [Oct 1, Nov 1, Dec 1]."""
    year, part = period.split("-")
    if part.startswith("Q"):
        first = (int(part[1]) - 1) * 3 + 1
        return [date(int(year), m, 1) for m in range(first, first + 3)]
    return [date(int(year), int(part), 1)]


def last_day(month: date) -> date:
    """The month's last day."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def shares(day: date) -> Select[Any]:
    """(customer_id, manager_id, share_bp) of every manager of every customer on ``day``."""
    co = ManagerAssignment
    holds = and_(co.role == "co", co.valid_from <= day, or_(co.valid_to.is_(None), co.valid_to > day))
    co_rows = (
        select(co.customer_id, co.manager_id, co.share_bp)
        .join(Customer, Customer.id == co.customer_id)
        .where(holds, or_(Customer.account_manager_id.is_(None), Customer.account_manager_id != co.manager_id))
        .subquery()
    )
    co_sum = select(co_rows.c.customer_id, func.sum(co_rows.c.share_bp).label("held")).group_by(co_rows.c.customer_id)
    co_sum_q = co_sum.subquery()
    primary = (
        select(
            Customer.id.label("customer_id"),
            Customer.account_manager_id.label("manager_id"),
            (literal(FULL) - func.coalesce(co_sum_q.c.held, 0)).label("share_bp"),
        )
        .outerjoin(co_sum_q, co_sum_q.c.customer_id == Customer.id)
        .where(Customer.account_manager_id.is_not(None))
    )
    return union_all(primary, select(co_rows.c.customer_id, co_rows.c.manager_id, co_rows.c.share_bp))  # type: ignore[return-value]


def _month_value(code: str) -> Any:
    cm = CustomerMonth
    return {
        "AUM_GROWTH": cm.aum_end,
        "DEPOSITS": cm.demand_end + cm.time_end,
        "LOANS": cm.loans_outstanding,
    }[code]


def _credited(db: Session, stmt: Select[Any]) -> dict[int, float]:
    """(manager, sum of value × share_bp) rows → manager → credited value."""
    return {m: int(v or 0) / FULL for m, v in db.execute(stmt)}


def for_managers(db: Session, kind: str, period: str, manager_ids: list[int], *, today: date) -> dict[int, float]:
    """Each manager's actual of a kind in a period (fen or a count), credited by shares."""
    months = months_of(period)
    start, end = months[0], last_day(months[-1])
    day = min(end, today)
    k = catalogue.target_kind_map()[kind]
    s = shares(day).subquery()
    mine = s.c.manager_id.in_(manager_ids)
    cm = CustomerMonth
    if kind in ("DEPOSITS", "LOANS", "AUM_GROWTH"):
        value = _month_value(kind)
        end_month = _newest_month(db, months)
        got = _credited(
            db,
            select(s.c.manager_id, func.sum(value * s.c.share_bp))
            .join(cm, and_(cm.customer_id == s.c.customer_id, cm.month == end_month))
            .where(mine)
            .group_by(s.c.manager_id),
        )
        if kind == "AUM_GROWTH":
            before = _credited(
                db,
                select(s.c.manager_id, func.sum(value * s.c.share_bp))
                .join(cm, and_(cm.customer_id == s.c.customer_id, cm.month == _month_before(start)))
                .where(mine)
                .group_by(s.c.manager_id),
            )
            got = {m: got.get(m, 0) - before.get(m, 0) for m in set(got) | set(before)}
    elif kind == "NEW_CUSTOMERS":
        first = select(cm.customer_id, func.min(cm.month).label("first")).group_by(cm.customer_id).subquery()
        got = _credited(
            db,
            select(s.c.manager_id, func.sum(s.c.share_bp))
            .join(first, first.c.customer_id == s.c.customer_id)
            .where(mine, first.c.first.in_(months))
            .group_by(s.c.manager_id),
        )
    elif k.source == "holdings":
        got = _credited(
            db,
            select(s.c.manager_id, func.sum(Account.balance * s.c.share_bp))
            .join(Account, Account.customer_id == s.c.customer_id)
            .join(Product, Product.code == Account.product_code)
            .where(mine, Product.category.in_(k.categories), Account.open_date.between(start, end))
            .group_by(s.c.manager_id),
        )
    elif kind == "OPPS_WON":
        o = Opportunity
        stmt = (
            select(o.owner_id, func.count())
            .where(o.owner_id.in_(manager_ids), o.stage == catalogue.won_code(), o.closed_on.between(start, end))
            .group_by(o.owner_id)
        )
        got = {m: float(n) for m, n in db.execute(stmt)}
    else:  # VISITS
        got = {m: float(n) for m, n in db.execute(_visits(start, end).where(Activity.owner_id.in_(manager_ids)))}
    return {m: _round(k.unit, got.get(m, 0.0)) for m in manager_ids}


def for_unit(db: Session, kind: str, period: str, path: str, *, today: date) -> float:
    """The actual of a kind in a period of everything under the unit with this path, in full."""
    months = months_of(period)
    start, end = months[0], last_day(months[-1])
    k = catalogue.target_kind_map()[kind]
    cm = CustomerMonth
    units = subtree_ids(path)
    if kind in ("DEPOSITS", "LOANS", "AUM_GROWTH"):
        value = _month_value(kind)
        got = db.scalar(select(func.sum(value)).where(cm.month == _newest_month(db, months), cm.unit_id.in_(units)))
        total = float(got or 0)
        if kind == "AUM_GROWTH":
            prev = db.scalar(select(func.sum(value)).where(cm.month == _month_before(start), cm.unit_id.in_(units)))
            total -= float(prev or 0)
    elif kind == "NEW_CUSTOMERS":
        first = select(cm.customer_id, func.min(cm.month).label("first")).group_by(cm.customer_id).subquery()
        stmt = (
            select(func.count())
            .select_from(first)
            .join(Customer, Customer.id == first.c.customer_id)
            .where(first.c.first.in_(months), Customer.home_unit_id.in_(units))
        )
        total = float(db.scalar(stmt) or 0)
    elif k.source == "holdings":
        stmt = (
            select(func.sum(Account.balance))
            .join(Product, Product.code == Account.product_code)
            .join(Customer, Customer.id == Account.customer_id)
            .where(
                Product.category.in_(k.categories),
                Account.open_date.between(start, end),
                Customer.home_unit_id.in_(units),
            )
        )
        total = float(db.scalar(stmt) or 0)
    elif kind == "OPPS_WON":
        o = Opportunity
        stmt = select(func.count()).where(
            o.unit_id.in_(units), o.stage == catalogue.won_code(), o.closed_on.between(start, end)
        )
        total = float(db.scalar(stmt) or 0)
    else:
        total = float(sum(n for _, n in db.execute(_visits(start, end).where(Activity.unit_id.in_(units)))))
    return _round(k.unit, total)


def _visits(start: date, end: date) -> Select[int, int]:
    a = Activity
    low = _utc_midnight(start)
    high = _utc_midnight(end + timedelta(days=1))
    stmt = (
        select(a.owner_id, func.count())
        .where(a.kind == "VISIT", a.status == "DONE", a.starts_at >= low, a.starts_at < high)
        .group_by(a.owner_id)
    )
    return stmt


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)  # the bank's day (UTC+8)


def _newest_month(db: Session, months: list[date]) -> date:
    """The period's newest month the snapshot holds (the period's last month when none)."""
    got = db.scalar(select(func.max(CustomerMonth.month)).where(CustomerMonth.month.in_(months)))
    return got or months[-1]


def _month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _round(unit: str, value: float) -> float:
    return float(round(value)) if unit == "money" else round(value, 2)
