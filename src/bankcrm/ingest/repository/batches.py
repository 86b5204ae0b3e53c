"""Ingest batches, runs and rejected rows: finding, locking, listing, and removing what a batch loaded."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bankcrm.db import ordered
from bankcrm.ingest.repository.writes import insert_rows
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.holding import AccountParty, AccountTransaction, BalanceSnapshot
from bankcrm.models.ingest import IngestBatch, IngestReject, IngestRun
from bankcrm.models.relationship import CustomerLink
from bankcrm.models.tag import CustomerTag


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


def delete_batch_rows(db: Session, batch_id: int, file_type: str) -> int:
    """Remove what a batch loaded (balances, transactions, links, parties, tags); accounts and loans (upserts) stay."""
    if file_type == "tags":
        # The tags it closed open again; the rows it opened go (a corrected re-delivery then loads afresh).
        reopened = (
            update(CustomerTag)
            .where(CustomerTag.removed_batch_id == batch_id)
            .values(removed_at=None, removed_batch_id=None, removed_by=None)
            .execution_options(synchronize_session=False)
        )
        db.execute(reopened)
    table: Any = {
        "balances": BalanceSnapshot,
        "transactions": AccountTransaction,
        "links": CustomerLink,
        "account_parties": AccountParty,
        "tags": CustomerTag,
    }.get(file_type)
    if table is None:
        return 0
    result: Any = db.execute(delete(table).where(table.batch_id == batch_id))
    return int(result.rowcount or 0)


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


# The run list's sort keys (ingest.schemas.INGEST_RUN_LIST).
RUN_SORTS = {
    "id": IngestRun.id,
    "source": IngestBatch.source,
    "file_type": IngestBatch.file_type,
    "business_date": IngestBatch.business_date,
    "file_name": IngestRun.file_name,
    "replaced": IngestRun.replaced,
    "rows_in": IngestRun.rows_in,
    "rows_loaded": IngestRun.rows_loaded,
    "rows_rejected": IngestRun.rows_rejected,
    "actor": IngestRun.actor,
    "finished_at": IngestRun.finished_at,
}


def runs(db: Session, page: PageRequest, sort: SortSpec | None = None) -> Page[tuple[IngestRun, IngestBatch]]:
    """Runs with their batch, in ``sort`` order (default newest first)."""
    stmt = select(IngestRun, IngestBatch).join(IngestBatch, IngestBatch.id == IngestRun.batch_id)
    total = db.scalar(select(func.count()).select_from(IngestRun)) or 0
    stmt = ordered(stmt, sort, RUN_SORTS) if sort else stmt.order_by(IngestRun.id.desc())
    rows = db.execute(stmt.offset(page.offset).limit(page.size))
    return Page(items=list(rows), total=total, page=page.page, size=page.size)


def runs_with_rejects(db: Session, limit: int) -> list[tuple[IngestRun, IngestBatch]]:
    """The newest runs that rejected rows, with their batch."""
    stmt = (
        select(IngestRun, IngestBatch)
        .join(IngestBatch, IngestBatch.id == IngestRun.batch_id)
        .where(IngestRun.rows_rejected > 0)
        .order_by(IngestRun.id.desc())
        .limit(limit)
    )
    return list(db.execute(stmt))
