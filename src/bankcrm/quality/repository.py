"""Queries of the quality module: customers in scope with their contacts and sources, duplicates, the trend table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, delete, distinct, exists, func, insert, not_, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import ContactPerson, Customer, CustomerContact
from bankcrm.models.matching import CustomerSource, MatchReview, MatchReviewKind, MatchReviewStatus, SourceSystem
from bankcrm.models.org import OrgUnit
from bankcrm.models.quality import CustomerQuality, DataQualitySnapshot
from bankcrm.quality.catalogue import LEFT_OUT_STATUSES

# Reviews that still say "these two may be one customer".
OPEN_REVIEW_STATES = (MatchReviewStatus.OPEN.value, MatchReviewStatus.MERGE_PENDING.value)


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def _served(
    query: SelectT, principal: Principal, under_path: str | None = None, manager_id: int | None = None
) -> SelectT:
    """``query`` (over customer) kept to the served customers the principal may read, under a subtree, of a manager."""
    query = query.join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(
        customer_scope(principal), Customer.status.not_in(LEFT_OUT_STATUSES)
    )
    if under_path is not None:
        query = query.where(OrgUnit.path.startswith(under_path, autoescape=True))
    if manager_id is not None:
        query = query.where(Customer.account_manager_id == manager_id)
    return query


def customer_ids(
    db: Session, principal: Principal, *, under_path: str | None = None, manager_id: int | None = None
) -> list[int]:
    """Ids of the served customers the principal may read, optionally under one unit's subtree or of one manager."""
    return list(db.scalars(_served(select(Customer.id), principal, under_path, manager_id).order_by(Customer.id)))


def _fresh(today: date, version: str) -> ColumnElement[bool]:
    """A kept check that still stands for its customer: same catalogue, customer unchanged, nothing due today."""
    return and_(
        CustomerQuality.version == version,
        CustomerQuality.customer_updated_at == Customer.updated_at,
        CustomerQuality.recheck_on > today,
    )


def stale_ids(
    db: Session,
    principal: Principal,
    today: date,
    version: str,
    *,
    under_path: str | None = None,
    manager_id: int | None = None,
) -> list[int]:
    """Served customers in scope whose checks are not kept or no longer stand (to be checked now)."""
    query = select(Customer.id).outerjoin(CustomerQuality, CustomerQuality.customer_id == Customer.id)
    query = query.where(or_(CustomerQuality.customer_id.is_(None), not_(_fresh(today, version))))
    return list(db.scalars(_served(query, principal, under_path, manager_id).order_by(Customer.id)))


def mask_sums(
    db: Session, principal: Principal, today: date, version: str, bits: Sequence[int], *, under_path: str | None = None
) -> list[tuple[int, str, int, list[int], list[int]]]:
    """Per home unit and kind, over the kept checks that stand: (unit id, kind, customers, per bit how many have it
    complete, per bit how many have it valid) — summed by the database, nothing decrypted."""

    def count(mask: Any, bit: int) -> Any:
        return func.sum(case((mask.op("&")(bit) != 0, 1), else_=0))

    columns = [count(CustomerQuality.complete_mask, b) for b in bits]
    columns += [count(CustomerQuality.valid_mask, b) for b in bits]
    query = select(Customer.home_unit_id, CustomerQuality.kind, func.count(), *columns).join(
        CustomerQuality, CustomerQuality.customer_id == Customer.id
    )
    query = _served(query.where(_fresh(today, version)), principal, under_path)
    query = query.group_by(Customer.home_unit_id, CustomerQuality.kind)
    n = len(bits)
    return [
        (row[0], row[1], int(row[2]), [int(v or 0) for v in row[3 : 3 + n]], [int(v or 0) for v in row[3 + n :]])
        for row in db.execute(query)
    ]


def gap_rows(
    db: Session,
    principal: Principal,
    today: date,
    version: str,
    full: Mapping[str, int],
    *,
    under_path: str | None = None,
    manager_id: int | None = None,
    only: tuple[str, int] | None = None,
) -> list[tuple[Customer, int, int]]:
    """Kept checks that stand and show a gap: (customer, complete mask, valid mask); ``only`` = (kind, bit) keeps
    those whose that field is missing or invalid."""
    query = select(Customer, CustomerQuality.complete_mask, CustomerQuality.valid_mask).join(
        CustomerQuality, CustomerQuality.customer_id == Customer.id
    )
    query = query.where(
        _fresh(today, version),
        or_(*(and_(CustomerQuality.kind == kind, CustomerQuality.valid_mask != mask) for kind, mask in full.items())),
    )
    if only is not None:
        query = query.where(CustomerQuality.kind == only[0], CustomerQuality.valid_mask.op("&")(only[1]) == 0)
    query = _served(query, principal, under_path, manager_id).order_by(Customer.id)
    return [(customer, int(complete), int(valid)) for customer, complete, valid in db.execute(query)]


def store_checks(db: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Keep these customers' checks, replacing what was kept for them."""
    if not rows:
        return
    db.execute(delete(CustomerQuality).where(CustomerQuality.customer_id.in_([r["customer_id"] for r in rows])))
    db.execute(insert(CustomerQuality), list(rows))


def source_counts(db: Session, principal: Principal, under_path: str | None = None) -> Counter[str | None]:
    """Served customers in scope per source system delivering them; under None, those no source delivers."""
    query = select(CustomerSource.source, func.count(distinct(Customer.id))).join(
        CustomerSource, CustomerSource.customer_id == Customer.id
    )
    query = _served(query, principal, under_path).group_by(CustomerSource.source)
    out: Counter[str | None] = Counter({source: int(n) for source, n in db.execute(query)})
    none = select(func.count(Customer.id)).where(~exists().where(CustomerSource.customer_id == Customer.id))
    out[None] = int(db.scalar(_served(none, principal, under_path)) or 0)
    return out


def duplicate_units(db: Session, principal: Principal, under_path: str | None = None) -> list[int]:
    """The home unit of each served customer in scope named by an open (or merge-pending) duplicate review."""
    named = (
        select(MatchReview.customer_id)
        .where(_open_duplicate())
        .union(
            select(MatchReview.other_customer_id).where(_open_duplicate(), MatchReview.other_customer_id.is_not(None))
        )
    )
    query = select(Customer.home_unit_id).where(Customer.id.in_(named))
    return list(db.scalars(_served(query, principal, under_path)))


def _open_duplicate() -> ColumnElement[bool]:
    return and_(MatchReview.kind == MatchReviewKind.DUPLICATE.value, MatchReview.status.in_(OPEN_REVIEW_STATES))


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
