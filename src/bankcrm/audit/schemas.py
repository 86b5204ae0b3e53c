"""Audit events as API clients see them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    """One audit event with its chain hashes."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_user_id: int | None
    actor_username: str | None
    action: str
    outcome: str
    entity_type: str | None
    entity_id: str | None
    changes: str | None
    detail: str | None
    ip: str | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    """One page of audit events, newest first."""

    items: list[AuditEventRead]
    total: int
    page: int
    size: int
