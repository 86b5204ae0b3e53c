"""The assignments module's home card: manager changes and transfers waiting for a decision."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.assignments.service import requests
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.assignment import AssignmentRequestStatus


def waiting_card(db: Session, principal: Principal) -> dict[str, int]:
    """Submitted requests in the viewer's inbox: their units' for a checker, their own for a maker."""
    status = AssignmentRequestStatus.SUBMITTED.value
    return {"waiting": requests.inbox(db, principal, PageRequest(1, 1), status).total}
