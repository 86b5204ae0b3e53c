"""The signals read outside the snapshot: holdings (maturities, early withdrawals, loans), manager changes and the
corporate groups and guarantee circles of the relationships module; each as customer id → figures, hits only."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.group import CorporateGroup, CorporateGroupMember, GuaranteeCircle, GuaranteeCircleMember
from bankcrm.models.holding import Account, BalanceSnapshot, LoanContract, Product

CLASS_RANK = {"NORMAL": 0, "SPECIAL_MENTION": 1, "SUBSTANDARD": 2, "DOUBTFUL": 3, "LOSS": 4}  # loan_class order
LIVE_GROUPS = ("PROPOSED", "ACCEPTED")  # corporate_group states whose members are the group now


def _closed_term(db: Session, today: date, days: int, early: bool, categories: tuple[str, ...]) -> dict[int, Any]:
    """Customer → (count, fen) of accounts of these categories closed in the last ``days`` days, before maturity
    (``early``) or at or after it; the amount is the highest balance in the 40 days before closing."""
    since = today - timedelta(days=days)
    held = (
        select(func.max(BalanceSnapshot.balance))
        .where(
            BalanceSnapshot.account_id == Account.id,
            BalanceSnapshot.balance_date >= Account.close_date - timedelta(days=40),
        )
        .scalar_subquery()
    )
    when = Account.close_date < Account.maturity_date if early else Account.close_date >= Account.maturity_date
    stmt = (
        select(Account.customer_id, func.count(), func.sum(func.coalesce(held, Account.balance)))
        .join(Product, Product.code == Account.product_code)
        .where(
            Product.category.in_(categories),
            Account.status == "CLOSED",
            Account.close_date > since,
            Account.close_date <= today,
            Account.maturity_date.is_not(None),
            when,
        )
        .group_by(Account.customer_id)
    )
    return {c: (int(n), int(a or 0)) for c, n, a in db.execute(stmt)}


def matured_not_renewed(db: Session, today: date, days: int) -> dict[int, dict[str, Any]]:
    """Time deposits and wealth products closed at or after maturity in the window: not renewed with us."""
    rows = _closed_term(db, today, days, False, ("TIME", "WEALTH"))
    return {c: {"count": n, "amount": a, "days": days} for c, (n, a) in rows.items()}


def early_withdrawals(db: Session, today: date, days: int) -> dict[int, dict[str, Any]]:
    """Time deposits closed before their maturity in the window."""
    rows = _closed_term(db, today, days, True, ("TIME",))
    return {c: {"count": n, "amount": a, "days": days} for c, (n, a) in rows.items()}


def loan_trouble(db: Session, overdue_days: float) -> dict[int, dict[str, Any]]:
    """Customers with an active loan overdue ``overdue_days`` or more, or classified below normal (the worst)."""
    stmt = (
        select(LoanContract.customer_id, LoanContract.days_overdue, LoanContract.classification)
        .where(
            LoanContract.status == "ACTIVE",
            or_(LoanContract.days_overdue >= overdue_days, LoanContract.classification != "NORMAL"),
        )
        .order_by(LoanContract.customer_id)
    )
    out: dict[int, dict[str, Any]] = {}
    for c, days, cls in db.execute(stmt):
        seen = out.get(c)
        if seen is None or (CLASS_RANK.get(cls, 0), days) > (CLASS_RANK.get(seen["classification"], 0), seen["days"]):
            out[c] = {"days": int(days), "classification": cls}
    return out


def manager_changes(db: Session, today: date, days: int) -> dict[int, dict[str, Any]]:
    """Customers whose primary manager changed in the last ``days`` days: a primary row opened the day another ended."""
    ended = aliased(ManagerAssignment)
    stmt = (
        select(ManagerAssignment.customer_id, func.max(ManagerAssignment.valid_from))
        .join(
            ended,
            and_(
                ended.customer_id == ManagerAssignment.customer_id,
                ended.role == "primary",
                ended.valid_to == ManagerAssignment.valid_from,
                ended.manager_id != ManagerAssignment.manager_id,
            ),
        )
        .where(
            ManagerAssignment.role == "primary",
            ManagerAssignment.valid_from > today - timedelta(days=days),
            ManagerAssignment.valid_from <= today,
        )
        .group_by(ManagerAssignment.customer_id)
    )
    return {c: {"on": on.isoformat()} for c, on in db.execute(stmt)}


def related_trouble(db: Session, troubled: set[int]) -> dict[int, dict[str, Any]]:
    """Customers sharing a live corporate group or a current guarantee circle with a troubled other member."""
    if not troubled:
        return {}
    pairs: list[tuple[int, int]] = []
    groups = (
        select(CorporateGroupMember.group_id, CorporateGroupMember.customer_id)
        .join(CorporateGroup, CorporateGroup.id == CorporateGroupMember.group_id)
        .where(CorporateGroup.status.in_(LIVE_GROUPS), CorporateGroup.ended_at.is_(None))
    )
    circles = (
        select(GuaranteeCircleMember.circle_id, GuaranteeCircleMember.customer_id)
        .join(GuaranteeCircle, GuaranteeCircle.id == GuaranteeCircleMember.circle_id)
        .where(GuaranteeCircle.status == "CURRENT")
    )
    for stmt in (groups, circles):
        members: dict[int, list[int]] = defaultdict(list)
        for key, customer in db.execute(stmt):
            members[key].append(customer)
        for ids in members.values():
            bad = troubled.intersection(ids)
            if bad:
                pairs.extend((c, b) for c in ids for b in bad if b != c)
    counted: dict[int, set[int]] = defaultdict(set)
    for c, b in pairs:
        counted[c].add(b)
    return {c: {"members": len(bad)} for c, bad in counted.items()}
