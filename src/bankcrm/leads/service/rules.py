"""The assignment rules (lead_assignment_rule.csv) decided for many new leads at once, in memory: the rotas, units
and primary managers read once, then each lead in order takes the first rule that finds a manager. Writers apply
the decisions (the ORM for a lead or two, bulk inserts for a delivered file) and record them with ``record``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.leads import catalogue, repository
from bankcrm.leads.schemas import WORKFLOW
from bankcrm.models.lead import LeadRota, LeadStatus
from bankcrm.models.org import OrgUnit
from bankcrm.workcalendar.service import days as working_days
from bankcrm.workflow import service as workflow_service


@dataclass(frozen=True)
class Waiting:
    """What the rules read of a new lead."""

    customer_id: int | None
    unit_id: int
    interest: str


@dataclass(frozen=True)
class Decision:
    """A lead's manager and the rule that chose them."""

    user_id: int
    rule: str


@dataclass
class Rotas:
    """The rotas by (unit, interest), each a list of rota rows; turns given in this run, per rota row."""

    by_key: dict[tuple[int, str | None], list[LeadRota]]
    active: set[int]
    units: dict[int, OrgUnit]
    given: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    # (unit, interest) → the nearest rota's active rows up the tree: walked once per key and run
    nearest: dict[tuple[int, str | None], list[LeadRota]] = field(default_factory=dict)

    def _rows(self, unit_id: int, interest: str | None) -> list[LeadRota]:
        key = (unit_id, interest)
        found = self.nearest.get(key)
        if found is None:
            found = []
            current: OrgUnit | None = self.units[unit_id]
            while current is not None and not found:
                found = [r for r in self.by_key.get((current.id, interest), ()) if r.user_id in self.active]
                current = self.units.get(current.parent_id) if current.parent_id is not None else None
            self.nearest[key] = found
        return found

    def pick(self, unit_id: int, interest: str | None) -> int | None:
        """The least-given manager on the nearest rota up the tree (from the lead's unit to the head office);
        ties by rota position, then to the rota row made first."""
        rows = self._rows(unit_id, interest)
        if not rows:
            return None
        chosen = min(rows, key=lambda r: (r.given + self.given[r.id], r.position, r.id))
        self.given[chosen.id] += 1
        return chosen.user_id


def rotas(db: Session) -> Rotas:
    """Every active rota, its active managers and the org tree, read once."""
    rows = repository.rotas(db)
    by_key: dict[tuple[int, str | None], list[LeadRota]] = defaultdict(list)
    for r in rows:
        by_key[(r.unit_id, r.interest)].append(r)
    return Rotas(by_key, repository.active_user_ids(db, {r.user_id for r in rows}), repository.all_units(db))


def decide(db: Session, waiting: Sequence[Waiting]) -> tuple[list[Decision | None], Rotas]:
    """Each lead's decision in order (None: it stays in the pool), and the rotas with the turns given."""
    found = rotas(db)
    customers = repository.account_managers(db, {x.customer_id for x in waiting if x.customer_id is not None})
    managers = repository.active_user_ids(db, {m for m in customers.values() if m is not None})
    ordered = catalogue.rules()
    out: list[Decision | None] = []
    for lead in waiting:
        decision = None
        for rule in ordered:
            if rule.applies_to == "customer" and lead.customer_id is None:
                continue
            user_id: int | None = None
            if rule.method == "primary_manager":
                manager = customers.get(lead.customer_id) if lead.customer_id is not None else None
                user_id = manager if manager in managers else None
            else:
                user_id = found.pick(lead.unit_id, lead.interest if rule.method == "rota_interest" else None)
            if user_id is not None:
                decision = Decision(user_id, rule.code)
                break
        out.append(decision)
    return out, found


def due(db: Session, now: datetime, zone: str) -> datetime:
    """When a lead assigned now must be accepted by (the policy's business hours on the bank's calendar)."""
    return catalogue.calendar(zone, working_days.current(db)).add_hours(now, catalogue.policy().accept_hours)


def record(db: Session, principal: Principal, given: list[tuple[int, Decision]], found: Rotas, now: datetime) -> None:
    """The spells, the NEW → ASSIGNED moves and the rota turns of leads the rules gave (lead id, decision)."""
    spells = [
        {
            "lead_id": lead_id,
            "assignee_id": d.user_id,
            "rule": d.rule,
            "assigned_at": now,
            "assigned_by": principal.username,
            "ended_at": None,
            "ended_how": None,
        }
        for lead_id, d in given
    ]
    repository.add_spells(db, spells)
    moves: list[tuple[object, str, str]] = [(i, LeadStatus.NEW, LeadStatus.ASSIGNED) for i, _ in given]
    workflow_service.record_moves(db, principal, WORKFLOW, "lead", moves)
    repository.add_given(db, found.given)
