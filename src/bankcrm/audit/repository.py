"""Queries over the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bankcrm.db import insert_many, ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.audit import AuditEvent

# The audit list's sort keys (audit.schemas.AUDIT_LIST).
SORTS = {
    "seq": AuditEvent.seq,
    "occurred_at": AuditEvent.occurred_at,
    "actor_username": AuditEvent.actor_username,
    "action": AuditEvent.action,
    "outcome": AuditEvent.outcome,
}


def lock_chain(db: Session) -> None:
    """Serialise appends so two writers never chain onto the same row.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writers are already serialised
    by the database lock, and a stale reader that tries to write fails instead of forking.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(0x4241_4E4B_4155_4454)))


def last_event(db: Session) -> AuditEvent | None:
    """The head of the chain."""
    return db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()


def iter_chain(db: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """Every event in chain order, streamed in batches."""
    after = -1
    while True:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        db.expunge_all()


def _filtered(
    actor: str | None,
    action: str | None,
    entity_type: str | None,
    outcome: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[AuditEvent]:
    stmt = select(AuditEvent)
    if actor:
        stmt = stmt.where(AuditEvent.actor_username == actor)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if outcome:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    return stmt


def search(
    db: Session,
    page: PageRequest,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: SortSpec | None = None,
) -> Page[AuditEvent]:
    """Filtered, in ``sort`` order (default newest first)."""
    stmt = _filtered(actor, action, entity_type, outcome, since, until)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, SORTS) if sort else stmt.order_by(AuditEvent.seq.desc())
    items = db.scalars(stmt.offset(page.offset).limit(page.size)).all()
    return Page(list(items), total, page.page, page.size)


def count_by_day(db: Session, actions: tuple[str, ...], since: datetime) -> list[tuple[datetime, str, str]]:
    """(time, action, outcome) of matching events since a time, for charts."""
    rows = db.execute(
        select(AuditEvent.occurred_at, AuditEvent.action, AuditEvent.outcome).where(
            AuditEvent.action.in_(actions), AuditEvent.occurred_at >= since
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def distinct_entities_by_actor(db: Session, actor_user_id: int, entity_type: str, since: datetime) -> int:
    """How many distinct entities of a type one user acted on since a time."""
    stmt = select(func.count(func.distinct(AuditEvent.entity_id))).where(
        AuditEvent.actor_user_id == actor_user_id,
        AuditEvent.entity_type == entity_type,
        AuditEvent.entity_id.is_not(None),
        AuditEvent.occurred_at >= since,
    )
    return db.scalar(stmt) or 0


def count_since(db: Session, since: datetime, outcome: str | None = None) -> int:
    """Number of events since a time."""
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.occurred_at >= since)
    if outcome:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    return db.scalar(stmt) or 0


def insert_events(db: Session, rows: list[dict[str, Any]]) -> None:
    """Append already chained events (``service.record_many``), a page of rows per statement."""
    insert_many(db, AuditEvent, rows)
