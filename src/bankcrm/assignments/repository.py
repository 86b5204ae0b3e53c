"""Queries for assignments, assignment requests and portfolios; customer reads are scoped by the caller's filter."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.access import Role, User
from bankcrm.models.assignment import (
    AssignmentRequest,
    AssignmentRequestItem,
    AssignmentRequestStatus,
    ManagerAssignment,
)
from bankcrm.models.customer import Customer
from bankcrm.models.holding import CustomerFigure
from bankcrm.models.org import OrgUnit

FULL_SHARE_BP = 10_000
WIDE = Numeric(38, 0)


def holds_on(day: date) -> ColumnElement[bool]:
    """Assignments holding on ``day``: valid_from ≤ day < valid_to."""
    return and_(
        ManagerAssignment.valid_from <= day,
        or_(ManagerAssignment.valid_to.is_(None), ManagerAssignment.valid_to > day),
    )


def in_scope(principal: Principal) -> ColumnElement[bool]:
    """The customers the principal may read (join OrgUnit on the customer's home unit)."""
    return customer_scope(principal)


def customers_by_cif(db: Session, principal: Principal, cif_nos: list[str]) -> dict[str, Customer]:
    """Those of the CIF numbers that name customers in scope."""
    if not cif_nos:
        return {}
    stmt = (
        select(Customer)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(Customer.cif_no.in_(cif_nos), in_scope(principal))
    )
    return {c.cif_no: c for c in db.scalars(stmt)}


def customers_by_id(db: Session, ids: set[int]) -> dict[int, Customer]:
    """Customers by row id, regardless of scope (the caller decides what to show)."""
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(ids)))}


def customers_of_manager(db: Session, principal: Principal, manager_id: int, day: date, limit: int) -> list[Customer]:
    """Customers in scope that the manager manages on ``day`` (primary by the record, or co by assignment)."""
    co = select(ManagerAssignment.customer_id).where(
        ManagerAssignment.manager_id == manager_id, ManagerAssignment.role == "co", holds_on(day)
    )
    stmt = (
        select(Customer)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(or_(Customer.account_manager_id == manager_id, Customer.id.in_(co)), in_scope(principal))
        .order_by(Customer.cif_no)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def assignments_of(db: Session, customer_id: int) -> list[ManagerAssignment]:
    """Every assignment of a customer, newest first."""
    stmt = select(ManagerAssignment).where(ManagerAssignment.customer_id == customer_id)
    return list(db.scalars(stmt.order_by(ManagerAssignment.valid_from.desc(), ManagerAssignment.id.desc())))


def holding(db: Session, customer_ids: set[int], day: date) -> dict[int, list[ManagerAssignment]]:
    """The assignments holding on ``day`` of each customer (primary first)."""
    out: dict[int, list[ManagerAssignment]] = {i: [] for i in customer_ids}
    if not customer_ids:
        return out
    stmt = select(ManagerAssignment).where(ManagerAssignment.customer_id.in_(customer_ids), holds_on(day))
    for row in db.scalars(stmt.order_by(ManagerAssignment.role.desc(), ManagerAssignment.manager_id)):
        out[row.customer_id].append(row)
    return out


def users_by_id(db: Session, ids: set[int]) -> dict[int, User]:
    """Users by id (names shown beside assignments)."""
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))}


def is_account_manager(db: Session, user_id: int) -> bool:
    """Whether the id names an active user holding the account_manager role."""
    stmt = select(User.id).join(User.roles).where(User.id == user_id, User.active, Role.code == "account_manager")
    return db.scalar(stmt.limit(1)) is not None


def user_by_username(db: Session, username: str) -> User | None:
    """A user by name, regardless of scope (the caller checks)."""
    return db.scalar(select(User).where(User.username == username))


def account_managers(db: Session) -> list[User]:
    """Active users holding the account_manager role, by display name."""
    stmt = select(User).join(User.roles).where(User.active, Role.code == "account_manager")
    return list(db.scalars(stmt.order_by(User.display_name, User.id)).unique())


def unit(db: Session, unit_id: int) -> OrgUnit | None:
    """An org unit by id."""
    return db.get(OrgUnit, unit_id)


def lock_customers(db: Session, customer_ids: set[int]) -> None:
    """Row-lock the customers (PostgreSQL), so two makers cannot both pass the pending check for one of them."""
    if customer_ids:
        db.execute(select(Customer.id).where(Customer.id.in_(customer_ids)).order_by(Customer.id).with_for_update())


def pending_for(db: Session, customer_ids: set[int]) -> dict[int, int]:
    """customer id → id of its submitted request, for those of ``customer_ids`` that have one."""
    if not customer_ids:
        return {}
    stmt = (
        select(AssignmentRequestItem.customer_id, AssignmentRequest.id)
        .join(AssignmentRequest, AssignmentRequest.id == AssignmentRequestItem.request_id)
        .where(
            AssignmentRequestItem.customer_id.in_(customer_ids),
            AssignmentRequest.status == AssignmentRequestStatus.SUBMITTED,
        )
    )
    return {cid: rid for cid, rid in db.execute(stmt)}


def request(db: Session, request_id: int, *, lock: bool = False) -> AssignmentRequest | None:
    """A request by id (the service checks the caller may see it); locked when it is about to be decided."""
    if lock:  # the row alone: FOR UPDATE cannot reach the eagerly outer-joined unit
        db.execute(select(AssignmentRequest.id).where(AssignmentRequest.id == request_id).with_for_update())
    return db.get(AssignmentRequest, request_id)


# The manager-change list's sort keys (assignments.schemas.ASSIGNMENT_REQUEST_LIST).
REQUEST_SORTS = {
    "id": AssignmentRequest.id,
    "kind": AssignmentRequest.kind,
    "customer_count": AssignmentRequest.customer_count,
    "unit": OrgUnit.code,
    "maker": AssignmentRequest.maker_name,
    "submitted_at": AssignmentRequest.submitted_at,
    "decided_at": AssignmentRequest.decided_at,
}


def requests(
    db: Session,
    page: PageRequest,
    *,
    unit_path: str | None,
    status: str | None,
    maker_id: int | None,
    sort: SortSpec | None = None,
) -> Page[AssignmentRequest]:
    """Requests whose unit lies under ``unit_path`` (None: all), or made by ``maker_id``; newest first by default."""
    stmt = select(AssignmentRequest).join(OrgUnit, AssignmentRequest.unit_id == OrgUnit.id)
    if unit_path is not None and maker_id is not None:
        stmt = stmt.where(
            or_(OrgUnit.path.startswith(unit_path, autoescape=True), AssignmentRequest.maker_id == maker_id)
        )
    elif unit_path is not None:
        stmt = stmt.where(OrgUnit.path.startswith(unit_path, autoescape=True))
    elif maker_id is not None:
        stmt = stmt.where(AssignmentRequest.maker_id == maker_id)
    if status:
        stmt = stmt.where(AssignmentRequest.status == status)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, REQUEST_SORTS) if sort else stmt.order_by(AssignmentRequest.id.desc())
    rows = db.scalars(stmt.offset(page.offset).limit(page.size))
    return Page(list(rows), total, page.page, page.size)


def add(db: Session, *rows: Any) -> None:
    """Add and flush."""
    db.add_all(rows)
    db.flush()


def _portfolio_rows(manager_id: int, day: date) -> Select[Any]:
    """(customer_id, role, share_bp) of the manager on ``day``.

    The primary is whoever the customer record names (the data scope follows it); the primary's share is
    what the co-managers leave. Co-manager rows count only while that manager is not also the primary.
    """
    co = ManagerAssignment.__table__.alias("co")
    co_sum = (
        select(co.c.customer_id, func.sum(co.c.share_bp).label("held"))
        .where(
            co.c.role == "co",
            co.c.manager_id != manager_id,
            co.c.valid_from <= day,
            or_(co.c.valid_to.is_(None), co.c.valid_to > day),
        )
        .group_by(co.c.customer_id)
        .subquery()
    )
    primary = (
        select(
            Customer.id.label("customer_id"),
            literal("primary").label("role"),
            (FULL_SHARE_BP - func.coalesce(co_sum.c.held, 0)).label("share_bp"),
        )
        .select_from(Customer)
        .outerjoin(co_sum, co_sum.c.customer_id == Customer.id)
        .where(Customer.account_manager_id == manager_id)
    )
    as_co = (
        select(
            ManagerAssignment.customer_id.label("customer_id"),
            literal("co").label("role"),
            ManagerAssignment.share_bp.label("share_bp"),
        )
        .join(Customer, Customer.id == ManagerAssignment.customer_id)
        .where(
            ManagerAssignment.manager_id == manager_id,
            ManagerAssignment.role == "co",
            holds_on(day),
            or_(Customer.account_manager_id.is_(None), Customer.account_manager_id != manager_id),
        )
    )
    return union_all(primary, as_co)  # type: ignore[return-value]


def portfolio(
    db: Session, principal: Principal, manager_id: int, day: date, page: PageRequest, sort: SortSpec | None = None
) -> tuple[list[tuple[Customer, str, int, CustomerFigure | None]], dict[str, Any]]:
    """One page of the manager's customers in the principal's scope and the totals.

    In ``sort`` order; by default primary first, then by CIF number.
    """
    rows = _portfolio_rows(manager_id, day).subquery()
    base = (
        select(Customer, rows.c.role, rows.c.share_bp, CustomerFigure)
        .join(rows, rows.c.customer_id == Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .outerjoin(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .where(in_scope(principal))
    )
    # The portfolio list's sort keys (assignments.schemas.PORTFOLIO_LIST): "role" puts the primary first.
    sorts = {
        "cif_no": Customer.cif_no,
        "status": Customer.status,
        "role": case((rows.c.role == "primary", 0), else_=1),
        "share_bp": rows.c.share_bp,
        "aum": CustomerFigure.aum,
        "deposit_balance": CustomerFigure.deposit_balance,
        "loan_balance": CustomerFigure.loan_balance,
    }
    in_order = ordered(base, sort, sorts) if sort else base.order_by(sorts["role"], Customer.cif_no)
    items = [
        (c, str(role), int(share), fig)
        for c, role, share, fig in db.execute(in_order.offset(page.offset).limit(page.size))
    ]
    aum = func.coalesce(CustomerFigure.aum, 0)
    deposit = func.coalesce(CustomerFigure.deposit_balance, 0)
    loan = func.coalesce(CustomerFigure.loan_balance, 0)
    share = cast(rows.c.share_bp, WIDE)  # fen × basis points can pass a 64-bit integer
    sums = (
        select(
            func.count(),
            func.coalesce(func.sum(case((rows.c.role == "primary", 1), else_=0)), 0),
            func.coalesce(func.sum(aum), 0),
            func.coalesce(func.sum(deposit), 0),
            func.coalesce(func.sum(loan), 0),
            func.coalesce(func.sum(cast(aum, WIDE) * share), 0),
            func.coalesce(func.sum(cast(deposit, WIDE) * share), 0),
            func.coalesce(func.sum(cast(loan, WIDE) * share), 0),
            func.max(CustomerFigure.as_of),
        )
        .select_from(Customer)
        .join(rows, rows.c.customer_id == Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .outerjoin(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .where(in_scope(principal))
    )
    count, primary, s_aum, s_dep, s_loan, w_aum, w_dep, w_loan, as_of = db.execute(sums).one()
    by_status = (
        select(Customer.status, func.count())
        .join(rows, rows.c.customer_id == Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(in_scope(principal))
        .group_by(Customer.status)
    )
    totals = {
        "customers": int(count),
        "primary": int(primary),
        "co": int(count) - int(primary),
        "by_status": {str(s): int(n) for s, n in db.execute(by_status)},
        "aum": int(s_aum),
        "deposit_balance": int(s_dep),
        "loan_balance": int(s_loan),
        "aum_credited": int(w_aum) // FULL_SHARE_BP,
        "deposit_credited": int(w_dep) // FULL_SHARE_BP,
        "loan_credited": int(w_loan) // FULL_SHARE_BP,
        "figures_as_of": as_of,
    }
    return items, totals
