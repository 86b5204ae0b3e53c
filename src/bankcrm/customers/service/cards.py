"""The customers module's home-page cards: customers in view and change requests waiting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.customers.service import reads
from bankcrm.kit.pagination import PageRequest


def customers_card(db: Session, principal: Principal) -> dict[str, int]:
    """Customers in the viewer's scope."""
    return {"customers": reads.count_customers(db, principal)}


def approvals_card(db: Session, principal: Principal) -> dict[str, int]:
    """Change requests in the viewer's inbox: to decide for a checker, their own waiting for a maker."""
    return {"waiting": reads.inbox(db, principal, PageRequest(1, 1)).total}
