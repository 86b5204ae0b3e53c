"""Wins proposed from the holdings: when an open opportunity's product appears among the customer's accounts or
loans opened since the opportunity was, the actual amount is proposed for the owner to confirm."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.kit.time import utcnow
from bankcrm.sales import catalogue, repository


def propose(db: Session, *, today: date, customer_ids: set[int] | None = None) -> int:
    """Propose wins for open opportunities (of these customers, when given, as a hook after an ingest);
    how many were proposed. Idempotent: an opportunity is proposed once."""
    waiting = repository.unproposed_open(db, catalogue.open_codes(), customer_ids)
    if not waiting:
        return 0
    since = min(o.created_at for o in waiting).date()
    held: dict[tuple[int, str], list[tuple[date, int]]] = {}
    for chunk in _chunks(sorted({o.customer_id for o in waiting}), 500):
        for customer_id, product, opened, amount in repository.holdings_since(db, set(chunk), since):
            held.setdefault((customer_id, product), []).append((opened, amount))
    proposed = 0
    for o in waiting:
        found = [(d, a) for d, a in held.get((o.customer_id, o.product_code), []) if d >= o.created_at.date()]
        if not found:
            continue
        opened, amount = min(found)
        o.proposed_amount = max(amount, 0)
        o.proposed_on = opened
        o.updated_at = utcnow()
        proposed += 1
    db.flush()
    if proposed:
        audit_service.record(db, SYSTEM, "opportunity.wins_proposed", detail=f"{proposed} opportunities on {today}")
    return proposed


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
