"""Derive households: connected components of the family-link graph, then the manual overrides on top.

The rule, applied the same way every time (docs/households.md):
1. Nodes are individual customers; edges are active SPOUSE, PARENT_OF and SIBLING links between two
   individuals.
2. Customers with an EXCLUDE or ASSIGN override are taken out of the graph first: their links join
   nobody (a removed member who was the only tie between two relatives leaves both without it).
   Each connected component of what remains is a candidate household.
3. Each component keeps the id of the existing household most of its members were in (ties: the
   lower id; each id goes to one component, biggest components first); otherwise it is new.
4. Customers with an ASSIGN override join their target household if it still exists.
5. Fewer than two members: no household (an existing one is dissolved).
6. The head is the HEAD override's customer while a member, otherwise the oldest member
   (known birth dates first, then by CIF number).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy.orm import Session

from bankcrm.households import repository
from bankcrm.households.schemas import DeriveReport
from bankcrm.kit.time import utcnow
from bankcrm.models.household import Household, HouseholdOverride
from bankcrm.relationships.service.links import FAMILY

EXCLUDE = "EXCLUDE"
ASSIGN = "ASSIGN"
HEAD = "HEAD"
MEMBERSHIP_KINDS = (EXCLUDE, ASSIGN)
MIN_MEMBERS = 2


def components(source: npt.NDArray[np.int64], target: npt.NDArray[np.int64]) -> list[set[int]]:
    """Customer ids grouped by connected component of the undirected graph of these edges."""
    if source.size == 0:
        return []
    nodes, inverse = np.unique(np.concatenate([source, target]), return_inverse=True)
    a, b = inverse[: source.size], inverse[source.size :]
    graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(nodes.size, nodes.size)).tocsr()
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [{int(n) for n in nodes[part]} for part in np.split(order, cuts)]


def derive(db: Session, *, today: date) -> DeriveReport:
    """Recompute every household from today's family links and the overrides; only changed memberships are written."""
    repository.lock(db)
    overrides = repository.overrides(db)
    source, target = repository.family_edges(db, FAMILY, today)
    return settle(
        db,
        overrides,
        source,
        target,
        previous=repository.memberships(db),
        live=repository.live_households(db),
        current=repository.member_rows(db),
    )


def settle(
    db: Session,
    overrides: list[HouseholdOverride],
    source: npt.NDArray[np.int64],
    target: npt.NDArray[np.int64],
    *,
    previous: dict[int, int],
    live: dict[int, Household],
    current: dict[int, tuple[int, bool]],
) -> DeriveReport:
    """Apply the rule to these links, memberships and live households (all of them, or a closed part)."""
    moved = {o.customer_id: o for o in overrides if o.kind in MEMBERSHIP_KINDS}  # newest wins (id order)
    chosen_head = {o.household_id: o.customer_id for o in overrides if o.kind == HEAD}
    if moved:  # a customer placed by hand is no bridge: its links join nobody
        away = np.array(sorted(moved), dtype=np.int64)
        keep = ~(np.isin(source, away) | np.isin(target, away))
        source, target = source[keep], target[keep]
    groups = components(source, target)
    kept: dict[int, set[int]] = {}
    fresh: list[set[int]] = []
    for group in sorted(groups, key=lambda g: (-len(g), min(g))):
        votes = Counter(previous[c] for c in group if previous.get(c) in live and previous[c] not in kept)
        if votes:
            kept[min(votes, key=lambda h: (-votes[h], h))] = group
        else:
            fresh.append(group)
    manual: set[int] = set()
    for customer, o in moved.items():
        if o.kind == ASSIGN and o.household_id in live:
            kept.setdefault(o.household_id, set()).add(customer)
            manual.add(customer)
    kept = {h: g for h, g in kept.items() if len(g) >= MIN_MEMBERS}
    fresh = [g for g in fresh if len(g) >= MIN_MEMBERS]
    now = utcnow()
    for household_id, group in zip(repository.add_households(db, len(fresh), now), fresh, strict=True):
        kept[household_id] = group
    everyone = {c for g in kept.values() for c in g}
    seniority = repository.seniority(db, everyone)
    updates: list[dict[str, object]] = []
    for household_id, group in kept.items():
        head = chosen_head.get(household_id)
        if head not in group:
            head = min(group, key=lambda c: seniority[c])
        updates.append({"id": household_id, "head_customer_id": head, "derived_at": now})
    dissolved = [h for h in live if h not in kept]
    wanted = {c: (h, c in manual) for h, g in kept.items() for c in g}
    repository.delete_members(db, [c for c, row in current.items() if wanted.get(c) != row])
    repository.update_households(db, updates)
    repository.update_households(db, [{"id": h, "head_customer_id": None, "dissolved_at": now} for h in dissolved])
    repository.insert_members(
        db,
        [
            {"customer_id": c, "household_id": h, "manual": m}
            for c, (h, m) in sorted(wanted.items())
            if current.get(c) != (h, m)
        ],
    )
    db.flush()
    db.expire_all()  # the bulk statements bypassed the identity map: reload what callers read next
    return DeriveReport(households=len(kept), members=len(wanted), created=len(fresh), dissolved=len(dissolved))
