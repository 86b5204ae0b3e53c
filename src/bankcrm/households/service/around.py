"""Derive only the households an edit touched: the closed part of the family graph around it.

A manual edit changes the households of one customer (and the household it is put into). The part
of the graph the rule can change is closed under family links (not through customers placed by
hand, whose links join nobody) and under household membership: every component and household in
it is recomputed whole, by the same rule as the nightly derivation; nothing outside it is read or
written. Links changed since the last nightly run outside this part wait for that run.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.households import repository
from bankcrm.households.schemas import DeriveReport
from bankcrm.households.service.derive import ASSIGN, MEMBERSHIP_KINDS, settle
from bankcrm.relationships.service.links import FAMILY


def derive_around(
    db: Session, *, today: date, customers: set[int], households: frozenset[int] | set[int] = frozenset()
) -> DeriveReport:
    """Recompute the households of these customers, these households, and whatever they connect to."""
    repository.lock(db)
    overrides = repository.overrides(db)
    moved = {o.customer_id for o in overrides if o.kind in MEMBERSHIP_KINDS}
    assigned: dict[int, set[int]] = {}
    for o in overrides:
        if o.kind == ASSIGN and o.household_id is not None:
            assigned.setdefault(o.household_id, set()).add(o.customer_id)
    nodes: set[int] = set(customers)
    involved: set[int] = set()
    frontier, fresh_homes = set(customers), set(households)
    while frontier or fresh_homes:
        fresh_homes |= set(repository.memberships(db, frontier).values())
        fresh_homes -= involved
        involved |= fresh_homes
        reached = repository.member_ids(db, fresh_homes)
        for household_id in fresh_homes:
            reached |= assigned.get(household_id, set())
        reached |= repository.family_neighbours(db, FAMILY, today, frontier - moved) - moved
        frontier, fresh_homes = reached - nodes, set()
        nodes |= frontier
    source, target = repository.family_edges(db, FAMILY, today, among=nodes)
    return settle(
        db,
        overrides,
        source,
        target,
        previous=repository.memberships(db, nodes),
        live=repository.live_households(db, involved),
        current=repository.member_rows(db, nodes),
    )
