"""Saved segments, their membership periods and daily sizes; member reads are scoped by ``customer_scope``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit
from bankcrm.models.segment import Segment, SegmentMember, SegmentSize

LOCK_KEY = 20261224  # PostgreSQL advisory lock: one membership run at a time
CHUNK = 1000
# The customer ids a specification selects, per connection (created by ``_fill_now``; not a table of the schema).
NOW = Table("segment_now", MetaData(), Column("customer_id", BigInteger, primary_key=True))


def lock(db: Session) -> None:
    """Serialise membership runs until the transaction ends (SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def newest_month(db: Session) -> date | None:
    """The newest month of the snapshot (what feature conditions read)."""
    return db.scalar(select(func.max(CustomerMonth.month)))


def scoped(query: Any, principal: Principal) -> Any:
    """A SELECT over ``customer`` narrowed to the principal's data scope."""
    return query.join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(customer_scope(principal))


def count(db: Session, query: Any) -> int:
    """How many rows the query selects."""
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def sample(db: Session, query: Any, size: int) -> list[Customer]:
    """The first ``size`` customers the id query selects, by CIF number."""
    ids = list(db.scalars(query.order_by(Customer.cif_no).limit(size)))
    if not ids:
        return []
    return list(db.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.cif_no)))


def visible(principal: Principal) -> Any:
    """Segments the principal may see: their own, their unit's (visibility unit), the bank's."""
    return or_(
        Segment.owner_id == principal.user_id,
        Segment.visibility == "bank",
        (Segment.visibility == "unit") & (Segment.unit_id == principal.unit_id),
    )


def segments(db: Session, principal: Principal | None = None) -> list[Segment]:
    """Saved segments by name: those the principal may see, or (None) every one."""
    stmt = select(Segment)
    if principal is not None:
        stmt = stmt.where(visible(principal))
    return list(db.scalars(stmt.order_by(Segment.name, Segment.id)))


def segment(db: Session, segment_id: int) -> Segment | None:
    """One segment by id."""
    return db.get(Segment, segment_id)


def add(db: Session, row: Segment) -> None:
    """A new saved segment."""
    db.add(row)
    db.flush()


def remove(db: Session, row: Segment) -> None:
    """A segment with its membership and sizes."""
    db.execute(delete(SegmentMember).where(SegmentMember.segment_id == row.id))
    db.execute(delete(SegmentSize).where(SegmentSize.segment_id == row.id))
    db.delete(row)
    db.flush()


def memberships(db: Session, principal: Principal, customer_id: int) -> list[tuple[Segment, date]]:
    """The segments the principal may see that the customer is in now, with the day the customer entered each."""
    stmt = (
        select(Segment, SegmentMember.entered_on)
        .join(SegmentMember, SegmentMember.segment_id == Segment.id)
        .where(SegmentMember.customer_id == customer_id, SegmentMember.left_on.is_(None), visible(principal))
        .order_by(Segment.name, Segment.id)
    )
    return [(row, entered) for row, entered in db.execute(stmt)]


def memberships_during(
    db: Session, principal: Principal, customer_ids: list[int], start: date, end: date
) -> list[tuple[int, int, str]]:
    """(customer id, segment id, name) for each segment the principal may see that a customer was in on some day
    from start to end; one row per pair."""
    out: set[tuple[int, int, str]] = set()
    for at in range(0, len(customer_ids), CHUNK):
        stmt = (
            select(SegmentMember.customer_id, Segment.id, Segment.name)
            .join(Segment, Segment.id == SegmentMember.segment_id)
            .where(
                SegmentMember.customer_id.in_(customer_ids[at : at + CHUNK]),
                SegmentMember.entered_on <= end,
                or_(SegmentMember.left_on.is_(None), SegmentMember.left_on > start),
                visible(principal),
            )
        )
        out.update((cid, sid, name) for cid, sid, name in db.execute(stmt))
    return sorted(out)


def open_count(db: Session, segment_id: int) -> int:
    """How many customers are in the segment now (counted on the segment index)."""
    stmt = select(func.count()).where(SegmentMember.segment_id == segment_id, SegmentMember.left_on.is_(None))
    return db.scalar(stmt) or 0


def enter(db: Session, segment_id: int, customer_ids: Iterable[int], day: date) -> int:
    """The customers enter the segment on ``day``; how many."""
    rows = [{"segment_id": segment_id, "customer_id": i, "entered_on": day} for i in sorted(customer_ids)]
    for start in range(0, len(rows), CHUNK):
        db.execute(insert(SegmentMember), rows[start : start + CHUNK])
    return len(rows)


def sync_members(db: Session, segment_id: int, query: Any, day: date) -> tuple[int, int, int]:
    """The segment's open periods made to equal ``query``'s customers, inside the database: those not yet in enter
    on ``day``, those no longer selected leave on ``day``; (entered, left, members).

    The specification is evaluated once: straight into ``segment_member`` when the segment has no open period
    (its first run), else into a temporary table of ids that both the closing UPDATE and the opening INSERT
    compare with on an index. Counts come from indexes and the UPDATE's row count (a driver's row count of
    INSERT ... SELECT is not to be relied on)."""
    open_period = (SegmentMember.segment_id == segment_id) & SegmentMember.left_on.is_(None)
    count = select(func.count()).select_from(SegmentMember).where(open_period)
    before = db.scalar(count) or 0
    columns = ["segment_id", "customer_id", "entered_on"]
    if before == 0:
        selected = query.subquery()
        # In customer order: the customer index (20 million entries at 1M customers, larger than PostgreSQL's
        # buffers) is then written in one sweep instead of at random.
        rows = select(literal(segment_id), selected.c.id, literal(day)).order_by(selected.c.id)
        db.execute(insert(SegmentMember).from_select(columns, rows))
        members = db.scalar(count) or 0
        return members, 0, members
    if db.get_bind().dialect.name == "postgresql":
        return _sync_in_one(db, segment_id, query, day)
    _fill_now(db, query)
    gone = db.execute(
        update(SegmentMember)
        .where(open_period, ~exists().where(NOW.c.customer_id == SegmentMember.customer_id))
        .values(left_on=day)
        .execution_options(synchronize_session=False)
    )
    left = int(gone.rowcount or 0)  # type: ignore[attr-defined]
    already = exists().where(open_period, SegmentMember.customer_id == NOW.c.customer_id)
    db.execute(
        insert(SegmentMember).from_select(
            columns, select(literal(segment_id), NOW.c.customer_id, literal(day)).where(~already)
        )
    )
    members = db.scalar(select(func.count()).select_from(NOW)) or 0
    return members - (before - left), left, members


def _sync_in_one(db: Session, segment_id: int, query: Any, day: date) -> tuple[int, int, int]:
    """PostgreSQL: one statement, the selection materialised once, the closing UPDATE and the opening INSERT as
    data-modifying CTEs (both see the periods as they were before it, which is what each compares with)."""
    selected = query.cte("selected").prefix_with("MATERIALIZED")
    open_period = (SegmentMember.segment_id == segment_id) & SegmentMember.left_on.is_(None)
    gone = (
        update(SegmentMember)
        .where(open_period, ~exists().where(selected.c.id == SegmentMember.customer_id))
        .values(left_on=day)
        .returning(SegmentMember.id)
        .cte("gone")
    )
    already = exists().where(open_period, SegmentMember.customer_id == selected.c.id)
    came = (
        insert(SegmentMember)
        .from_select(
            ["segment_id", "customer_id", "entered_on"],
            select(literal(segment_id), selected.c.id, literal(day)).where(~already),
        )
        .returning(SegmentMember.id)
        .cte("came")
    )
    entered, left, members = db.execute(select(_total(came), _total(gone), _total(selected))).one()
    return int(entered), int(left), int(members)


def _total(source: Any) -> Any:
    return select(func.count()).select_from(source).scalar_subquery()


def _fill_now(db: Session, query: Any) -> None:
    """The temporary table ``segment_now`` (this connection's, emptied) filled with the query's customer ids."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text("CREATE TEMPORARY TABLE IF NOT EXISTS segment_now (customer_id BIGINT PRIMARY KEY) ON COMMIT DROP")
        )
    else:  # an INTEGER PRIMARY KEY is SQLite's rowid: the cheapest index there is
        db.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS segment_now (customer_id INTEGER PRIMARY KEY)"))
    db.execute(delete(NOW))
    selected = query.subquery()
    db.execute(insert(NOW).from_select(["customer_id"], select(selected.c.id)))
    if db.get_bind().dialect.name == "postgresql":  # a temporary table has no statistics until analysed
        db.execute(text("ANALYZE segment_now"))


def analyse(db: Session) -> None:
    """PostgreSQL: fresh planner statistics of the periods after a run (a first run writes millions of rows)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE segment_member"))


def record_size(db: Session, segment_id: int, day: date, members: int) -> None:
    """The day's size (a second run on the same day replaces it)."""
    db.execute(delete(SegmentSize).where(SegmentSize.segment_id == segment_id, SegmentSize.day == day))
    db.execute(insert(SegmentSize).values(segment_id=segment_id, day=day, members=members))


def sizes(db: Session, segment_id: int) -> list[SegmentSize]:
    """The daily sizes, oldest first."""
    stmt = select(SegmentSize).where(SegmentSize.segment_id == segment_id)
    return list(db.scalars(stmt.order_by(SegmentSize.day)))


def _members(segment_id: int, principal: Principal, *columns: Any) -> Any:
    return scoped(
        select(*columns)
        .select_from(Customer)
        .join(SegmentMember, SegmentMember.customer_id == Customer.id)
        .where(SegmentMember.segment_id == segment_id, SegmentMember.left_on.is_(None), Customer.status != "MERGED"),
        principal,
    )


def member_total(db: Session, segment_id: int, principal: Principal) -> int:
    """Current members in the principal's scope."""
    return db.scalar(_members(segment_id, principal, func.count())) or 0


def member_page(
    db: Session, segment_id: int, principal: Principal, offset: int, size: int
) -> list[tuple[Customer, date]]:
    """One page of current members in the principal's scope by CIF number, with the day each entered."""
    stmt = _members(segment_id, principal, Customer, SegmentMember.entered_on)
    return [(c, d) for c, d in db.execute(stmt.order_by(Customer.cif_no).offset(offset).limit(size))]


def customers_by_cif(db: Session, cif_nos: Iterable[str]) -> dict[str, int]:
    """CIF number → customer id of those on file and not merged."""
    wanted = sorted(set(cif_nos))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = select(Customer.cif_no, Customer.id).where(
            Customer.cif_no.in_(wanted[start : start + CHUNK]), Customer.status != "MERGED"
        )
        found.update({cif: cid for cif, cid in db.execute(stmt)})
    return found
