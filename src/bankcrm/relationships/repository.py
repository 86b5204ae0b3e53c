"""Queries for customer links; reads for one customer assume the caller checked that customer's scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import scope_filter
from bankcrm.models import Customer, CustomerLink, OrgUnit


def _active(today: date) -> ColumnElement[bool]:
    return or_(CustomerLink.valid_to.is_(None), CustomerLink.valid_to > today)


def customer_by_cif(db: Session, cif_no: str) -> Customer | None:
    """One customer regardless of scope (links may cross branches; the caller hides what it may not show)."""
    return db.scalar(select(Customer).where(Customer.cif_no == cif_no))


def customers_by_id(db: Session, ids: set[int]) -> dict[int, Customer]:
    """Customers by row id, regardless of scope."""
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Customer).where(Customer.id.in_(ids)))}


def visible_ids(db: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of ``ids`` the principal may read."""
    if not ids:
        return set()
    stmt = (
        select(Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(Customer.id.in_(ids))
        .where(scope_filter(principal, unit_path=OrgUnit.path, owner_id=Customer.account_manager_id))
    )
    return set(db.scalars(stmt))


def links_of(db: Session, customer_id: int) -> list[CustomerLink]:
    """Every link from or to a customer, oldest first."""
    stmt = (
        select(CustomerLink)
        .where(or_(CustomerLink.from_customer_id == customer_id, CustomerLink.to_customer_id == customer_id))
        .order_by(CustomerLink.valid_from, CustomerLink.id)
    )
    return list(db.scalars(stmt))


def link(db: Session, link_id: int) -> CustomerLink | None:
    """One link, regardless of scope (the caller checks)."""
    return db.get(CustomerLink, link_id)


def shares_held(db: Session, company_id: int, today: date) -> int:
    """Basis points held in a company by its active shareholder links."""
    stmt = select(func.coalesce(func.sum(CustomerLink.share_pct_bp), 0)).where(
        CustomerLink.to_customer_id == company_id,
        CustomerLink.link_type == "SHAREHOLDER_OF",
        _active(today),
    )
    return int(db.scalar(stmt) or 0)


def active_link_exists(
    db: Session, from_id: int, to_id: int, link_type: str, today: date, *, both_directions: bool
) -> bool:
    """Whether an active link of this type joins the pair (in either direction for symmetric types)."""
    pair = and_(CustomerLink.from_customer_id == from_id, CustomerLink.to_customer_id == to_id)
    if both_directions:
        pair = or_(pair, and_(CustomerLink.from_customer_id == to_id, CustomerLink.to_customer_id == from_id))
    stmt = select(CustomerLink.id).where(pair, CustomerLink.link_type == link_type, _active(today)).limit(1)
    return db.scalar(stmt) is not None


def add(db: Session, row: CustomerLink) -> None:
    """Add and flush."""
    db.add(row)
    db.flush()
