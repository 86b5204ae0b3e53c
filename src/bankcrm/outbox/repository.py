"""Queries over outbox_message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.job import OutboxMessage, OutboxStatus


def add(db: Session, row: OutboxMessage) -> OutboxMessage:
    """Store a message in the caller's transaction."""
    db.add(row)
    db.flush()
    return row


def pending(db: Session, limit: int, after_id: int = 0) -> list[OutboxMessage]:
    """The oldest messages not yet delivered (after this id), locked so that two senders never send one twice."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.scalars(stmt.with_for_update(skip_locked=True)))
