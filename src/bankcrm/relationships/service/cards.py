"""The relationships module's home card: corporate groups waiting for review and current guarantee circles."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.group import GroupStatus
from bankcrm.relationships import repository

ONE = PageRequest(1, 1)  # only the totals are needed


def review_card(db: Session, principal: Principal) -> dict[str, int]:
    """Proposed corporate groups and current guarantee circles with a member in the viewer's scope."""
    return {
        "proposed": repository.groups_page(db, principal, (GroupStatus.PROPOSED.value,), ONE).total,
        "circles": repository.circles_page(db, principal, ("CURRENT",), ONE).total,
    }
