"""The home card: the warnings waiting for the viewer, and those escalated to them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.earlywarning.repository import warnings as repository


def warnings_card(db: Session, principal: Principal) -> dict[str, int]:
    """Open warnings assigned to or shared with the viewer, and open ones escalated to them."""
    return repository.waiting_counts(db, principal)
