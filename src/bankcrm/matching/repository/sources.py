"""Source records, source systems, survivorship rules and arrival reviews: what the feed reads and writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bankcrm.db import insert_many, reserve_ids
from bankcrm.models.customer import ChangeRequest, ChangeRequestStatus
from bankcrm.models.matching import (
    CustomerSource,
    MatchReview,
    MatchReviewKind,
    MatchReviewStatus,
    SourceSystem,
    SurvivorshipRule,
)

IN_CHUNK = 500


def _chunks(values: Sequence[str], size: int = IN_CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def source_system(db: Session, code: str) -> SourceSystem | None:
    """One source system by its code."""
    return db.get(SourceSystem, code)


def source_systems(db: Session) -> list[SourceSystem]:
    """Every source system in display order."""
    return list(db.scalars(select(SourceSystem).order_by(SourceSystem.sort_order, SourceSystem.code)))


def rules(db: Session) -> dict[str, str]:
    """Survivorship rule by field."""
    return {r.field: r.rule for r in db.scalars(select(SurvivorshipRule))}


def sources_by_key(db: Session, source: str, keys: Sequence[str]) -> dict[str, CustomerSource]:
    """This source's records with these source customer numbers, by number."""
    out: dict[str, CustomerSource] = {}
    for part in _chunks(sorted(set(keys))):
        stmt = select(CustomerSource).where(
            CustomerSource.source == source, CustomerSource.source_customer_id.in_(part)
        )
        out |= {s.source_customer_id: s for s in db.scalars(stmt)}
    return out


def source_by_key(db: Session, source: str, key: str) -> CustomerSource | None:
    """One source record by (source, source customer number)."""
    stmt = select(CustomerSource).where(CustomerSource.source == source, CustomerSource.source_customer_id == key)
    return db.scalar(stmt)


def sources_of(db: Session, customer_id: int) -> list[CustomerSource]:
    """A customer's source records, by source and number."""
    stmt = (
        select(CustomerSource)
        .where(CustomerSource.customer_id == customer_id)
        .order_by(CustomerSource.source, CustomerSource.source_customer_id)
    )
    return list(db.scalars(stmt))


def waiting_on(db: Session, customer_id: int) -> list[tuple[CustomerSource, int]]:
    """Records not linked yet whose open arrival review names this customer as the candidate, with the review id."""
    stmt = (
        select(CustomerSource, MatchReview.id)
        .join(MatchReview, MatchReview.source_record_id == CustomerSource.id)
        .where(
            MatchReview.customer_id == customer_id,
            MatchReview.kind == MatchReviewKind.ARRIVAL,
            MatchReview.status == MatchReviewStatus.OPEN,
            CustomerSource.customer_id.is_(None),
        )
        .order_by(CustomerSource.source, CustomerSource.source_customer_id)
    )
    return [(record, int(review_id)) for record, review_id in db.execute(stmt)]


def sources_of_many(
    db: Session, customer_ids: Iterable[int], sources: Iterable[str]
) -> dict[int, list[CustomerSource]]:
    """customer id → its source records from these sources, by source and number (``sources_of`` for many)."""
    codes = sorted(set(sources))
    out: dict[int, list[CustomerSource]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), IN_CHUNK):
        stmt = (
            select(CustomerSource)
            .where(CustomerSource.customer_id.in_(ids[start : start + IN_CHUNK]), CustomerSource.source.in_(codes))
            .order_by(CustomerSource.source, CustomerSource.source_customer_id)
        )
        for record in db.scalars(stmt):
            assert record.customer_id is not None
            out.setdefault(record.customer_id, []).append(record)
    return out


def add(db: Session, row: CustomerSource | MatchReview) -> None:
    """Insert one row (its id assigned)."""
    db.add(row)
    db.flush()


def open_review_of(db: Session, source_record_id: int) -> MatchReview | None:
    """The open arrival review of a source record, if any."""
    stmt = select(MatchReview).where(
        MatchReview.source_record_id == source_record_id, MatchReview.status == MatchReviewStatus.OPEN
    )
    return db.scalar(stmt)


def link_approved(db: Session) -> None:
    """Source records waiting for a create request that a checker has approved since: linked to its customer."""
    approved = (
        select(ChangeRequest.customer_id)
        .where(
            ChangeRequest.id == CustomerSource.change_request_id,
            ChangeRequest.status == ChangeRequestStatus.APPROVED,
        )
        .scalar_subquery()
    )
    waiting = select(ChangeRequest.id).where(
        ChangeRequest.status == ChangeRequestStatus.APPROVED, ChangeRequest.customer_id.is_not(None)
    )
    db.execute(
        update(CustomerSource)
        .where(CustomerSource.customer_id.is_(None), CustomerSource.change_request_id.in_(waiting))
        .values(customer_id=approved)
        .execution_options(synchronize_session=False)
    )


def reserve_source_ids(db: Session, n: int) -> list[int]:
    """Ids for ``n`` new source records (inserted later with ``insert_sources``)."""
    return reserve_ids(db, CustomerSource, n)


def insert_sources(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new source records built outside the session (ids reserved; every column), in one multi-row insert."""
    insert_many(db, CustomerSource, rows)


# Tables a load's look-ups read while it grows them (its own uncommitted rows included); the next load plans on
# what the last chunk's ANALYZE saw (never analysed, the search keys' 10 M rows were planned as 0.5 M: a seq scan).
GROWING = (
    "customer_source",
    "customer",
    "individual_profile",
    "corporate_profile",
    "customer_contact",
    "customer_search_key",
)


def analyse_growing(db: Session) -> None:
    """On PostgreSQL, fresh statistics for the tables a big load grows, inside its transaction (ANALYZE samples the
    transaction's own rows). Planned on the statistics of the empty tables, each chunk's look-up of its records by
    source number took the index on ``source`` alone and read every record so far: 2 s a query at 500,000."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in GROWING:
        db.execute(text(f"ANALYZE {table}"))
