"""Every row that names a customer: the merge re-points them to the survivor, the unmerge puts them back exactly.

This is the merge's generic row service, the one place that writes other modules' tables for a merge
(declared in the matching module's ``writes``). Which customer columns move and which stay with the merged
customer is decided per column below; a test keeps the two lists covering every customer column of the
schema, so a new table that names a customer must be placed here before it can be merged.

Rows are read and written through SQLAlchemy Core on the tables of ``Base.metadata``, as plain values
(JSON-safe, dates tagged), so a snapshot taken before a merge restores every column as it was.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

import bankcrm.models  # noqa: F401 - every table on the metadata
from bankcrm.models.base import Base

# Customer columns that move to the survivor: its holdings, links, households, groups, tasks, assignments,
# history, source records and reviews.
MOVED: dict[str, tuple[str, ...]] = {
    "account": ("customer_id",),
    "account_party": ("customer_id",),  # joint holder, signatory: a repeat of one the survivor has is dropped
    "account_transaction": ("customer_id",),
    "activity": ("customer_id",),  # the survivor's history of calls and visits includes the merged one's
    "assignment_request_item": ("customer_id",),
    "balance_snapshot": ("customer_id",),
    "change_request": ("customer_id",),
    "corporate_group": ("core_customer_id",),
    "corporate_group_member": ("customer_id", "parent_customer_id"),
    "customer_alias": ("customer_id",),  # numbers merged into the merged customer now find the survivor
    "customer_field_change": ("customer_id",),
    "customer_link": ("from_customer_id", "to_customer_id"),
    "customer_source": ("customer_id",),
    "early_warning": ("customer_id",),  # warnings and their outcomes follow the customer (win-back, factors)
    "customer_tag": ("customer_id",),  # the survivor carries the merged customer's tags (reads show one per tag)
    "family_member": ("member_customer_id",),  # others' family entries naming the merged customer
    "guarantee_circle_member": ("customer_id",),
    "household": ("head_customer_id",),
    "household_member": ("customer_id",),
    "household_override": ("customer_id",),
    "lead": ("customer_id",),  # a merged customer's leads follow the survivor
    "loan_contract": ("customer_id",),
    "manager_assignment": ("customer_id",),
    "match_distinct": ("customer_id", "other_customer_id"),
    "match_review": ("customer_id", "other_customer_id"),
    "opportunity": ("customer_id",),  # the pipeline follows the customer
    "task": ("customer_id",),
}
# Customer columns that stay: the merged customer's own record (profile, contacts, family entries, search
# keys, figures) and the merge bookkeeping itself.
KEPT: dict[str, tuple[str, ...]] = {
    "churn_score": ("customer_id",),  # its months as they were scored; the survivor is scored on its own rows
    "contact_person": ("customer_id",),
    "corporate_profile": ("customer_id",),
    "customer_contact": ("customer_id",),
    "customer_contribution": ("customer_id",),  # its months as they were priced; the survivor's next are its own
    "customer_figure": ("customer_id",),
    "customer_figure_dirty": ("customer_id",),
    "customer_merge": ("merged_id", "survivor_id"),
    "customer_quality": ("customer_id",),
    "customer_search_key": ("customer_id",),
    "customer_stage": ("customer_id",),  # its lifecycle as evaluated; the survivor's stage follows its own months
    "customer_stage_history": ("customer_id",),
    "family_member": ("customer_id",),
    "individual_profile": ("customer_id",),
    "lifecycle_task": ("customer_id",),  # which playbook tasks were raised for it (the tasks themselves move)
    "segment_member": ("customer_id",),  # its periods as they were; a merged customer is in no segment's members
}
# Customer columns the schema holds without a foreign key (a partitioned fact table, derived segment periods).
UNKEYED: dict[str, tuple[str, ...]] = {"account_transaction": ("customer_id",), "segment_member": ("customer_id",)}
# Tables without a primary key in the schema: the columns that identify a row (the mapper's key).
KEYS: dict[str, tuple[str, ...]] = {"account_transaction": ("batch_id", "voucher_no")}
# Not part of a customer's state: the figures queue (refilled on merge and unmerge), the merge records, and the
# data-quality checks (a cache that knows by the customer's updated_at when it no longer stands for the customer).
UNTRACKED = frozenset({"customer_figure_dirty", "customer_merge", "customer_quality"})

Row = dict[str, Any]


def customer_columns() -> dict[str, tuple[str, ...]]:
    """table → its columns holding a customer id, from the schema (plus the customer table's own id)."""
    out: dict[str, tuple[str, ...]] = {"customer": ("id",)}
    for table in Base.metadata.sorted_tables:
        columns = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "customer"}
        columns |= set(UNKEYED.get(table.name, ()))
        if columns and table.name != "customer":
            out[table.name] = tuple(sorted(columns))
    return out


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _key(table: Table) -> list[Any]:
    """The columns identifying one row of ``table``."""
    if table.name in KEYS:
        return [table.c[c] for c in KEYS[table.name]]
    return list(table.primary_key.columns)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        tag, text = next(iter(value.items()))
        if tag == "$t":
            return datetime.fromisoformat(text)
        if tag == "$d":
            return date.fromisoformat(text)
        if tag == "$n":
            return Decimal(text)
        if tag == "$b":
            return base64.b64decode(text)
    return value


def _pk(table: Table, row: Row) -> str:
    return json.dumps([row[c.name] for c in _key(table)], sort_keys=True)


def _where_pk(table: Table, row: Row) -> Any:
    return and_(*(c == _decode(row[c.name]) for c in _key(table)))


def dump(db: Session, customer_ids: set[int], *, skip_review: int | None = None) -> dict[str, dict[str, Row]]:
    """Every tracked row naming any of ``customer_ids``: table → primary key → row (JSON-safe values).

    ``skip_review`` leaves out the review that performs the merge (its own workflow records it).
    """
    db.flush()
    ids = sorted(customer_ids)
    out: dict[str, dict[str, Row]] = {}
    for name, columns in customer_columns().items():
        if name in UNTRACKED:
            continue
        table = _table(name)
        stmt = select(table).where(or_(*(table.c[c].in_(ids) for c in columns)))
        if name == "match_review" and skip_review is not None:
            stmt = stmt.where(table.c.id != skip_review)
        rows = [{k: _encode(v) for k, v in r._mapping.items()} for r in db.execute(stmt)]
        out[name] = {_pk(table, r): r for r in rows}
    return out


def difference(before: dict[str, dict[str, Row]], after: dict[str, dict[str, Row]]) -> dict[str, Any]:
    """What to keep to undo the change from ``before`` to ``after``: rows changed or gone, and rows added."""
    changed: dict[str, list[Row]] = {}
    added: dict[str, list[Row]] = {}
    for name, rows in before.items():
        now = after.get(name, {})
        gone_or_changed = [r for key, r in rows.items() if now.get(key) != r]
        if gone_or_changed:
            changed[name] = gone_or_changed
        new = [r for key, r in now.items() if key not in rows]
        if new:
            added[name] = new
    return {"before": changed, "added": added}


def restore(db: Session, snapshot: dict[str, Any]) -> int:
    """Undo a change recorded by ``difference``: delete the added rows, put the others back; rows touched."""
    db.flush()
    order = [t.name for t in Base.metadata.sorted_tables]
    before: dict[str, list[Row]] = snapshot["before"]
    added: dict[str, list[Row]] = snapshot["added"]
    touched = 0
    for name in reversed(order):
        table = _table(name) if name in added else None
        for row in added.get(name, []):
            assert table is not None
            touched += db.execute(delete(table).where(_where_pk(table, row))).rowcount or 0  # type: ignore[attr-defined]
    for name in order:
        rows = before.get(name, [])
        if not rows:
            continue
        table = _table(name)
        # Unique single columns (a company's credit code) may sit on another of these rows meanwhile:
        # free them first, then write every row back whole.
        unique = [c.name for c in table.columns if c.unique and c.nullable]
        for row in rows:
            if unique:
                db.execute(update(table).where(_where_pk(table, row)).values({c: None for c in unique}))
        for row in rows:
            values = {k: _decode(v) for k, v in row.items()}
            done = db.execute(update(table).where(_where_pk(table, row)).values(values)).rowcount  # type: ignore[attr-defined]
            if not done:
                db.execute(insert(table).values(values))
            touched += 1
    db.expire_all()
    return touched


def repoint(db: Session, merged_id: int, survivor_id: int, *, skip_review: int, ended_on: date) -> dict[str, int]:
    """Move every row in ``MOVED`` from the merged customer to the survivor; table → rows moved or dropped.

    A row that would duplicate one the survivor already has (same household, circle, group, pair) or
    would link the survivor to itself is dropped; the merged customer's open manager assignments end on
    ``ended_on`` when the survivor has open ones of its own (the survivor's shares stand). The snapshot
    taken around this call records every row as it was.
    """
    db.flush()
    moved: dict[str, int] = {}
    all_columns = customer_columns()
    for name, columns in MOVED.items():
        table = _table(name)
        stmt = select(table).where(or_(*(table.c[c] == merged_id for c in columns)))
        if name == "match_review":
            stmt = stmt.where(table.c.id != skip_review)
        rows = [dict(r._mapping) for r in db.execute(stmt)]
        survivor_open = name == "manager_assignment" and _has_open_assignment(db, table, survivor_id)
        for old in rows:
            new = {k: (survivor_id if k in columns and v == merged_id else v) for k, v in old.items()}
            where = and_(*(c == old[c.name] for c in _key(table)))
            if _self_pair(new, all_columns[name]) or _taken(db, table, old, new):
                db.execute(delete(table).where(where))
            elif name == "match_distinct":
                db.execute(delete(table).where(where))
                pair = sorted((new["customer_id"], new["other_customer_id"]))
                db.execute(insert(table).values(new | {"customer_id": pair[0], "other_customer_id": pair[1]}))
            else:
                if name == "customer_source":
                    new["match_method"] = "merged"
                if survivor_open and new["valid_to"] is None:
                    new["valid_to"] = ended_on
                changes = {k: v for k, v in new.items() if v != old[k]}
                db.execute(update(table).where(where).values(changes))
            moved[name] = moved.get(name, 0) + 1
    db.expire_all()
    return moved


def _self_pair(row: Row, columns: tuple[str, ...]) -> bool:
    values = [row[c] for c in columns if row[c] is not None]
    return len(values) > 1 and len(set(values)) < len(values)


def _taken(db: Session, table: Table, old: Row, new: Row) -> bool:
    """Whether the re-pointed row's key (or the pair, for 'not the same customer') exists already."""
    if table.name == "match_distinct":
        a, b = sorted((new["customer_id"], new["other_customer_id"]))
        found = select(table).where(table.c.customer_id == a, table.c.other_customer_id == b)
        return db.execute(found).first() is not None
    keys = [c.name for c in _key(table)]
    if all(new[k] == old[k] for k in keys):
        return False
    found = select(table).where(and_(*(table.c[k] == new[k] for k in keys)))
    return db.execute(found).first() is not None


def _has_open_assignment(db: Session, table: Table, customer_id: int) -> bool:
    stmt = select(table.c.id).where(table.c.customer_id == customer_id, table.c.valid_to.is_(None))
    return db.execute(stmt.limit(1)).first() is not None


def mark_dirty(db: Session, customer_ids: set[int]) -> None:
    """Queue customers for the nightly figures (holdings recomputes them; one queued stays queued once)."""
    table = _table("customer_figure_dirty")
    queued = set(db.scalars(select(table.c.customer_id).where(table.c.customer_id.in_(sorted(customer_ids)))))
    for customer_id in sorted(customer_ids - queued):
        db.execute(insert(table).values(customer_id=customer_id))
