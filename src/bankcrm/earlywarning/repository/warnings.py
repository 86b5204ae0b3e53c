"""Queries of the warnings themselves: open ones per customer, the visible ones for a principal, the timeline,
branch managers, and the rows the win-back and factor pages roll up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.access import Role, User
from bankcrm.models.customer import Customer
from bankcrm.models.earlywarning import EarlyWarning, EarlyWarningEvent, EarlyWarningParticipant
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit

W = EarlyWarning
CLOSED = "CLOSED"


def open_customers(db: Session) -> set[int]:
    """Customers with a warning not yet closed."""
    return set(db.scalars(select(W.customer_id).where(W.status != CLOSED)))


def open_of(db: Session, customer_id: int) -> EarlyWarning | None:
    """The customer's open warning, if any."""
    return db.scalars(select(W).where(W.customer_id == customer_id, W.status != CLOSED).order_by(W.id)).first()


def visible(principal: Principal) -> ColumnElement[bool]:
    """Warnings the principal may see: the customer in scope, or assigned, escalated to or brought in."""
    if principal.data_scope == "all":
        return W.id.is_not(None)
    me = principal.user_id
    brought_in = select(EarlyWarningParticipant.warning_id).where(EarlyWarningParticipant.user_id == me)
    in_scope = (
        select(Customer.id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(Customer.id == W.customer_id, customer_scope(principal))
        .exists()
    )
    return or_(in_scope, W.assignee_id == me, W.escalated_to_id == me, W.id.in_(brought_in))


def listed(
    db: Session, principal: Principal, view: str, status: str, limit: int, customer_id: int | None = None
) -> Sequence[Any]:
    """(warning, cif no, name, kind) visible to the principal in a view (mine, branch, escalated), newest first."""
    stmt = select(W, Customer.cif_no, Customer.name, Customer.kind).join(Customer, Customer.id == W.customer_id)
    stmt = stmt.where(visible(principal))
    if view == "mine":
        brought_in = select(EarlyWarningParticipant.warning_id).where(
            EarlyWarningParticipant.user_id == principal.user_id
        )
        stmt = stmt.where(or_(W.assignee_id == principal.user_id, W.id.in_(brought_in)))
    elif view == "escalated":
        stmt = stmt.where(W.escalated_to_id.is_not(None))
    if customer_id is not None:
        stmt = stmt.where(W.customer_id == customer_id)
    if status == "open":
        stmt = stmt.where(W.status != CLOSED)
    elif status == "closed":
        stmt = stmt.where(W.status == CLOSED)
    return db.execute(stmt.order_by(W.raised_on.desc(), W.id.desc()).limit(limit)).all()


def one(db: Session, principal: Principal, warning_id: int) -> EarlyWarning | None:
    """A warning the principal may see."""
    return db.scalars(select(W).where(W.id == warning_id, visible(principal))).first()


def timeline(db: Session, warning_id: int) -> Sequence[EarlyWarningEvent]:
    """A warning's steps, oldest first."""
    stmt = select(EarlyWarningEvent).where(EarlyWarningEvent.warning_id == warning_id)
    return db.scalars(stmt.order_by(EarlyWarningEvent.at, EarlyWarningEvent.id)).all()


def participants(db: Session, warning_id: int) -> list[User]:
    """The staff brought into a warning."""
    stmt = (
        select(User)
        .join(EarlyWarningParticipant, EarlyWarningParticipant.user_id == User.id)
        .where(EarlyWarningParticipant.warning_id == warning_id)
        .order_by(User.username)
    )
    return list(db.scalars(stmt))


def is_participant(db: Session, warning_id: int, user_id: int | None) -> bool:
    """Whether the user was brought into the warning."""
    return db.get(EarlyWarningParticipant, (warning_id, user_id)) is not None


def users_by_id(db: Session, ids: set[int]) -> dict[int, User]:
    """Users by id."""
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def user_by_name(db: Session, username: str) -> User | None:
    """An active user by username."""
    return db.scalars(select(User).where(User.username == username, User.active.is_(True))).first()


def users_with_roles(db: Session, roles: tuple[str, ...]) -> list[User]:
    """Active users holding any of these roles, by username."""
    stmt = select(User).join(User.roles).where(Role.code.in_(roles), User.active.is_(True)).order_by(User.username)
    return list(db.scalars(stmt).unique())


def due_for_escalation(db: Session, today: date) -> Sequence[EarlyWarning]:
    """Open warnings nobody acted on, past their due day."""
    stmt = select(W).where(W.status == "OPEN", W.acted_at.is_(None), W.due_on < today).order_by(W.id)
    return db.scalars(stmt).all()


def unit_paths(db: Session) -> dict[int, str]:
    """Org unit id → path."""
    return {i: p for i, p in db.execute(select(OrgUnit.id, OrgUnit.path))}


def units(db: Session, ids: set[int]) -> dict[int, OrgUnit]:
    """Org units by id."""
    return {u.id: u for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))} if ids else {}


def customer_context(db: Session, customer_id: int, month: date) -> dict[str, Any] | None:
    """A customer's branch, manager, tier and AUM in the month (the customer's own record when no snapshot row)."""
    row = db.get(CustomerMonth, (month, customer_id))
    customer = db.get(Customer, customer_id)
    if customer is None:
        return None
    if row is None:
        return {"unit_id": customer.home_unit_id, "manager_id": customer.account_manager_id, "tier": "", "aum": 0}
    return {"unit_id": row.unit_id, "manager_id": customer.account_manager_id, "tier": row.tier, "aum": row.aum_end}


def managers(db: Session, ids: list[int]) -> dict[int, int | None]:
    """Customer id → its primary account manager now."""
    stmt = select(Customer.id, Customer.account_manager_id).where(Customer.id.in_(ids))
    return {c: m for c, m in db.execute(stmt)}


def closed_rows(db: Session, principal: Principal, outcomes: tuple[str, ...]) -> Sequence[Any]:
    """(warning, cif no, name, unit) of visible warnings closed with these outcomes, newest first."""
    stmt = (
        select(W, Customer.cif_no, Customer.name, OrgUnit)
        .join(Customer, Customer.id == W.customer_id)
        .join(OrgUnit, OrgUnit.id == W.unit_id)
        .where(W.outcome.in_(outcomes), visible(principal))
        .order_by(W.closed_on.desc(), W.id.desc())
    )
    return db.execute(stmt).all()


def aum_by_month(db: Session, customer_ids: list[int], months: list[date]) -> dict[tuple[int, date], int]:
    """(customer, month) → month-end AUM, for these customers and months."""
    if not customer_ids or not months:
        return {}
    stmt = select(CustomerMonth.customer_id, CustomerMonth.month, CustomerMonth.aum_end).where(
        CustomerMonth.customer_id.in_(customer_ids), CustomerMonth.month.in_(months)
    )
    return {(c, m): a for c, m, a in db.execute(stmt)}


def factor_rows(db: Session, principal: Principal, under_path: str, tier: str | None) -> Sequence[Any]:
    """(raised on, leading factor) of visible warnings raised for customers homed under the unit (of a tier)."""
    stmt = (
        select(W.raised_on, W.leading_factor)
        .join(OrgUnit, OrgUnit.id == W.unit_id)
        .where(OrgUnit.path.startswith(under_path, autoescape=True), visible(principal))
    )
    if tier:
        stmt = stmt.where(W.tier == tier)
    return db.execute(stmt).all()


def waiting_counts(db: Session, principal: Principal) -> dict[str, int]:
    """Open warnings assigned to the principal (or brought in), and open ones escalated to them."""
    me = principal.user_id
    brought_in = select(EarlyWarningParticipant.warning_id).where(EarlyWarningParticipant.user_id == me)
    open_ = W.status != CLOSED
    mine = db.scalar(select(func.count()).where(open_, or_(W.assignee_id == me, W.id.in_(brought_in))))
    escalated = db.scalar(select(func.count()).where(open_, W.escalated_to_id == me))
    return {"mine": mine or 0, "escalated": escalated or 0}
