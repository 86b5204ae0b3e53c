"""Queries of the insight module: the holdings a snapshot is computed from, and the snapshot's own reads and writes.

Reads for the nightly computation take a chunk of customer ids (bounded IN lists both databases take); reads for
pages take a principal and scope through ``customer_scope`` like every other list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.customer import Customer, IndividualProfile
from bankcrm.models.holding import Account, AccountTransaction, BalanceSnapshot, CustomerFigure, LoanContract, Product
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit

# Customers no longer served get no new snapshot rows (their history stays).
LEFT_OUT_STATUSES = ("MERGED",)


# --- which customers --------------------------------------------------------------------------


def customers_with_holdings(db: Session) -> list[int]:
    """Every served customer with an account or a loan contract, ascending."""
    holders = select(Account.customer_id).union(select(LoanContract.customer_id)).subquery()
    stmt = select(Customer.id).where(Customer.id.in_(select(holders)), Customer.status.not_in(LEFT_OUT_STATUSES))
    return sorted(db.scalars(stmt))


def changed_since(db: Session, since: datetime | None, month: date) -> list[int]:
    """Customers whose figures or record changed after ``since``, or who hold something but lack ``month``'s row."""
    # Correlated EXISTS (index probes) rather than IN / NOT IN: inside an OR PostgreSQL cannot make those joins,
    # and a subquery too big for work_mem became an unhashed subplan scanned once per customer (minutes at 100,000).
    with_row = exists().where(CustomerMonth.customer_id == Customer.id, CustomerMonth.month == month)
    holds = or_(
        exists().where(Account.customer_id == Customer.id), exists().where(LoanContract.customer_id == Customer.id)
    )
    conditions: list[Any] = [and_(holds, ~with_row)]
    if since is not None:
        figured = exists().where(CustomerFigure.customer_id == Customer.id, CustomerFigure.computed_at > since)
        conditions += [figured, Customer.updated_at > since]
    stmt = select(Customer.id).where(or_(*conditions), Customer.status.not_in(LEFT_OUT_STATUSES))
    return sorted(db.scalars(stmt))


def last_computed(db: Session) -> datetime | None:
    """When the snapshot was last written (the incremental run's watermark)."""
    return db.scalar(select(func.max(CustomerMonth.computed_at)))


# --- the holdings of a chunk of customers ------------------------------------------------------


def customer_rows(db: Session, ids: list[int]) -> list[tuple[Any, ...]]:
    """(id, kind, home unit, manager, created_at, birth date)."""
    stmt = (
        select(
            Customer.id,
            Customer.kind,
            Customer.home_unit_id,
            Customer.account_manager_id,
            Customer.created_at,
            IndividualProfile.birth_date,
        )
        .outerjoin(IndividualProfile, IndividualProfile.customer_id == Customer.id)
        .where(Customer.id.in_(ids))
    )
    return [tuple(r) for r in db.execute(stmt)]


def account_rows(db: Session, ids: list[int]) -> list[tuple[Any, ...]]:
    """(account id, customer, category, product, open date, close date or None) of every account."""
    stmt = (
        select(
            Account.id,
            Account.customer_id,
            Product.category,
            Account.product_code,
            Account.open_date,
            case((Account.status == "CLOSED", func.coalesce(Account.close_date, Account.balance_date)), else_=None),
        )
        .join(Product, Product.code == Account.product_code)
        .where(Account.customer_id.in_(ids))
    )
    return [tuple(r) for r in db.execute(stmt)]


def loan_rows(db: Session, ids: list[int]) -> list[tuple[Any, ...]]:
    """(customer, product, start date, end date or None while running, outstanding) of every loan contract."""
    stmt = select(
        LoanContract.customer_id,
        LoanContract.product_code,
        LoanContract.start_date,
        case((LoanContract.status == "ACTIVE", None), else_=LoanContract.maturity_date),
        case((LoanContract.status == "ACTIVE", LoanContract.outstanding), else_=0),
    ).where(LoanContract.customer_id.in_(ids))
    return [tuple(r) for r in db.execute(stmt)]


def balance_rows(db: Session, ids: list[int], since: date, until: date) -> pl.DataFrame:
    """(account_id, day, balance) of snapshots in [since, until], plus each account's last one before ``since``."""
    sql = (
        "SELECT b.account_id, b.balance_date, b.balance FROM balance_snapshot b JOIN (SELECT account_id,"
        " max(balance_date) AS day FROM balance_snapshot WHERE customer_id IN ({ids}) AND balance_date < {since}"
        " GROUP BY account_id) p ON p.account_id = b.account_id AND p.day = b.balance_date"
        " UNION ALL SELECT account_id, balance_date, balance FROM balance_snapshot"
        " WHERE customer_id IN ({ids}) AND balance_date >= {since} AND balance_date <= {until}"
    )
    sql = sql.format(ids=_ids(ids), since=_day(since), until=_day(until))
    day = pl.String if is_sqlite(db) else pl.Date
    frame = _fetch(db, sql, {"account_id": pl.Int64, "day": day, "balance": pl.Int64})
    return frame.with_columns(pl.col("day").str.to_date("%Y-%m-%d")) if is_sqlite(db) else frame


def voucher_rows(db: Session, ids: list[int], start: datetime, end: datetime) -> pl.DataFrame:
    """(customer_id, t UTC, amount, direction, channel, purpose, bank) of vouchers in [start, end)."""
    sqlite = is_sqlite(db)
    when = "txn_time" if sqlite else "txn_time AT TIME ZONE 'UTC'"
    sql = (
        f"SELECT customer_id, {when}, amount, direction, channel, purpose_code, counterparty_bank"  # noqa: S608
        f" FROM account_transaction WHERE customer_id IN ({_ids(ids)})"
        f" AND txn_time >= {_moment(db, start)} AND txn_time < {_moment(db, end)}"
    )
    text_ = pl.String
    schema = {"customer_id": pl.Int64, "t": text_ if sqlite else pl.Datetime("us"), "amount": pl.Int64}
    schema |= {"direction": text_, "channel": text_, "purpose": text_, "bank": text_}
    frame = _fetch(db, sql, schema)
    if sqlite:  # SQLAlchemy stores '2026-10-31 16:00:00.000000' (UTC)
        frame = frame.with_columns(pl.col("t").str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us"))
    return frame


# The bulk reads of a snapshot run go straight to the driver's cursor: millions of rows a backfill, where
# SQLAlchemy's rows and per-value conversion (text to datetime on SQLite) cost more than the computation.
# Only integers and dates of our own are written into these statements.


def _ids(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _day(d: date) -> str:
    return f"'{d.isoformat()}'"


def _moment(db: Session, t: datetime) -> str:
    """A UTC instant as the database compares it (SQLite: the stored text)."""
    utc = t.astimezone(UTC)
    if is_sqlite(db):
        return f"'{utc.replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}'"
    return f"timestamptz '{utc.isoformat()}'"


def _fetch(db: Session, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``sql`` as a frame of ``schema``, read by the driver's cursor."""
    cursor = db.connection().connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pl.DataFrame(rows, schema=schema, orient="row")


def last_voucher_before(db: Session, ids: list[int], start: datetime) -> list[tuple[int, datetime]]:
    """(customer, time of the newest voucher before ``start``)."""
    t = AccountTransaction
    stmt = select(t.customer_id, func.max(t.txn_time)).where(t.customer_id.in_(ids), t.txn_time < start)
    return [(c, w) for c, w in db.execute(stmt.group_by(t.customer_id)) if w is not None]


def tiers_in(db: Session, ids: list[int], month: date) -> list[tuple[int, str]]:
    """(customer, tier) of these customers' rows for one month."""
    stmt = select(CustomerMonth.customer_id, CustomerMonth.tier).where(
        CustomerMonth.month == month, CustomerMonth.customer_id.in_(ids)
    )
    return [(c, t) for c, t in db.execute(stmt)]


# --- writes ------------------------------------------------------------------------------------


def replace_rows(
    db: Session, ids: list[int], months: list[date], columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Swap these customers' rows of these months for the new ones (``rows`` in ``columns`` order, which is
    ``insert_order``).

    The rows go in as one COPY on PostgreSQL and one DBAPI executemany on SQLite: tens of thousands of rows a
    chunk, where per-row parameter processing would cost more than the computation. On SQLite, dates and times
    are given as the text SQLAlchemy itself stores (the caller formats them).
    """
    db.execute(delete(CustomerMonth).where(CustomerMonth.customer_id.in_(ids), CustomerMonth.month.in_(months)))
    if not rows:
        return
    conn = db.connection()
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY customer_month ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # The statement SQLAlchemy compiles for these columns; its placeholders follow the table's column order.
    statement = insert(CustomerMonth).compile(dialect=conn.dialect, column_keys=columns)
    conn.exec_driver_sql(str(statement), rows)


def insert_order(columns: list[str]) -> list[str]:
    """These columns in the table's order (the order ``replace_rows`` takes a row's values in)."""
    return [c.name for c in CustomerMonth.__table__.columns if c.name in columns]


def is_sqlite(db: Session) -> bool:
    """Whether the session's database is SQLite (rows are then written with dates as text)."""
    return db.connection().dialect.name == "sqlite"


def prune(db: Session, before: date) -> int:
    """Delete every row of months before ``before``; how many."""
    return db.execute(delete(CustomerMonth).where(CustomerMonth.month < before)).rowcount or 0  # type: ignore[attr-defined]


def analyse(db: Session) -> None:
    """PostgreSQL: fresh planner statistics of the snapshot after a run wrote it.

    A new month (or a backfill) adds a value of ``month`` the statistics do not know, and a month is a small share
    of 36, under autovacuum's 10 % threshold: segment previews then planned nested loops for a month "of 4 rows"
    (0.75 s instead of 0.11 s for a count at 100,000 customers). ANALYZE reads a sample (30,000 rows), so it
    costs about a second whatever the table's size. SQLite's ANALYZE reads every row and its plans did not need it.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE customer_month"))


def month_metrics(db: Session, month: date) -> pl.DataFrame:
    """(days since last transaction, voucher count, month-average AUM) of every row of a month."""
    columns = "days_since_txn, txn_in_count + txn_out_count, aum_avg"
    sql = f"SELECT {columns} FROM customer_month WHERE month = {_day(month)}"  # noqa: S608
    return _fetch(db, sql, {"days": pl.Int64, "freq": pl.Int64, "aum": pl.Int64})


def write_scores(
    db: Session,
    month: date,
    r_cuts: list[int],
    f_cuts: list[int],
    m_cuts: list[int],
    groups: Any,
    *,
    every_row: bool = True,
) -> None:
    """Score every row of a month from the quintile cut points, set-based (no row leaves SQL).

    A score is 1 plus the number of cut points the value passes: above them for frequency and monetary,
    below them for recency (no transaction at all scores 1). ``groups`` maps (R high, F high, M high) to a
    group code given the high threshold, as ``(threshold, {(bool, bool, bool): code})``. ``every_row`` (rows
    just written, a backfill): one UPDATE, the group from the score expressions themselves; otherwise (a usual
    night, most rows scored before) two UPDATEs that rewrite only the rows whose scores, then group, change.
    """
    m = CustomerMonth

    def above(column: Any, cuts: list[int]) -> Any:
        return 1 + sum((case((column > c, 1), else_=0) for c in cuts), start=0)

    def below(column: Any, cuts: list[int]) -> Any:
        return case((column.is_(None), 1), else_=1 + sum((case((column < c, 1), else_=0) for c in cuts), start=0))

    def group_of(r: Any, f: Any, mon: Any) -> Any:
        threshold, by_flags = groups
        whens = [
            (and_(_high(r, threshold, rh), _high(f, threshold, fh), _high(mon, threshold, mh)), code)
            for (rh, fh, mh), code in by_flags.items()
        ]
        return case(*whens, else_=None)

    r, mon = below(m.days_since_txn, r_cuts), above(m.aum_avg, m_cuts)
    f = above(m.txn_in_count + m.txn_out_count, f_cuts)
    if every_row:  # an UPDATE's SET sees the old scores: the group is computed from the expressions
        db.execute(
            update(m).where(m.month == month).values(r_score=r, f_score=f, m_score=mon, rfm_group=group_of(r, f, mon))
        )
        return
    moved = or_(m.r_score.is_distinct_from(r), m.f_score.is_distinct_from(f), m.m_score.is_distinct_from(mon))
    db.execute(update(m).where(m.month == month, moved).values(r_score=r, f_score=f, m_score=mon))
    group = group_of(m.r_score, m.f_score, m.m_score)
    db.execute(update(m).where(m.month == month, m.rfm_group.is_distinct_from(group)).values(rfm_group=group))


def _high(column: Any, threshold: int, high: bool) -> Any:
    return column >= threshold if high else column < threshold


def earliest_history(db: Session) -> date | None:
    """The oldest delivered balance day or voucher time's day (UTC), if any."""
    days = [
        db.scalar(select(func.min(BalanceSnapshot.balance_date))),
        db.scalar(select(func.min(AccountTransaction.txn_time))),
    ]
    out = [d.date() if isinstance(d, datetime) else d for d in days if d is not None]
    return min(out) if out else None


def history(db: Session, customer_id: int, month: date | None, months: int) -> list[CustomerMonth]:
    """A customer's rows up to ``month`` (default: the newest), at most ``months`` of them, oldest first."""
    stmt = select(CustomerMonth).where(CustomerMonth.customer_id == customer_id)
    if month is not None:
        stmt = stmt.where(CustomerMonth.month <= month)
    rows = list(db.scalars(stmt.order_by(CustomerMonth.month.desc()).limit(months)))
    if month is not None and (not rows or rows[0].month != month):
        return []
    return rows[::-1]


# --- the tier watch lists ----------------------------------------------------------------------


def newest_month(db: Session) -> date | None:
    """The newest month the snapshot holds."""
    return db.scalar(select(func.max(CustomerMonth.month)))


def _deposits() -> Any:
    return CustomerMonth.demand_avg + CustomerMonth.time_avg


WATCH_SORTS: dict[str, Any] = {
    "cif_no": Customer.cif_no,
    "unit_code": OrgUnit.code,
    "tier": CustomerMonth.tier,
    "aum_avg": CustomerMonth.aum_avg,
    "deposits_avg": _deposits(),
    "loans_outstanding": CustomerMonth.loans_outstanding,
}


def _near_drop(tiers: list[Any]) -> Any:
    """In a tier above the lowest, with every measure that reaches it below 110 % of its bound (exact in fen)."""
    m = CustomerMonth
    conditions = []
    for t in tiers:
        if t.rank == 0:
            continue
        measure = m.aum_avg if t.kind == "individual" else _deposits()
        near = measure * 10 < t.min_balance * 11
        if t.min_loans is not None:
            near = and_(near, m.loans_outstanding * 10 < t.min_loans * 11)
        conditions.append(and_(m.kind == t.kind, m.tier == t.code, near))
    return or_(*conditions) if conditions else m.tier.is_(None)


@dataclass(frozen=True)
class WatchMove:
    """One cell of the tier-move matrix: the month before, the tier then and now, the unit's path."""

    previous: date
    from_tier: str
    to_tier: str
    under_path: str


def tier_watch(
    db: Session,
    principal: Principal,
    page: PageRequest,
    month: date,
    which: str,
    tiers: list[Any],
    sort: SortSpec,
    moved: WatchMove | None = None,
) -> Page[tuple[CustomerMonth, Customer, str]]:
    """Rows of a month of customers in scope who moved up, moved down, or are near dropping their tier; ``moved``
    narrows them to those whose tier went from one to another since the month before, under a unit."""
    m = CustomerMonth
    condition = {"up": m.tier_change > 0, "down": m.tier_change < 0}.get(which)
    if condition is None:
        condition = _near_drop(tiers)
    if moved is not None:  # the matrix's cell decides, as the dashboard counted it (last month's row to this one)
        before = aliased(CustomerMonth)
        was = select(before.customer_id).where(
            before.customer_id == m.customer_id, before.month == moved.previous, before.tier == moved.from_tier
        )
        condition = and_(
            m.tier == moved.to_tier, exists(was), OrgUnit.path.startswith(moved.under_path, autoescape=True)
        )
    stmt = (
        select(m, Customer, OrgUnit.code)
        .join(Customer, Customer.id == m.customer_id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(m.month == month, condition, customer_scope(principal))
    )
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, WATCH_SORTS).offset(page.offset).limit(page.size)
    items = [(r[0], r[1], r[2]) for r in db.execute(stmt)]
    return Page(items=items, total=total, page=page.page, size=page.size)
