"""Undo records: what an accounts or loans delivery changed, so a re-delivery can put it back."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from bankcrm.ingest.repository.chunks import _chunks
from bankcrm.ingest.repository.writes import insert_rows, update_rows
from bankcrm.kit.time import as_utc
from bankcrm.models.holding import Account, AccountTransaction, BalanceSnapshot, LoanContract
from bankcrm.models.ingest import IngestBatch, IngestPriorRow
from bankcrm.models.matching import CustomerSource, MatchReview
from bankcrm.models.task import Task

# File types whose rows are upserts: a re-delivery undoes the earlier one from its undo records.
UNDOABLE: dict[str, Any] = {"accounts": Account, "loans": LoanContract, "customers": CustomerSource}


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
    owners: dict[int, int | None] = {
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
    return {owner for r in undone if (owner := owners[r]) is not None}


def prune_priors(db: Session, file_type: str, before: date) -> None:
    """Forget the undo records of this type's deliveries for business dates before ``before``."""
    old = select(IngestBatch.id).where(IngestBatch.file_type == file_type, IngestBatch.business_date < before)
    db.execute(delete(IngestPriorRow).where(IngestPriorRow.batch_id.in_(old)))


def _referenced(db: Session, file_type: str, ids: list[int]) -> set[int]:
    """The ids among these that balances, vouchers or tasks refer to (source records: match reviews)."""
    found: set[int] = set()
    if file_type == "customers":
        for part in _chunks(ids):
            review = select(MatchReview.source_record_id).where(MatchReview.source_record_id.in_(part))
            found |= {i for i in db.scalars(review) if i is not None}
        return found
    kind = "account" if file_type == "accounts" else "loan"
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
