"""Status workflows as data: each workflow's states and allowed transitions, and every move made.

States and transitions are shipped in reference_data/catalogue/workflow_*.csv and synchronised at
``db upgrade``; ``status_history`` is the append-only record of who moved which row from what to what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class WorkflowState(Base):
    """One state of a workflow, labelled in both languages; ``initial`` marks where a new row starts."""

    __tablename__ = "workflow_state"

    workflow: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int]
    initial: Mapped[bool]


class WorkflowTransition(Base):
    """One allowed move of a workflow and the permission a user needs to make it."""

    __tablename__ = "workflow_transition"

    workflow: Mapped[str] = mapped_column(String(40), primary_key=True)
    from_state: Mapped[str] = mapped_column(String(20), primary_key=True)
    to_state: Mapped[str] = mapped_column(String(20), primary_key=True)
    permission: Mapped[str] = mapped_column(String(60))
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))


class StatusHistory(Base):
    """One status change of one row: workflow, entity, from, to, who, when, why."""

    __tablename__ = "status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(120))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_status_history_entity", "entity_type", "entity_id"),)
