"""Workflow queries: the states and transitions synchronised from the catalogue, and the history rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bankcrm.models.workflow import StatusHistory, WorkflowState, WorkflowTransition


def states(db: Session, workflow: str) -> Sequence[WorkflowState]:
    """A workflow's states in display order."""
    stmt = select(WorkflowState).where(WorkflowState.workflow == workflow)
    return db.scalars(stmt.order_by(WorkflowState.sort_order, WorkflowState.code)).all()


def transition(db: Session, workflow: str, from_state: str, to_state: str) -> WorkflowTransition | None:
    """The allowed move from one state to another, or None."""
    return db.get(WorkflowTransition, (workflow, from_state, to_state))


def transitions_from(db: Session, workflow: str, from_state: str) -> Sequence[WorkflowTransition]:
    """The moves the catalogue allows out of one state."""
    stmt = select(WorkflowTransition).where(
        WorkflowTransition.workflow == workflow, WorkflowTransition.from_state == from_state
    )
    return db.scalars(stmt.order_by(WorkflowTransition.to_state)).all()


def add_history(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert history rows in one statement (the bulk moves of a batch step)."""
    if rows:
        db.execute(insert(StatusHistory), rows)


def history(db: Session, entity_type: str, entity_id: str) -> Sequence[StatusHistory]:
    """Every move of one row, oldest first."""
    stmt = select(StatusHistory).where(StatusHistory.entity_type == entity_type, StatusHistory.entity_id == entity_id)
    return db.scalars(stmt.order_by(StatusHistory.id)).all()
