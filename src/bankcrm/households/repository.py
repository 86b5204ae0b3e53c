"""Queries for households; reads by id assume the caller checks scope on the members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from bankcrm.models.customer import Customer, IndividualProfile
from bankcrm.models.holding import Account, CustomerFigure, LoanContract, Product
from bankcrm.models.household import Household, HouseholdMember, HouseholdOverride
from bankcrm.models.relationship import CustomerLink

LOCK_KEY = 20261130  # PostgreSQL advisory lock: one derivation at a time


def lock(db: Session) -> None:
    """Serialise derivations until the transaction ends (SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _family_links(family_types: Iterable[str], today: date) -> Select[int, int]:
    """The active family links joining two individuals."""
    source, target = aliased(Customer), aliased(Customer)
    return (
        select(CustomerLink.from_customer_id, CustomerLink.to_customer_id)
        .join(source, source.id == CustomerLink.from_customer_id)
        .join(target, target.id == CustomerLink.to_customer_id)
        .where(
            CustomerLink.link_type.in_(sorted(family_types)),
            or_(CustomerLink.valid_to.is_(None), CustomerLink.valid_to > today),
            source.kind == "individual",
            target.kind == "individual",
        )
    )


def family_edges(
    db: Session, family_types: Iterable[str], today: date, among: set[int] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(from ids, to ids) of the active family links joining two individuals (both ``among``, if given)."""
    stmt = _family_links(family_types, today)
    if among is not None:
        ids = sorted(among)
        stmt = stmt.where(CustomerLink.from_customer_id.in_(ids), CustomerLink.to_customer_id.in_(ids))
    rows = np.array(db.execute(stmt).all(), dtype=np.int64).reshape(-1, 2)
    return rows[:, 0], rows[:, 1]


def family_neighbours(db: Session, family_types: Iterable[str], today: date, ids: set[int]) -> set[int]:
    """The individuals an active family link joins to any of these customers."""
    if not ids:
        return set()
    wanted = sorted(ids)
    stmt = _family_links(family_types, today).where(
        or_(CustomerLink.from_customer_id.in_(wanted), CustomerLink.to_customer_id.in_(wanted))
    )
    return {c for pair in db.execute(stmt) for c in pair} - ids


def overrides(db: Session) -> list[HouseholdOverride]:
    """Every override, oldest first."""
    return list(db.scalars(select(HouseholdOverride).order_by(HouseholdOverride.id)))


def memberships(db: Session, among: set[int] | None = None) -> dict[int, int]:
    """customer id → household id, for every member (of those ``among``, if given)."""
    stmt = select(HouseholdMember.customer_id, HouseholdMember.household_id)
    if among is not None:
        stmt = stmt.where(HouseholdMember.customer_id.in_(sorted(among)))
    return {c: h for c, h in db.execute(stmt)}


def member_rows(db: Session, among: set[int] | None = None) -> dict[int, tuple[int, bool]]:
    """customer id → (household id, manual), for every member (of those ``among``, if given)."""
    stmt = select(HouseholdMember.customer_id, HouseholdMember.household_id, HouseholdMember.manual)
    if among is not None:
        stmt = stmt.where(HouseholdMember.customer_id.in_(sorted(among)))
    return {c: (h, bool(m)) for c, h, m in db.execute(stmt)}


def member_ids(db: Session, household_ids: set[int]) -> set[int]:
    """The customers who are members of these households."""
    if not household_ids:
        return set()
    stmt = select(HouseholdMember.customer_id).where(HouseholdMember.household_id.in_(sorted(household_ids)))
    return set(db.scalars(stmt))


def live_households(db: Session, ids: set[int] | None = None) -> dict[int, Household]:
    """Households not dissolved, by id (of these ``ids``, if given)."""
    stmt = select(Household).where(Household.dissolved_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Household.id.in_(sorted(ids)))
    return {h.id: h for h in db.scalars(stmt)}


def seniority(db: Session, ids: Iterable[int]) -> dict[int, tuple[int, date, str]]:
    """customer id → sort key for the default head: known birth dates first, oldest first, then CIF number."""
    stmt = (
        select(Customer.id, Customer.cif_no, IndividualProfile.birth_date)
        .outerjoin(IndividualProfile, IndividualProfile.customer_id == Customer.id)
        .where(Customer.id.in_(sorted(set(ids))))
    )
    return {i: (0 if born else 1, born or date.max, cif) for i, cif, born in db.execute(stmt)}


def add_households(db: Session, count: int, now: datetime) -> list[int]:
    """Create ``count`` households; their ids in creation order."""
    rows = [Household(created_at=now, derived_at=now) for _ in range(count)]
    db.add_all(rows)
    db.flush()
    return [h.id for h in rows]


def update_households(db: Session, rows: list[dict[str, object]]) -> None:
    """Update households by id (each dict holds the id)."""
    if rows:
        db.execute(update(Household), rows)


def delete_members(db: Session, customer_ids: Iterable[int]) -> None:
    """Take these customers out of their households."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 1_000):
        db.execute(delete(HouseholdMember).where(HouseholdMember.customer_id.in_(ids[start : start + 1_000])))


def insert_members(db: Session, rows: list[dict[str, object]]) -> None:
    """Add members (customer_id, household_id, manual)."""
    if rows:
        db.execute(insert(HouseholdMember), rows)


def household(db: Session, household_id: int) -> Household | None:
    """A household that exists (not dissolved)."""
    found = db.get(Household, household_id)
    return found if found is not None and found.dissolved_at is None else None


def members_of(db: Session, household_id: int) -> list[tuple[HouseholdMember, Customer]]:
    """A household's members with their customer rows, by customer id."""
    stmt = (
        select(HouseholdMember, Customer)
        .join(Customer, Customer.id == HouseholdMember.customer_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(Customer.id)
    )
    return [(m, c) for m, c in db.execute(stmt)]


def membership(db: Session, customer_id: int) -> HouseholdMember | None:
    """The customer's household membership, if any."""
    return db.get(HouseholdMember, customer_id)


def member_count(db: Session, household_id: int) -> int:
    """How many members a household has."""
    stmt = select(func.count()).select_from(HouseholdMember).where(HouseholdMember.household_id == household_id)
    return int(db.scalar(stmt) or 0)


def figures(db: Session, ids: set[int]) -> dict[int, CustomerFigure]:
    """The nightly figures of these customers (those that have some)."""
    if not ids:
        return {}
    return {f.customer_id: f for f in db.scalars(select(CustomerFigure).where(CustomerFigure.customer_id.in_(ids)))}


def holdings_by_category(db: Session, ids: set[int]) -> list[tuple[int, str, int]]:
    """(customer, product category, holdings) of open accounts and active loan contracts."""
    if not ids:
        return []
    accounts = (
        select(Account.customer_id, Product.category, func.count())
        .join(Product, Product.code == Account.product_code)
        .where(Account.customer_id.in_(ids), Account.status != "CLOSED")
        .group_by(Account.customer_id, Product.category)
    )
    loans = (
        select(LoanContract.customer_id, Product.category, func.count())
        .join(Product, Product.code == LoanContract.product_code)
        .where(LoanContract.customer_id.in_(ids), LoanContract.status == "ACTIVE")
        .group_by(LoanContract.customer_id, Product.category)
    )
    return [(c, cat, int(n)) for stmt in (accounts, loans) for c, cat, n in db.execute(stmt)]


def add_override(db: Session, row: HouseholdOverride) -> None:
    """Add and flush an override."""
    db.add(row)
    db.flush()


def drop_overrides(
    db: Session, kinds: Iterable[str], *, customer_id: int | None = None, household_id: int | None = None
) -> None:
    """Delete the overrides of these kinds for a customer or for a household (a newer edit replaces them)."""
    stmt = delete(HouseholdOverride).where(HouseholdOverride.kind.in_(sorted(kinds)))
    if customer_id is not None:
        stmt = stmt.where(HouseholdOverride.customer_id == customer_id)
    if household_id is not None:
        stmt = stmt.where(HouseholdOverride.household_id == household_id)
    db.execute(stmt)
