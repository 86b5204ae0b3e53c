"""The access module's home-page cards: org units, colleagues and users in the viewer's scope."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units, users


def units_card(db: Session, principal: Principal) -> dict[str, int]:
    """Active org units in the viewer's scope."""
    return {"units": units.count_active_units(db, principal)}


def colleagues_card(db: Session, principal: Principal) -> dict[str, int]:
    """Other active users in the viewer's own unit."""
    return {"colleagues": users.count_colleagues(db, principal)}


def users_card(db: Session, principal: Principal) -> dict[str, int]:
    """Active users in the viewer's scope, and those of them locked out now."""
    return {
        "users": users.count_active_users(db, principal),
        "locked": users.count_active_users(db, principal, locked=True),
    }
