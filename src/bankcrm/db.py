"""Engine factory for SQLite and PostgreSQL, and the session scope used by CLI and jobs."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Connection, Engine, Select, create_engine, event, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.kit.listing import SortSpec

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")
# How long one SQLite writer waits for another before "database is locked", and how often BEGIN is retried after.
SQLITE_BUSY_MS = 10_000
SQLITE_BEGIN_RETRIES = 3
# An execution option for work that only reads (long reports, verification): SQLite starts it deferred.
READ_ONLY = "bankcrm_read_only"


# SQLite's page cache for bulk work: 1 GB instead of 2 MB, taken only as pages are used. A 1,000,000-customer
# feed's indexes on random keys reach about 0.9 GB: with 256 MB most of their inserts read pages back and spill
# others to the WAL again and again. The snapshot's backfill rescores each month it wrote in the same transaction:
# with 2 MB each month's pass re-read the table's pages and the WAL (210 GB read at 1,000,000 customers).
BULK_CACHE_KIB = 1_048_576


@contextmanager
def bulk_cache(db: Session) -> Iterator[None]:
    """On SQLite, a large page cache for the session's connection while the block runs, restored afterwards.
    Memory only: the journal, the sync and the transaction stay as they are. Nothing on PostgreSQL."""
    if db.get_bind().dialect.name != "sqlite":
        yield
        return
    raw: Any = db.connection().connection.driver_connection
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(sqlite3.Error):  # a broken connection is thrown away anyway: keep the work's own error
            raw.execute(f"PRAGMA cache_size={int(before)}")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for any PostgreSQL URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each dialect needs to behave the same."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
        # SAVEPOINT works (tests roll back every test inside one transaction).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        _begin_sqlite(conn)


def _begin_sqlite(conn: Connection) -> None:
    """Start a SQLite transaction that holds the write lock from its first statement.

    A deferred transaction that reads and then writes fails at once ("database is locked", no
    busy wait) when another connection committed in between; taking the lock up front makes
    writers queue instead (Rails and Django do the same). Work marked READ_ONLY stays deferred
    so long reads do not hold writers up. The busy timeout covers most waits; a bounded retry
    covers the rest.
    """
    mode = "DEFERRED" if conn.get_execution_options().get(READ_ONLY) else "IMMEDIATE"
    for attempt in range(SQLITE_BEGIN_RETRIES + 1):
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or attempt == SQLITE_BEGIN_RETRIES:
                raise
            time.sleep(0.05 * 2**attempt)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (pages render after the commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for a CLI command or job: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ordered(
    stmt: SelectT, sort: SortSpec, columns: Mapping[str, Any], never_null: frozenset[str] = frozenset()
) -> SelectT:
    """``stmt`` ordered by a list's sort keys, mapped to SQL by the repository's ``columns``.

    Empty values (NULL) come last in either direction on both databases (the two disagree by
    default), so a sorted list and its export read the same on either, and a "last sign-in,
    newest first" starts with real dates. A key missing from ``columns`` is a programming error
    (the ListSpec and the repository disagree): KeyError.
    """
    clauses = []
    for key in sort.keys:
        column = columns[key.field]
        clause = column.desc() if key.descending else column.asc()
        # NULLS LAST on a column never NULL in this query changes nothing but stops SQLite walking an index in that
        # order; only the caller knows (a NOT NULL column outer-joined is NULL), so it names them
        clauses.append(clause if key.field in never_null else clause.nulls_last())
    return stmt.order_by(*clauses)


def insert_many(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of one table in the session's transaction, fast: COPY on PostgreSQL, the driver's
    executemany on SQLite with each value bound as the ORM binds it. Every dict has the same keys (all the
    columns to set: Python-side defaults are not applied here); rows needing an id get it from the table."""
    if not rows:
        return
    conn = db.connection()
    insert_prepared(db, model, prepare_rows(conn.dialect, model, rows))


# A table's rows as the driver takes them: the column names, then each row's values in that order (SQLite: already
# bound as the ORM binds them). Built by ``prepare_rows`` wherever the rows are made (a worker process, say), so the
# loading process only hands them to the driver (``insert_prepared``).
Prepared = tuple[tuple[str, ...], list[tuple[Any, ...]]]


def prepare_rows(dialect: Any, model: Any, rows: list[dict[str, Any]]) -> Prepared:
    """``rows`` (dicts with the same keys) as ``insert_prepared`` inserts them with ``dialect`` (a dialect, or the
    name of one: "sqlite", "postgresql")."""
    if not rows:
        return (), []
    name = dialect if isinstance(dialect, str) else dialect.name
    if name == "postgresql":  # COPY takes the rows' own values, in the order named
        names = tuple(rows[0])
        return names, [tuple([row[n] for n in names]) for row in rows]
    if isinstance(dialect, str):
        dialect = _dialect(dialect)
    table = model.__table__
    statement = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    order = tuple(statement.positiontup or [])  # qmark: the values in the statement's column order
    missing = set(order) - set(rows[0])
    if missing:
        raise ValueError(f"insert_many into {table.name}: no value for {sorted(missing)}")
    processors = [
        (i, _sqlite_adapted(p, _python_type(table.c[n].type)))
        for i, n in enumerate(order)
        if (p := table.c[n].type.bind_processor(dialect)) is not None or _python_type(table.c[n].type) in _ADAPTED
    ]
    params: list[tuple[Any, ...]] = []
    # a bulk write gives most rows the same object in a column (one time for all): processed once
    last: dict[int, tuple[Any, Any]] = {}
    for row in rows:
        values = [row[n] for n in order]
        for i, process in processors:
            value = values[i]
            seen = last.get(i)
            if seen is not None and seen[0] is value:
                values[i] = seen[1]
                continue
            values[i] = process(value)
            last[i] = (value, values[i])
        params.append(tuple(values))
    return order, params


def insert_prepared(db: Session, model: Any, prepared: Prepared) -> None:
    """Insert rows made by ``prepare_rows`` for this session's database, in its transaction (as ``insert_many``)."""
    names, params = prepared
    if not params:
        return
    table = model.__table__
    conn = db.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    if dialect.name == "postgresql":
        columns = ", ".join(quote(n) for n in names)
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for values in params:
                copy.write_row(values)
        return
    statement = insert(table).compile(dialect=dialect, column_keys=list(names))
    if tuple(statement.positiontup or []) != names:  # prepared for another dialect or column order
        raise ValueError(f"insert_prepared into {table.name}: values not in the statement's column order")
    conn.exec_driver_sql(str(statement), params)


def insert_frame(db: Session, model: Any, frame: pl.DataFrame, constants: Mapping[str, Any]) -> None:
    """Insert a frame's rows (columns named as the table's) with the same ``constants`` in every row, as
    ``insert_many`` inserts the rows' dicts, without a dict or a Python loop a row: the constants are bound once
    (SQLite: as the ORM binds them) and the frame's rows go to COPY or the driver's executemany as they are."""
    if not frame.height:
        return
    dialect = db.connection().dialect
    if dialect.name == "postgresql":  # COPY takes the rows' own values, in the order named
        fixed = tuple(constants.values())
        insert_prepared(db, model, ((*frame.columns, *constants), [(*row, *fixed) for row in frame.iter_rows()]))
        return
    bound = {n: _bound(dialect, model.__table__.c[n].type, v) for n, v in constants.items()}
    whole = frame.with_columns(pl.lit(v).alias(n) for n, v in bound.items())
    statement = insert(model.__table__).compile(dialect=dialect, column_keys=whole.columns)
    order = tuple(statement.positiontup or [])  # qmark: the values in the statement's column order
    insert_prepared(db, model, (order, whole.select(order).rows()))


@lru_cache
def _dialect(name: str) -> Any:
    """A dialect by name, as ``make_engine`` configures it (no connection needed to bind values)."""
    return make_engine(f"{name}://").dialect


# Times and days as pysqlite's default adapters write them, adapted here once per distinct object (the driver
# would adapt every row's copy of a load's one time: a tenth of a large feed's loading process).
_ADAPTED = (datetime, date)


def _python_type(type_: Any) -> Any:
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _sqlite_adapted(process: Any, python_type: Any) -> Any:
    """The column's bind processor, then (a time or day column) the driver's adapter, as one function."""
    if python_type not in _ADAPTED:
        return process

    def adapted(value: Any) -> Any:
        if process is not None:
            value = process(value)
        if isinstance(value, datetime):
            return value.isoformat(" ")
        if isinstance(value, date):
            return value.isoformat()
        return value

    return adapted


def _bound(dialect: Any, type_: Any, value: Any) -> Any:
    """One value of a column's type as ``prepare_rows`` binds it on SQLite."""
    process = _sqlite_adapted(type_.bind_processor(dialect), _python_type(type_))
    return value if process is None else process(value)


def reserve_ids(db: Session, model: Any, n: int) -> list[int]:
    """``n`` new primary keys of ``model``'s table, to insert rows whose encrypted values are bound to their id.

    PostgreSQL: taken from the column's sequence. SQLite: after the highest id, which stays ours because
    every write transaction holds the database's write lock from its start (BEGIN IMMEDIATE) to its end.
    """
    if n == 0:
        return []
    table = model.__table__
    if db.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        stmt = select(func.nextval(sequence)).select_from(func.generate_series(1, n))
        return [int(i) for i in db.scalars(stmt)]
    top = db.scalar(select(func.max(table.c.id))) or 0
    return list(range(top + 1, top + n + 1))
