"""Queries on tags and customers' tags; counts are scoped by ``customer_scope``, reads by id assume a scoped caller."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import Customer
from bankcrm.models.org import OrgUnit
from bankcrm.models.tag import CustomerTag, Tag

LOCK_KEY = 20261215  # PostgreSQL advisory lock: one rule-tag run at a time


def lock(db: Session) -> None:
    """Serialise rule-tag runs until the transaction ends (SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def tags(db: Session, *, active_only: bool = False) -> list[Tag]:
    """The catalogue in display order."""
    stmt = select(Tag)
    if active_only:
        stmt = stmt.where(Tag.active.is_(True))
    return list(db.scalars(stmt.order_by(Tag.sort_order, Tag.code)))


def tag(db: Session, code: str) -> Tag | None:
    """One tag by code."""
    return db.get(Tag, code)


def add_tag(db: Session, row: Tag) -> None:
    """A new tag of the catalogue."""
    db.add(row)
    db.flush()


def counts_in_scope(db: Session, principal: Principal) -> dict[str, int]:
    """tag code → customers in the principal's scope carrying it now."""
    stmt = (
        select(CustomerTag.tag_code, func.count(func.distinct(CustomerTag.customer_id)))
        .join(Customer, Customer.id == CustomerTag.customer_id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(CustomerTag.removed_at.is_(None), Customer.status != "MERGED", customer_scope(principal))
        .group_by(CustomerTag.tag_code)
    )
    return {code: n for code, n in db.execute(stmt)}


def current(db: Session, customer_ids: Iterable[int]) -> list[CustomerTag]:
    """The tags the customers carry now, oldest first."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    stmt = select(CustomerTag).where(CustomerTag.customer_id.in_(ids), CustomerTag.removed_at.is_(None))
    return list(db.scalars(stmt.order_by(CustomerTag.applied_at, CustomerTag.id)))


def history(db: Session, customer_id: int) -> list[CustomerTag]:
    """Every period the customer carried a tag, newest first."""
    stmt = select(CustomerTag).where(CustomerTag.customer_id == customer_id)
    return list(db.scalars(stmt.order_by(CustomerTag.applied_at.desc(), CustomerTag.id.desc())))


def open_rows(db: Session, customer_id: int, code: str) -> list[CustomerTag]:
    """The open rows of one tag on one customer (two only after a merge joined two customers who had it)."""
    stmt = select(CustomerTag).where(
        CustomerTag.customer_id == customer_id, CustomerTag.tag_code == code, CustomerTag.removed_at.is_(None)
    )
    return list(db.scalars(stmt.order_by(CustomerTag.id)))


def add(db: Session, row: CustomerTag) -> None:
    """A customer starts carrying a tag."""
    db.add(row)
    db.flush()


def holders(db: Session, code: str) -> set[int]:
    """Customers carrying the tag now."""
    stmt = select(CustomerTag.customer_id).where(CustomerTag.tag_code == code, CustomerTag.removed_at.is_(None))
    return set(db.scalars(stmt))


def matching(db: Session, query: Any) -> set[int]:
    """The customer ids a compiled rule's query selects."""
    return set(db.scalars(query))


def apply_many(db: Session, code: str, customer_ids: Iterable[int], source: str, at: datetime) -> int:
    """The customers start carrying the tag (applied by the batch); how many."""
    rows = [
        {"customer_id": i, "tag_code": code, "source": source, "applied_at": at, "applied_by": None}
        for i in sorted(customer_ids)
    ]
    if rows:
        db.execute(insert(CustomerTag), rows)
    return len(rows)


def close_many(db: Session, code: str, customer_ids: Iterable[int], at: datetime, by: int | None = None) -> int:
    """The customers stop carrying the tag (their open rows are closed); how many rows."""
    ids = sorted(set(customer_ids))
    closed = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        result = db.execute(
            update(CustomerTag)
            .where(CustomerTag.tag_code == code, CustomerTag.customer_id.in_(chunk), CustomerTag.removed_at.is_(None))
            .values(removed_at=at, removed_by=by)
            .execution_options(synchronize_session=False)
        )
        closed += result.rowcount or 0  # type: ignore[attr-defined]
    return closed


def close_expired(db: Session, today: date, at: datetime) -> int:
    """Close open rows whose expiry date has come; how many."""
    result = db.execute(
        update(CustomerTag)
        .where(CustomerTag.removed_at.is_(None), CustomerTag.expires_on.is_not(None), CustomerTag.expires_on <= today)
        .values(removed_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
