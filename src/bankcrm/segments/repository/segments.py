"""Saved segments, their membership periods and daily sizes; member reads are scoped by ``customer_scope``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit
from bankcrm.models.segment import Segment, SegmentMember, SegmentSize
from bankcrm.segments.repository.sql import CURRENT, add_months

LOCK_KEY = 20261224  # PostgreSQL advisory lock: one membership run at a time
CHUNK = 1000
# PostgreSQL, while a specification is evaluated over every customer (previews, the nightly): no JIT (compiling
# the expressions took 0.10-0.17 s of a 0.5-2 s count at 1M customers and won nothing back), and room for the
# hash of a month's snapshot rows (8 batches spilled to disk at the default 4 MB). At most a few previews at a
# time, each hash node up to this (×2 in PostgreSQL 15's hash_mem_multiplier) in the leader and two workers.
SCAN_SETTINGS = {"jit": "off", "work_mem": "64MB"}
# PostgreSQL, while segment_member's indexes are built again after a bulk fill: room to sort 20 million entries
# mostly in memory (shared by the leader and two workers; at 1M customers the three-column index took 27 s at
# 512 MB, 20 s at 1.5 GB, loaded machine). Transaction-local, and only the nightly builds them.
BUILD_SETTINGS = {"maintenance_work_mem": "1GB"}
# How long a bulk fill waits for the readers of segment_member before filling it with its indexes kept instead.
LOCK_WAIT = "5s"
ID_SEQUENCE = "segment_member_id_seq"  # the SERIAL of segment_member.id
# The customer ids a specification selects, per connection (created by ``_fill_now``; not a table of the schema).
NOW = Table("segment_now", MetaData(), Column("customer_id", BigInteger, primary_key=True))
# A new segment's ids a range of customers at a time (created by ``gathering``; not a table of the schema).
HITS = Table(
    "segment_hits",
    MetaData(),
    Column("segment_id", Integer),
    Column("part", Integer),
    Column("ids", ARRAY(BigInteger)),
)


def lock(db: Session) -> None:
    """Serialise membership runs until the transaction ends (SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


@contextmanager
def scanning(db: Session) -> Iterator[None]:
    """PostgreSQL: ``SCAN_SETTINGS`` for the statements inside, the transaction's own settings back after (on an
    error the rollback undoes them)."""
    if db.get_bind().dialect.name != "postgresql":
        yield
        return
    names = list(SCAN_SETTINGS)
    before = db.execute(select(*(func.current_setting(n) for n in names))).one()
    _set(db, dict(SCAN_SETTINGS))
    yield
    _set(db, dict(zip(names, before, strict=True)))


def _set(db: Session, settings: dict[str, str]) -> None:
    db.execute(select(*(func.set_config(n, v, True) for n, v in settings.items())))


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


def fill(db: Session, segment_id: int, query: Any, day: date) -> int:
    """Every customer ``query`` selects enters the segment on ``day``, which has no open period; how many. For a
    table without its indexes (``unindexed``; SQLite: PostgreSQL gathers them all at once, ``gather``): in no
    order, counted by the statement's row count (kept by ``preserve_rowcount``)."""
    selected = query.subquery()
    rows = select(literal(segment_id), selected.c.id, literal(day))
    filled = insert(SegmentMember).from_select(["segment_id", "customer_id", "entered_on"], rows)
    return db.connection().execute(filled, execution_options={"preserve_rowcount": True}).rowcount


def customer_ranges(db: Session, size: int) -> list[tuple[int, int | None]]:
    """The customer ids cut into ranges of ``size`` customers, in id order: (first id, the next range's first or
    None for the last). Stepped on the key's index, so sparse ids cost no empty ranges."""
    ranges: list[tuple[int, int | None]] = []
    first = db.scalar(select(func.min(Customer.id)))
    while first is not None:
        after = select(Customer.id).where(Customer.id >= first).order_by(Customer.id).offset(size).limit(1)
        end = db.scalar(after)
        ranges.append((first, end))
        first = end
    return ranges


def gathering(db: Session) -> None:
    """PostgreSQL: the temporary table ``segment_hits`` (this transaction's, empty) that ``gather`` fills and
    ``fill_gathered`` empties into ``segment_member``. Its arrays are stored out of line uncompressed (compressing
    160 MB of ids would cost more than it saves)."""
    db.execute(text("DROP TABLE IF EXISTS segment_hits"))
    columns = "segment_id INTEGER NOT NULL, part INTEGER NOT NULL, ids BIGINT[] NOT NULL"
    db.execute(text(f"CREATE TEMPORARY TABLE segment_hits ({columns}) ON COMMIT DROP"))
    db.execute(text("ALTER TABLE segment_hits ALTER COLUMN ids SET STORAGE EXTERNAL"))


def gather(db: Session, rows: Any, wheres: dict[int, Any], part: int) -> None:
    """PostgreSQL: the customers of ``rows`` (a range of customers joined to their snapshot rows,
    ``sql.Joined.rows``) read once, each segment's condition in ``wheres`` evaluated on every row; the ids each
    selects kept as one array (``array_agg ... FILTER``) in ``segment_hits`` under ``part`` (none if none)."""
    if not wheres:
        return
    key = Customer.__table__.c.id
    names = {segment_id: f"s{n}" for n, segment_id in enumerate(wheres)}
    found = rows.add_columns(*(func.array_agg(key).filter(w).label(names[i]) for i, w in wheres.items()))
    hits = found.cte("hits")
    each = [select(literal(i), literal(part), hits.c[names[i]]).where(hits.c[names[i]].is_not(None)) for i in wheres]
    db.execute(insert(HITS).from_select(["segment_id", "part", "ids"], union_all(*each)))


def fill_gathered(db: Session, day: date, first_id: int) -> dict[int, int]:
    """PostgreSQL, for a table without its indexes (``unindexed``): every id ``gather`` kept enters its segment
    on ``day`` (which has no open period), segment by segment and part by part, so the table is written in
    (segment, customer) order: a segment's periods lie together as a rerun reads them, and two of the three
    indexes built after get presorted input (a sort of 21 million entries in heap order of a range of customers at
    a time took twice as long). Periods numbered from ``first_id`` (``reserve_ids``); how many entered each
    segment. ``segment_hits`` is dropped."""
    counts = db.execute(select(HITS.c.segment_id, func.sum(func.cardinality(HITS.c.ids))).group_by(HITS.c.segment_id))
    entered = {int(i): int(n) for i, n in counts}
    kept = select(HITS.c.segment_id, HITS.c.ids).order_by(HITS.c.segment_id, HITS.c.part).subquery("kept")
    each = func.unnest(kept.c.ids).table_valued("customer_id").render_derived().lateral("picked")
    numbered = select(
        literal(first_id - 1) + func.row_number().over(), kept.c.segment_id, each.c.customer_id, literal(day)
    ).select_from(kept.join(each, true()))
    db.execute(insert(SegmentMember).from_select(["id", "segment_id", "customer_id", "entered_on"], numbered))
    db.execute(text("DROP TABLE segment_hits"))
    return entered


def reserve_ids(db: Session) -> int | None:
    """PostgreSQL, the table held (``take_table``): the next free period id, the ids from it on numbered by
    ``fill_gathered`` and handed back by ``release_ids``. A nextval a row cost 0.3 µs, 6 s of a first run's 20 million
    rows; nobody else can insert meanwhile, so nobody else draws from the sequence."""
    if db.get_bind().dialect.name != "postgresql":
        return None
    return int(db.scalar(text(f"SELECT nextval('{ID_SEQUENCE}')")) or 0)


def release_ids(db: Session, next_id: int) -> None:
    """The sequence carries on from ``next_id`` (the first id ``fill_gathered`` did not use)."""
    db.execute(text(f"SELECT setval('{ID_SEQUENCE}', :next, false)"), {"next": next_id})


def sync_members(
    db: Session, segment_id: int, query: Any, day: date, *, held: bool | None = None
) -> tuple[int, int, int]:
    """The segment's open periods made to equal ``query``'s customers, inside the database: those not yet in enter
    on ``day``, those no longer selected leave on ``day``; (entered, left, members).

    The specification is evaluated once: straight into ``segment_member`` when the segment has no open period
    (its first run), else into a temporary table of ids that both the closing UPDATE and the opening INSERT
    compare with on an index. Counts come from indexes and the UPDATE's row count (a driver's row count of
    INSERT ... SELECT is not to be relied on). ``held``: whether the segment has an open period, when the caller
    asked ``open_segments`` before writing (else asked here)."""
    open_period = (SegmentMember.segment_id == segment_id) & SegmentMember.left_on.is_(None)
    count = select(func.count()).select_from(SegmentMember).where(open_period)
    postgresql = db.get_bind().dialect.name == "postgresql"
    if postgresql and (has_open(db, segment_id) if held is None else held):  # (a count would visit each row)
        return _sync_in_one(db, segment_id, query, day)
    before = 0 if postgresql else db.scalar(count) or 0
    columns = ["segment_id", "customer_id", "entered_on"]
    if before == 0:
        selected = query.subquery()
        # In customer order: the customer index (20 million entries at 1M customers, larger than PostgreSQL's
        # buffers) is then written in one sweep instead of at random.
        rows = select(literal(segment_id), selected.c.id, literal(day)).order_by(selected.c.id)
        filled = insert(SegmentMember).from_select(columns, rows)
        if postgresql:  # counted as written: counting them after would visit every new row again
            members = int(db.scalar(select(_total(filled.returning(SegmentMember.id).cte("came")))) or 0)
        else:
            db.execute(filled)
            members = db.scalar(count) or 0
        return members, 0, members
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
    """PostgreSQL: one statement. The selection (materialised once) and the segment's open periods (read once)
    are compared by a full join: a period with no selected customer is closed, a selected customer with no open
    period opens one; the UPDATE and the INSERT are data-modifying CTEs over that difference."""
    selected = query.cte("selected").prefix_with("MATERIALIZED")
    open_period = (SegmentMember.segment_id == segment_id) & SegmentMember.left_on.is_(None)
    opened = select(SegmentMember.id, SegmentMember.customer_id).where(open_period).cte("opened")
    both = selected.outerjoin(opened, opened.c.customer_id == selected.c.id, full=True)
    differ = (
        select(selected.c.id.label("joining"), opened.c.id.label("period"))
        .select_from(both)
        .where(or_(selected.c.id.is_(None), opened.c.id.is_(None)))
        .cte("differ")
    )
    gone = (
        update(SegmentMember)
        .where(SegmentMember.id.in_(select(differ.c.period).where(differ.c.joining.is_(None))))
        .values(left_on=day)
        .returning(SegmentMember.id)
        .cte("gone")
    )
    came = (
        insert(SegmentMember)
        .from_select(
            ["segment_id", "customer_id", "entered_on"],
            select(literal(segment_id), differ.c.joining, literal(day)).where(differ.c.period.is_(None)),
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


def scratch(db: Session, month: date | None, features: Iterable[str], changes: Iterable[tuple[str, int]]) -> Table:
    """The temporary table ``segment_base``: one row per customer not merged, in id order, with the customer
    columns conditions read, the newest month's ``features`` (``f_<name>``) and each change's earlier figure
    (``f_<name>_<months>``); NULL where the customer has no such snapshot row.

    The nightly evaluates every rule segment against it: the join of a million customers with a million
    snapshot rows is made once a run instead of once a segment. Dropped by ``drop_scratch``."""
    sqlite = db.get_bind().dialect.name == "sqlite"
    db.execute(text("DROP TABLE IF EXISTS segment_base"))
    # SQLite: an INTEGER PRIMARY KEY is the rowid (rows kept and scanned in id order, no second index).
    key = Column("id", Integer, primary_key=True) if sqlite else Column("id", BigInteger, nullable=False)
    people = Customer.__table__.c
    months = CustomerMonth.__table__.c
    columns: list[Column[Any]] = [key, *(Column(n, people[n].type) for n in ("status", "home_unit_id", "created_at"))]
    picked: list[Any] = [Customer.id, Customer.status, Customer.home_unit_id, Customer.created_at]
    query = select().select_from(Customer)
    query = query.outerjoin(CURRENT, and_(CURRENT.customer_id == Customer.id, CURRENT.month == month))
    for name in sorted(set(features)):
        columns.append(Column(f"f_{name}", months[name].type))
        picked.append(getattr(CURRENT, name))
    earlier: dict[int, Any] = {}
    for name, back in sorted(set(changes)):
        if back not in earlier:
            earlier[back] = aliased(CustomerMonth, name=f"cm_{back}")
            on = earlier[back].customer_id == Customer.id
            query = query.outerjoin(earlier[back], and_(on, earlier[back].month == _back(month, back)))
        columns.append(Column(f"f_{name}_{back}", months[name].type))
        picked.append(getattr(earlier[back], name))
    table = Table("segment_base", MetaData(), *columns, prefixes=["TEMPORARY"])
    table.create(db.connection())
    rows = query.add_columns(*picked).where(Customer.status != "MERGED").order_by(Customer.id)
    db.execute(insert(table).from_select([c.name for c in columns], rows))
    if not sqlite:  # a temporary table has no statistics until analysed (autovacuum never sees it)
        db.execute(text("ANALYZE segment_base"))
    return table


def _back(month: date | None, months: int) -> date | None:
    return None if month is None else add_months(month, -months)


def drop_scratch(db: Session) -> None:
    """The scratch table gone (it lives as long as the connection otherwise)."""
    db.execute(text("DROP TABLE IF EXISTS segment_base"))


def has_open(db: Session, segment_id: int) -> bool:
    """Whether anyone is in the segment now (one index probe)."""
    open_period = (SegmentMember.segment_id == segment_id) & SegmentMember.left_on.is_(None)
    # Ordered as the segment index is and limited: planned as a probe of it whatever the statistics say. (As an
    # EXISTS, once a first run had written millions of rows the statistics did not know of, PostgreSQL chose a
    # scan of the whole table "to find the first of 0.5% matching rows" -- and a new segment has none.)
    stmt = select(SegmentMember.segment_id).where(open_period)
    stmt = stmt.order_by(SegmentMember.segment_id, SegmentMember.left_on, SegmentMember.customer_id).limit(1)
    return db.scalar(stmt) is not None


def open_segments(db: Session, segment_ids: Iterable[int]) -> set[int]:
    """Which of the segments anyone is in now, asked before a run writes (one index probe each)."""
    return {i for i in segment_ids if has_open(db, i)}


def rows_held(db: Session) -> int:
    """PostgreSQL's estimate of the periods ``segment_member`` holds (its statistics; 0 if never analysed)."""
    found = db.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'segment_member'::regclass"))
    return max(int(found or 0), 0)


def estimate(db: Session, query: Any) -> int:
    """PostgreSQL: the planner's estimate of the rows ``query`` selects (planned, not run)."""
    compiled = query.compile(dialect=db.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    plan = db.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])  # type: ignore[index]


def _secondary() -> list[Index]:
    return sorted(SegmentMember.__table__.indexes, key=lambda i: str(i.name))  # type: ignore[attr-defined]


def take_table(db: Session) -> bool:
    """Whether ``segment_member`` could be locked against everyone else until the transaction ends (readers
    included). PostgreSQL waits ``LOCK_WAIT`` for the readers there are; SQLite's one writer has it already."""
    if db.get_bind().dialect.name != "postgresql":
        return True
    before = db.scalar(func.current_setting("lock_timeout"))
    try:
        with db.begin_nested():
            _set(db, {"lock_timeout": LOCK_WAIT})
            db.execute(text("LOCK TABLE segment_member IN ACCESS EXCLUSIVE MODE"))
    except OperationalError:  # (the savepoint's rollback undid the setting too)
        return False
    _set(db, {"lock_timeout": str(before)})
    return True


@contextmanager
def unindexed(db: Session) -> Iterator[None]:
    """``segment_member``'s indexes (PostgreSQL: its primary key's too) dropped for the statements inside and
    built again after, one sort each instead of an entry at a time (the caller holds the table: ``take_table``).
    Transactional on both databases: a failure's rollback brings the old indexes back."""
    postgresql = db.get_bind().dialect.name == "postgresql"
    key = cast(Table, SegmentMember.__table__).primary_key
    if postgresql:  # (SQLite's key is the rowid)
        db.execute(DropConstraint(key))
    for index in _secondary():
        db.execute(DropIndex(index))
    yield
    names = list(BUILD_SETTINGS)
    if postgresql:
        before = db.execute(select(*(func.current_setting(n) for n in names))).one()
        _set(db, dict(BUILD_SETTINGS))
        db.execute(AddConstraint(key))
    for index in _secondary():
        db.execute(CreateIndex(index))
    if postgresql:
        _set(db, dict(zip(names, before, strict=True)))


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
