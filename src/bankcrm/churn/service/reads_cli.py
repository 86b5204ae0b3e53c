"""What the command line reads of a stored model (no principal: the operator runs it on the server)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.churn import repository


def model_text(db: Session, model_id: int) -> tuple[str, str] | None:
    """(source, model text) of a model, None when there is none."""
    row = repository.model(db, model_id)
    return (row.source, row.model_text) if row is not None else None
