"""Database side of ingest: lookups by natural key, batches and runs, replacing a batch's rows, bulk loads."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

import polars as pl
from sqlalchemy import Index, Table, Text, cast, delete, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import as_utc
from bankcrm.models import (
    Account,
    AccountTransaction,
    BalanceSnapshot,
    CodeItem,
    Currency,
    Customer,
    CustomerLink,
    IngestBatch,
    IngestPriorRow,
    IngestReject,
    IngestRun,
    LoanContract,
    OrgUnit,
    Product,
    Task,
)

IN_CHUNK = 1_000


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def code_sets(db: Session) -> dict[str, frozenset[str]]:
    """Every code table as a set, plus products, currencies (active or not) and org unit codes."""
    tables: dict[str, set[str]] = {}
    for category, code in db.execute(select(CodeItem.category, CodeItem.code)):
        tables.setdefault(category, set()).add(code)
    tables["product"] = set(db.scalars(select(Product.code)))
    tables["currency"] = set(db.scalars(select(Currency.code)))
    tables["org_unit"] = set(db.scalars(select(OrgUnit.code)))
    tables["direction"] = {"D", "C"}
    return {k: frozenset(v) for k, v in tables.items()}


def unit_ids(db: Session) -> dict[str, int]:
    """Org unit id by code."""
    return {code: uid for code, uid in db.execute(select(OrgUnit.code, OrgUnit.id))}


def product_categories(db: Session) -> dict[str, str]:
    """Product category by product code."""
    return {code: cat for code, cat in db.execute(select(Product.code, Product.category))}


def overdraft_products(db: Session) -> frozenset[str]:
    """Codes of the products whose accounts may have a negative balance."""
    return frozenset(db.scalars(select(Product.code).where(Product.allows_overdraft)))


def currencies(db: Session) -> dict[str, tuple[int, bool]]:
    """(minor units, active) by currency code."""
    return {
        c: (digits, active)
        for c, digits, active in db.execute(select(Currency.code, Currency.minor_units, Currency.active))
    }


def customer_ids(db: Session, cif_nos: list[str]) -> pl.DataFrame:
    """(cif_no, _customer_id) for the CIF numbers on file."""
    rows: list[tuple[str, int]] = []
    for part in _chunks(cif_nos):
        rows.extend(db.execute(select(Customer.cif_no, Customer.id).where(Customer.cif_no.in_(part))))
    return pl.DataFrame(rows, schema={"cif_no": pl.String, "_customer_id": pl.Int64}, orient="row")


def accounts_by_index(db: Session, indexes: list[str]) -> pl.DataFrame:
    """The accounts with these blind indexes, as ACCOUNT_SCHEMA."""
    cols = (
        Account.account_no_index,
        Account.id,
        Account.customer_id,
        Account.balance_date,
        Account.product_code,
        Account.currency,
    )
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(indexes):
        rows.extend(db.execute(select(*cols).where(Account.account_no_index.in_(part))))
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA, orient="row")


ACCOUNT_SCHEMA = {
    "_index": pl.String,
    "_account_id": pl.Int64,
    "_account_customer_id": pl.Int64,
    "_balance_date": pl.Date,
    "_account_product_code": pl.String,
    "_account_currency": pl.String,
}


def all_accounts(db: Session) -> pl.DataFrame:
    """Every account as ACCOUNT_SCHEMA, in one scan."""
    sql = "SELECT account_no_index, id, customer_id, balance_date, product_code, currency FROM account"
    raw: Any = db.connection().connection.driver_connection
    if db.get_bind().dialect.name == "postgresql":
        buffer = io.BytesIO()
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        if not buffer.getvalue():
            return pl.DataFrame(schema=ACCOUNT_SCHEMA)
        return pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(ACCOUNT_SCHEMA), schema=ACCOUNT_SCHEMA)
    cur = raw.cursor()
    rows = cur.execute(sql).fetchall()
    cur.close()
    frame = pl.DataFrame(rows, schema={**ACCOUNT_SCHEMA, "_balance_date": pl.String}, orient="row")
    return frame.with_columns(pl.col("_balance_date").str.to_date("%Y-%m-%d"))


def loans_by_index(db: Session, indexes: list[str]) -> pl.DataFrame:
    """(_index, _loan_id) of the loan contracts with these blind indexes."""
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(indexes):
        stmt = select(LoanContract.contract_no_index, LoanContract.id).where(LoanContract.contract_no_index.in_(part))
        rows.extend(db.execute(stmt))
    return pl.DataFrame(rows, schema={"_index": pl.String, "_loan_id": pl.Int64}, orient="row")


def set_on(db: Session, model: Any, ids: list[int]) -> pl.DataFrame:
    """(_row_id, _set_on): the business date of the delivery that last set each of these rows."""
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(ids):
        stmt = (
            select(model.id, IngestBatch.business_date)
            .join(IngestBatch, IngestBatch.id == model.batch_id)
            .where(model.id.in_(part))
        )
        rows.extend(db.execute(stmt))
    return pl.DataFrame(rows, schema={"_row_id": pl.Int64, "_set_on": pl.Date}, orient="row")


def balances_from_other_batches(db: Session, business_date: date, batch_id: int | None) -> list[int]:
    """Accounts that already have a balance on this date from another delivery."""
    stmt = select(BalanceSnapshot.account_id).where(BalanceSnapshot.balance_date == business_date)
    if batch_id is not None:
        stmt = stmt.where(BalanceSnapshot.batch_id != batch_id)
    return list(db.scalars(stmt))


def batch(db: Session, source: str, file_type: str, business_date: date) -> IngestBatch | None:
    """The batch of an earlier delivery with this key, locked for the rest of the transaction."""
    stmt = select(IngestBatch).where(
        IngestBatch.source == source, IngestBatch.file_type == file_type, IngestBatch.business_date == business_date
    )
    return db.scalar(stmt.with_for_update())


def customers_of_batch(db: Session, batch_id: int, file_type: str) -> list[int]:
    """Customers whose rows a batch holds (their figures must be recomputed when the rows are replaced)."""
    table: Any = {"balances": BalanceSnapshot, "transactions": AccountTransaction}.get(file_type)
    if table is None:
        return []
    return list(db.scalars(select(table.customer_id).where(table.batch_id == batch_id).distinct()))


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


def delete_batch_rows(db: Session, batch_id: int, file_type: str) -> int:
    """Remove what a batch loaded (balances, transactions, links); accounts and loans are upserts, never removed."""
    table: Any = {"balances": BalanceSnapshot, "transactions": AccountTransaction, "links": CustomerLink}.get(file_type)
    if table is None:
        return 0
    result: Any = db.execute(delete(table).where(table.batch_id == batch_id))
    return int(result.rowcount or 0)


# File types whose rows are upserts: a re-delivery undoes the earlier one from its undo records.
UNDOABLE: dict[str, Any] = {"accounts": Account, "loans": LoanContract}


def insert_returning_ids(db: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows; their new ids in the rows' order."""
    ids: list[int] = []
    for part in _chunks(rows, 5_000):
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(db.scalars(stmt, list(part)))
    return ids


def record_prior(db: Session, batch_id: int, model: Any, ids: list[int], columns: list[str]) -> None:
    """Keep these rows' values of these columns as they are before this delivery changes them.

    Written by the database (a JSON object per row, read back by ``undo_batch``), so the values never
    travel to Python; a row this delivery already has a record for keeps its first one.
    """
    table = model.__tablename__
    pairs: list[Any] = []
    for name in columns:
        pairs += [literal(name), getattr(model, name)]
    prior: Any = func.json_object(*pairs)  # SQLite
    if db.get_bind().dialect.name == "postgresql":
        prior = cast(func.json_build_object(*pairs), Text)
    recorded = select(IngestPriorRow.row_id).where(
        IngestPriorRow.batch_id == batch_id, IngestPriorRow.table_name == table, IngestPriorRow.row_id == model.id
    )
    for part in _chunks(ids, 5_000):
        rows = select(literal(batch_id), literal(table), model.id, prior).where(model.id.in_(part), ~recorded.exists())
        db.execute(insert(IngestPriorRow).from_select(["batch_id", "table_name", "row_id", "prior"], rows))


def record_created(db: Session, batch_id: int, model: Any, ids: list[int]) -> None:
    """Mark these rows as created by this delivery (undoing it deletes them)."""
    rows = [{"batch_id": batch_id, "table_name": model.__tablename__, "row_id": i, "prior": None} for i in ids]
    insert_rows(db, IngestPriorRow, rows)


def undo_batch(db: Session, batch_id: int, file_type: str) -> set[int]:
    """Put back what an accounts or loans delivery changed; the customers whose rows changed.

    Rows a later delivery has set since keep that delivery's values; a row the delivery created is
    deleted unless a balance, voucher or task refers to it (then it stays, with its undo record).
    """
    model = UNDOABLE.get(file_type)
    if model is None:
        return set()
    of_batch = (IngestPriorRow.batch_id == batch_id) & (IngestPriorRow.table_name == model.__tablename__)
    priors: dict[int, str | None] = {
        r: p for r, p in db.execute(select(IngestPriorRow.row_id, IngestPriorRow.prior).where(of_batch))
    }
    owners: dict[int, int] = {
        i: c for i, c in db.execute(select(model.id, model.customer_id).where(model.batch_id == batch_id))
    }
    created = [r for r, p in priors.items() if p is None and r in owners]
    referenced = _referenced(db, file_type, created)
    removed = [r for r in created if r not in referenced]
    restored = [{"id": r} | _typed(model, json.loads(p)) for r, p in priors.items() if p is not None and r in owners]
    for part in _chunks(removed):
        db.execute(delete(model).where(model.id.in_(part)))
    update_rows(db, model, restored)
    undone = sorted({*removed, *(r["id"] for r in restored)})
    for part in _chunks(undone):
        db.execute(delete(IngestPriorRow).where(of_batch, IngestPriorRow.row_id.in_(part)))
    return {owners[r] for r in undone}


def prune_priors(db: Session, file_type: str, before: date) -> None:
    """Forget the undo records of this type's deliveries for business dates before ``before``."""
    old = select(IngestBatch.id).where(IngestBatch.file_type == file_type, IngestBatch.business_date < before)
    db.execute(delete(IngestPriorRow).where(IngestPriorRow.batch_id.in_(old)))


def _referenced(db: Session, file_type: str, ids: list[int]) -> set[int]:
    """The ids among these that balances, vouchers or tasks refer to."""
    kind = "account" if file_type == "accounts" else "loan"
    found: set[int] = set()
    for part in _chunks(ids):
        task = select(Task.holding_id).where(Task.holding_kind == kind, Task.holding_id.in_(part))
        found |= {i for i in db.scalars(task) if i is not None}
        if kind == "account":
            found |= set(db.scalars(select(BalanceSnapshot.account_id).where(BalanceSnapshot.account_id.in_(part))))
            voucher = select(AccountTransaction.account_id).where(AccountTransaction.account_id.in_(part))
            found |= set(db.scalars(voucher))
    return found


def _typed(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to the columns' Python types (dates and times were kept as ISO text)."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        kind = model.__table__.c[name].type.python_type
        if isinstance(value, str) and kind is datetime:
            value = as_utc(datetime.fromisoformat(value))  # SQLite keeps UTC times without a zone
        elif isinstance(value, str) and kind is date:
            value = date.fromisoformat(value)
        elif kind is bool and value is not None:
            value = bool(value)  # SQLite's JSON has 0 and 1
        typed[name] = value
    return typed


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


def customers_by_cif(db: Session, cif_nos: list[str]) -> dict[str, Customer]:
    """Customers by CIF number, regardless of scope (a links file may join any two customers)."""
    found: dict[str, Customer] = {}
    for part in _chunks(sorted(cif_nos)):
        found |= {c.cif_no: c for c in db.scalars(select(Customer).where(Customer.cif_no.in_(part)))}
    return found


def _active_link(today: date) -> Any:
    return (CustomerLink.valid_to.is_(None)) | (CustomerLink.valid_to > today)


def active_link_keys(db: Session, customer_ids: list[int], today: date) -> set[tuple[int, int, str]]:
    """(from, to, type) of the active links leaving any of these customers."""
    keys: set[tuple[int, int, str]] = set()
    cols = (CustomerLink.from_customer_id, CustomerLink.to_customer_id, CustomerLink.link_type)
    for part in _chunks(sorted(customer_ids)):
        stmt = select(*cols).where(CustomerLink.from_customer_id.in_(part), _active_link(today))
        keys |= {(f, t, k) for f, t, k in db.execute(stmt)}
    return keys


def shares_held(db: Session, company_ids: list[int], today: date) -> dict[int, int]:
    """Basis points held in each of these companies by active shareholder links."""
    held: dict[int, int] = {}
    for part in _chunks(sorted(company_ids)):
        stmt = (
            select(CustomerLink.to_customer_id, func.sum(CustomerLink.share_pct_bp))
            .where(
                CustomerLink.to_customer_id.in_(part),
                CustomerLink.link_type == "SHAREHOLDER_OF",
                _active_link(today),
            )
            .group_by(CustomerLink.to_customer_id)
        )
        held |= {c: int(bp or 0) for c, bp in db.execute(stmt)}
    return held


def add(db: Session, row: Any) -> None:
    """Add and flush one row."""
    db.add(row)
    db.flush()


def add_rejects(db: Session, rows: list[dict[str, Any]]) -> None:
    """Store rejected rows of a run."""
    insert_rows(db, IngestReject, rows)


def rejects(db: Session, run_id: int, limit: int | None = None) -> list[IngestReject]:
    """A run's rejected rows in line order (the first ``limit`` of them when given)."""
    stmt = select(IngestReject).where(IngestReject.run_id == run_id).order_by(IngestReject.line_no)
    return list(db.scalars(stmt if limit is None else stmt.limit(limit)))


def encrypted_rejects(db: Session, after_id: int, limit: int) -> list[IngestReject]:
    """Rejected rows stored with their delivered values encrypted, id > after_id, in id order."""
    stmt = select(IngestReject).where(IngestReject.id > after_id, IngestReject.raw_enc.is_not(None))
    return list(db.scalars(stmt.order_by(IngestReject.id).limit(limit)))


def run(db: Session, run_id: int) -> IngestRun | None:
    """One run."""
    return db.get(IngestRun, run_id)


def run_and_batch(db: Session, run_id: int) -> tuple[IngestRun, IngestBatch] | None:
    """One run with its batch."""
    stmt = select(IngestRun, IngestBatch).join(IngestBatch, IngestBatch.id == IngestRun.batch_id)
    row = db.execute(stmt.where(IngestRun.id == run_id)).one_or_none()
    return None if row is None else (row[0], row[1])


def lock_batch_of_run(db: Session, run_id: int) -> IngestBatch | None:
    """The batch of a run, locked until commit (None: no such run)."""
    # A no-op update takes the row lock (PostgreSQL) or the write lock (SQLite) before anything is
    # read, so a second caller waits, then reads what the first one did.
    batch_id = select(IngestRun.batch_id).where(IngestRun.id == run_id).scalar_subquery()
    db.execute(update(IngestBatch).where(IngestBatch.id == batch_id).values(current_run_id=IngestBatch.current_run_id))
    stmt = select(IngestBatch).where(IngestBatch.id == batch_id)
    return db.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def rerun_of(db: Session, run_id: int) -> IngestRun | None:
    """The run that re-ran this run's rejects, if any."""
    return db.scalars(select(IngestRun).where(IngestRun.rerun_of == run_id).order_by(IngestRun.id)).first()


def runs(db: Session, page: PageRequest) -> Page[tuple[IngestRun, IngestBatch]]:
    """Runs, newest first, with their batch."""
    stmt = select(IngestRun, IngestBatch).join(IngestBatch, IngestBatch.id == IngestRun.batch_id)
    total = db.scalar(select(func.count()).select_from(IngestRun)) or 0
    rows = db.execute(stmt.order_by(IngestRun.id.desc()).offset(page.offset).limit(page.size))
    return Page(items=list(rows), total=total, page=page.page, size=page.size)


def encrypted_numbers(db: Session, model: Any, after_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, blind index, token) of accounts or loan contracts with id > after_id, in id order."""
    number = "account_no" if model is Account else "contract_no"
    cols = (model.id, getattr(model, f"{number}_index"), getattr(model, f"{number}_enc"))
    stmt = select(*cols).where(model.id > after_id).order_by(model.id).limit(limit)
    return [(i, idx, enc) for i, idx, enc in db.execute(stmt)]
