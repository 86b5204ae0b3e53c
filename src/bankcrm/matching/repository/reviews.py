"""Match reviews, 'not the same customer' decisions, merges and aliases."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerAlias, CustomerMerge, MatchDistinct, MatchReview
from bankcrm.models.org import OrgUnit

SORTS = {
    "id": MatchReview.id,
    "probability": MatchReview.probability,
    "kind": MatchReview.kind,
    "status": MatchReview.status,
    "created_at": MatchReview.created_at,
}


def _in_scope(principal: Principal) -> Select[int]:
    return select(Customer.id).join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(customer_scope(principal))


def scoped(principal: Principal) -> Select[MatchReview]:
    """Reviews whose customers (both, for a duplicate pair) lie inside the principal's data scope."""
    visible = _in_scope(principal)
    return select(MatchReview).where(
        MatchReview.customer_id.in_(visible),
        or_(MatchReview.other_customer_id.is_(None), MatchReview.other_customer_id.in_(visible)),
    )


def reviews(
    db: Session,
    principal: Principal,
    page: PageRequest,
    *,
    status: str | None,
    kind: str | None,
    sort: SortSpec,
) -> Page[MatchReview]:
    """One page of the queue in scope."""
    stmt = scoped(principal)
    if status:
        stmt = stmt.where(MatchReview.status == status)
    if kind:
        stmt = stmt.where(MatchReview.kind == kind)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.scalars(ordered(stmt, sort, SORTS).offset(page.offset).limit(page.size))
    return Page(list(rows), total, page.page, page.size)


def review(db: Session, review_id: int) -> MatchReview | None:
    """One review regardless of scope (to tell 'out of scope' from 'absent')."""
    return db.get(MatchReview, review_id)


def review_in_scope(db: Session, principal: Principal, review_id: int) -> MatchReview | None:
    """One review whose customers the principal may read."""
    return db.scalar(scoped(principal).where(MatchReview.id == review_id))


def distinct(db: Session, a: int, b: int) -> MatchDistinct | None:
    """The remembered 'not the same customer' decision for a pair, either way round."""
    return db.get(MatchDistinct, (min(a, b), max(a, b)))


def add_distinct(db: Session, a: int, b: int, user_id: int | None) -> MatchDistinct:
    """Remember that two customers are different (smaller id first)."""
    row = MatchDistinct(customer_id=min(a, b), other_customer_id=max(a, b), decided_by=user_id)
    db.add(row)
    db.flush()
    return row


def add_merge(db: Session, merge: CustomerMerge) -> CustomerMerge:
    """Keep a new merge record."""
    db.add(merge)
    db.flush()
    return merge


def add_alias(db: Session, cif_no: str, customer_id: int, merge_id: int) -> None:
    """The merged CIF number now finds the survivor."""
    db.add(CustomerAlias(cif_no=cif_no, customer_id=customer_id, merge_id=merge_id))
    db.flush()


def merge_of(db: Session, merge_id: int) -> CustomerMerge | None:
    """One merge by id."""
    return db.get(CustomerMerge, merge_id)


def latest_merge(db: Session, customer_ids: set[int]) -> CustomerMerge | None:
    """The newest merge still in force that involves any of ``customer_ids`` (as survivor or as merged)."""
    stmt = select(CustomerMerge).where(
        CustomerMerge.status == "merged",
        or_(CustomerMerge.survivor_id.in_(customer_ids), CustomerMerge.merged_id.in_(customer_ids)),
    )
    return db.scalar(stmt.order_by(CustomerMerge.id.desc()).limit(1))


def merge_by_cif(db: Session, cif_no: str) -> CustomerMerge | None:
    """The newest merge in force whose merged customer had ``cif_no``."""
    stmt = select(CustomerMerge).where(CustomerMerge.status == "merged", CustomerMerge.merged_cif_no == cif_no)
    return db.scalar(stmt.order_by(CustomerMerge.id.desc()).limit(1))


def review_of_merge(db: Session, merge_id: int) -> MatchReview | None:
    """The review whose approval performed a merge."""
    return db.scalar(select(MatchReview).where(MatchReview.merge_id == merge_id))


def merges_of(db: Session, customer_id: int) -> list[CustomerMerge]:
    """Merges in force into this survivor, newest first."""
    stmt = select(CustomerMerge).where(CustomerMerge.status == "merged", CustomerMerge.survivor_id == customer_id)
    return list(db.scalars(stmt.order_by(CustomerMerge.id.desc())))


def lock(db: Session, review: MatchReview) -> None:
    """Row-lock the review and its customers (PostgreSQL) and read the review again: two checkers approving
    at once, or two merges of one customer, run one after the other and the second sees the first's outcome."""
    db.execute(select(MatchReview.id).where(MatchReview.id == review.id).with_for_update())
    ids = sorted(i for i in (review.customer_id, review.other_customer_id) if i is not None)
    db.execute(select(Customer.id).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update())
    db.refresh(review)
