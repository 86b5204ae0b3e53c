"""Bulk writers: many-row inserts and updates, the figures queue, vouchers by COPY or executemany."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from sqlalchemy import Index, Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from bankcrm.db import bulk_cache as bulk_cache  # the load's page cache, re-exported by the repository
from bankcrm.ingest.repository.chunks import _chunks
from bankcrm.models.holding import AccountTransaction

VOUCHER_INDEX = "ix_account_transaction_customer_time"


def voucher_count(db: Session) -> int:
    """Vouchers on file: PostgreSQL's live-row statistics (exact enough, and free), SQLite's count."""
    if db.get_bind().dialect.name == "postgresql":
        # Live rows as the statistics count them; not pg_class.reltuples, which an index build sets
        # in place, so a rolled-back (or killed) first load leaves it claiming rows that never landed.
        # Statistics that know nothing of the table (just reset) fall back to reltuples.
        sql = (
            "SELECT CASE WHEN s.n_live_tup + s.n_dead_tup > 0 THEN s.n_live_tup ELSE c.reltuples::bigint END "
            "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.relname = 'account_transaction' AND c.relkind = 'r'"
        )
        estimate = db.scalar(text(sql))
        if estimate is not None and estimate >= 0:
            return int(estimate)
    return db.scalar(select(func.count()).select_from(AccountTransaction)) or 0


def _voucher_index() -> Index:
    table: Table = AccountTransaction.__table__  # type: ignore[assignment]
    return next(i for i in table.indexes if i.name == VOUCHER_INDEX)


def drop_voucher_index(db: Session) -> None:
    """Drop the (customer, time) index inside the load's transaction (it comes back with the rollback)."""
    _voucher_index().drop(bind=db.connection())


def create_voucher_index(db: Session) -> None:
    """Build the (customer, time) index again, from sorted data (faster than row-by-row maintenance)."""
    if db.get_bind().dialect.name == "postgresql":
        # A sort that fits in memory instead of spilling to disk; for this transaction only.
        db.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    _voucher_index().create(bind=db.connection())


def insert_returning_ids(db: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows; their new ids in the rows' order."""
    ids: list[int] = []
    for part in _chunks(rows, 5_000):
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(db.scalars(stmt, list(part)))
    return ids


def insert_rows(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one statement per page of rows."""
    for part in _chunks(rows, 5_000):
        db.execute(insert(model), list(part))


def update_rows(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Update many rows by primary key (each dict holds the key)."""
    for part in _chunks(rows, 5_000):
        db.execute(update(model), list(part))


def mark_dirty(db: Session, customer_ids: Iterable[int]) -> None:
    """Queue customers for the nightly figures (a customer already queued stays queued once)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    if db.get_bind().dialect.name == "postgresql":
        # One statement with the ids as an array: a round trip per customer cost seconds at scale.
        sql = (
            "INSERT INTO customer_figure_dirty (customer_id) "
            "SELECT unnest(CAST(:ids AS integer[])) ON CONFLICT DO NOTHING"
        )
        db.execute(text(sql), {"ids": ids})
        return
    # SQLite runs the one prepared statement in process: no round trips to save.
    stmt = text("INSERT INTO customer_figure_dirty (customer_id) VALUES (:id) ON CONFLICT DO NOTHING")
    db.execute(stmt, [{"id": i} for i in ids])


SQLITE_LOAD_CACHE_KIB = 512 * 1024
TXN_COLUMNS = (
    "batch_id",
    "voucher_no",
    "account_id",
    "customer_id",
    "txn_time",
    "amount",
    "direction",
    "channel",
    "counterparty_name",
    "counterparty_bank",
    "purpose_code",
    "summary",
)


@dataclass(frozen=True)
class BulkWriter:
    """Vouchers into the table in two steps, so that one thread may encode chunk n+1 while another sends chunk n."""

    encode: Callable[[pl.DataFrame], Any]
    send: Callable[[Any], None]


@contextmanager
def voucher_writer(db: Session, timezone: str) -> Iterator[BulkWriter]:
    """A voucher bulk-loader bound to the session's connection and transaction.

    It touches only the DB-API connection, so other threads may run it while this thread leaves the
    session alone (ingest checks chunk n+2 while chunk n+1 is encoded and chunk n is sent).
    ``frame`` holds TXN_COLUMNS; txn_time is the delivered local text on PostgreSQL, which reads it
    in the bank's zone (no parsing and formatting in Python), and UTC text on SQLite.
    """
    raw: Any = db.connection().connection.driver_connection
    if db.get_bind().dialect.name != "postgresql":
        yield BulkWriter(encode=lambda frame: frame.select(TXN_COLUMNS), send=partial(_insert_sqlite, raw))
        return
    with raw.cursor() as cur:
        cur.execute("SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)", (timezone,))
        previous = cur.fetchone()[0]
    yield BulkWriter(encode=_copy_text, send=partial(_copy_postgresql, raw))
    # Not on error: the failed transaction is rolled back, and its local setting with it.
    with raw.cursor() as cur:
        cur.execute("SELECT set_config('TimeZone', %s, true)", (previous,))


# Characters PostgreSQL's COPY text format reads as escapes or separators, and how to send them.
COPY_TEXT_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_text(frame: pl.DataFrame) -> bytes:
    """Rows in COPY's text format (tab-separated, \\N for null): the server reads it faster than CSV."""
    frame = frame.select(TXN_COLUMNS)
    texts = [name for name, kind in frame.schema.items() if kind == pl.String]
    special = frame.select(pl.col(texts).str.contains(r"[\\\t\n\r]").any()).row(0)
    escaped = []
    for name, found in zip(texts, special, strict=True):
        if found:  # rare: escape only the columns that need it
            value = pl.col(name)
            for plain, escape in COPY_TEXT_ESCAPES:
                value = value.str.replace_all(plain, escape, literal=True)
            escaped.append(value)
    if escaped:
        frame = frame.with_columns(escaped)
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, separator="\t", quote_style="never", null_value="\\N")
    return buffer.getvalue()


def _copy_postgresql(raw: Any, data: bytes) -> None:
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY account_transaction ({', '.join(TXN_COLUMNS)}) FROM STDIN (FORMAT text)") as copy,
    ):
        copy.write(data)


def _insert_sqlite(raw: Any, frame: pl.DataFrame) -> None:
    placeholders = ", ".join("?" for _ in TXN_COLUMNS)
    cur = raw.cursor()
    # The (customer, time) index takes rows in random order: a page cache that holds it avoids re-reading.
    cur.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
    cur.executemany(
        f"INSERT INTO account_transaction ({', '.join(TXN_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - fixed names
        frame.iter_rows(),
    )
    cur.execute("PRAGMA cache_size = -2000")  # back to SQLite's default for whatever uses the connection next
    cur.close()
