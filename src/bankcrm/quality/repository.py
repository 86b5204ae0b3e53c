"""Queries of the quality module: customers in scope with their contacts and sources, duplicates, the trend table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import ContactPerson, Customer, CustomerContact
from bankcrm.models.matching import CustomerSource, MatchReview, MatchReviewKind, MatchReviewStatus, SourceSystem
from bankcrm.models.org import OrgUnit
from bankcrm.models.quality import DataQualitySnapshot
from bankcrm.quality.catalogue import LEFT_OUT_STATUSES

# Reviews that still say "these two may be one customer".
OPEN_REVIEW_STATES = (MatchReviewStatus.OPEN.value, MatchReviewStatus.MERGE_PENDING.value)


def customer_ids(
    db: Session, principal: Principal, *, under_path: str | None = None, manager_id: int | None = None
) -> list[int]:
    """Ids of the served customers the principal may read, optionally under one unit's subtree or of one manager."""
    query = (
        select(Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(customer_scope(principal), Customer.status.not_in(LEFT_OUT_STATUSES))
        .order_by(Customer.id)
    )
    if under_path is not None:
        query = query.where(OrgUnit.path.startswith(under_path, autoescape=True))
    if manager_id is not None:
        query = query.where(Customer.account_manager_id == manager_id)
    return list(db.scalars(query))


def customers(db: Session, ids: Sequence[int]) -> list[Customer]:
    """The customers with their profiles and home units, in id order."""
    return list(db.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)).unique())


def contacts(db: Session, ids: Sequence[int], today: date) -> list[CustomerContact]:
    """The customers' current phones, e-mails and addresses (those whose validity has not ended)."""
    query = (
        select(CustomerContact)
        .where(
            CustomerContact.customer_id.in_(ids),
            or_(CustomerContact.valid_to.is_(None), CustomerContact.valid_to >= today),
        )
        .order_by(CustomerContact.id)
    )
    return list(db.scalars(query))


def contact_persons(db: Session, ids: Sequence[int]) -> list[ContactPerson]:
    """The corporate customers' contact persons."""
    query = select(ContactPerson).where(ContactPerson.customer_id.in_(ids)).order_by(ContactPerson.id)
    return list(db.scalars(query))


def sources(db: Session, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(customer id, source system) for every source record linked to one of the customers."""
    query = (
        select(CustomerSource.customer_id, CustomerSource.source).where(CustomerSource.customer_id.in_(ids)).distinct()
    )
    return [(cid, source) for cid, source in db.execute(query) if cid is not None]


def source_systems(db: Session) -> list[SourceSystem]:
    """The source systems in display order."""
    return list(db.scalars(select(SourceSystem).order_by(SourceSystem.sort_order, SourceSystem.code)))


def in_open_duplicate_reviews(db: Session) -> set[int]:
    """Customers named on either side of an open (or merge-pending) duplicate review."""
    query = select(MatchReview.customer_id, MatchReview.other_customer_id).where(
        MatchReview.kind == MatchReviewKind.DUPLICATE.value, MatchReview.status.in_(OPEN_REVIEW_STATES)
    )
    out: set[int] = set()
    for one, other in db.execute(query):
        out.add(one)
        if other is not None:
            out.add(other)
    return out


def units_under(db: Session, path: str) -> list[OrgUnit]:
    """Every unit of a subtree (its root included), shallowest first."""
    query = select(OrgUnit).where(OrgUnit.path.startswith(path, autoescape=True)).order_by(OrgUnit.path)
    return list(db.scalars(query))


def unit(db: Session, unit_id: int) -> OrgUnit | None:
    """One unit."""
    return db.get(OrgUnit, unit_id)


def root_units(db: Session) -> list[OrgUnit]:
    """The units without a parent (a bank has one: its head office)."""
    return list(db.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)))


def replace_month(db: Session, month_end: date, rows: Iterable[DataQualitySnapshot]) -> int:
    """The month's snapshot rows replaced by ``rows`` (a second run in the month overwrites the first)."""
    db.execute(delete(DataQualitySnapshot).where(DataQualitySnapshot.month_end == month_end))
    added = list(rows)
    db.add_all(added)
    db.flush()
    return len(added)


def trend(db: Session, since: date, under_path: str | None) -> list[tuple[date, str, int, int, int]]:
    """(month end, field, customers, complete, valid) summed over the units of a subtree (all units: None)."""
    query = (
        select(
            DataQualitySnapshot.month_end,
            DataQualitySnapshot.field,
            func.sum(DataQualitySnapshot.customers),
            func.sum(DataQualitySnapshot.complete),
            func.sum(DataQualitySnapshot.valid),
        )
        .join(OrgUnit, DataQualitySnapshot.unit_id == OrgUnit.id)
        .where(DataQualitySnapshot.month_end >= since)
        .group_by(DataQualitySnapshot.month_end, DataQualitySnapshot.field)
        .order_by(DataQualitySnapshot.month_end, DataQualitySnapshot.field)
    )
    if under_path is not None:
        query = query.where(OrgUnit.path.startswith(under_path, autoescape=True))
    return [(m, f, int(c), int(k), int(v)) for m, f, c, k, v in db.execute(query)]
