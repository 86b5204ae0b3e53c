"""Who works a lead: the assignment rules in order (lead_assignment_rule.csv), manual (re)assignment, acceptance,
and the return to the pool of leads not accepted within the policy's business hours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Actor, Principal
from bankcrm.access.service import users as user_service
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, Forbidden, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.leads import catalogue, repository
from bankcrm.leads.schemas import ASSIGN, WORK, WORKFLOW
from bankcrm.leads.service.reads import get_lead
from bankcrm.models.access import User
from bankcrm.models.lead import OPEN_STATUSES, Lead, LeadAssignment, LeadRota, LeadStatus
from bankcrm.models.org import OrgUnit
from bankcrm.workflow import service as workflow_service

NOT_YOURS = N_("Lead #%(id)s is assigned to someone else.")
NOT_WAITING = N_("Lead #%(id)s is not waiting to be accepted.")
NOT_OPEN = N_("Lead #%(id)s is closed and cannot be assigned.")
NO_MANAGER = N_("Choose an active account manager inside your part of the bank.")
EXPIRED, REASSIGNED, CLOSED = "EXPIRED", "REASSIGNED", "CLOSED"  # how a spell ends


@dataclass
class _Rotas:
    """The rotas by (unit, interest), each a list of rota rows; turns given in this run, per rota row."""

    by_key: dict[tuple[int, str | None], list[LeadRota]]
    active: set[int]
    given: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def pick(self, unit: OrgUnit, units: dict[int, OrgUnit], interest: str | None) -> int | None:
        """The least-given manager on the nearest rota up the tree (from the lead's unit to the head office)."""
        current: OrgUnit | None = unit
        while current is not None:
            rows = [r for r in self.by_key.get((current.id, interest), ()) if r.user_id in self.active]
            if rows:
                chosen = min(rows, key=lambda r: (r.given + self.given[r.id], r.position, r.id))
                self.given[chosen.id] += 1
                return chosen.user_id
            current = units.get(current.parent_id) if current.parent_id is not None else None
        return None


def _rotas(db: Session) -> _Rotas:
    rows = repository.rotas(db)
    by_key: dict[tuple[int, str | None], list[LeadRota]] = defaultdict(list)
    for r in rows:
        by_key[(r.unit_id, r.interest)].append(r)
    return _Rotas(by_key, repository.active_user_ids(db, {r.user_id for r in rows}))


def by_rules(
    db: Session, leads: Sequence[Lead], now: datetime, zone: str, principal: Principal = SYSTEM_PRINCIPAL
) -> int:
    """Give each new, unassigned lead to the first rule's manager; returns how many were given (others stay in
    the pool). Round robins advance by one atomic UPDATE per rota row."""
    waiting = [x for x in leads if x.status == LeadStatus.NEW and x.assignee_id is None]
    if not waiting:
        return 0
    units = repository.all_units(db)
    rotas = _rotas(db)
    customers = repository.customers(db, {x.customer_id for x in waiting if x.customer_id is not None})
    managers = repository.active_user_ids(
        db, {c.account_manager_id for c in customers.values() if c.account_manager_id}
    )
    due = catalogue.calendar(zone).add_hours(now, catalogue.policy().accept_hours)
    decided: list[tuple[Lead, int, str]] = []
    for lead in waiting:
        for rule in catalogue.rules():
            if rule.applies_to == "customer" and lead.customer_id is None:
                continue
            user_id: int | None = None
            if rule.method == "primary_manager":
                manager = customers[lead.customer_id].account_manager_id if lead.customer_id else None
                user_id = manager if manager in managers else None
            else:
                interest = lead.interest if rule.method == "rota_interest" else None
                user_id = rotas.pick(units[lead.unit_id], units, interest)
            if user_id is not None:
                decided.append((lead, user_id, rule.code))
                break
    spells = []
    for lead, user_id, rule_code in decided:
        _set(lead, user_id, rule_code, now, due)
        spells.append(
            {
                "lead_id": lead.id,
                "assignee_id": user_id,
                "rule": rule_code,
                "assigned_at": now,
                "assigned_by": principal.username,
                "ended_at": None,
                "ended_how": None,
            }
        )
    repository.add_spells(db, spells)
    workflow_service.record_moves(
        db, principal, WORKFLOW, "lead", [(x.id, LeadStatus.NEW, LeadStatus.ASSIGNED) for x, _, _ in decided]
    )
    repository.add_given(db, rotas.given)
    db.flush()
    return len(decided)


def _set(lead: Lead, user_id: int, rule: str, now: datetime, due: datetime) -> None:
    lead.status, lead.assignee_id, lead.assigned_at = LeadStatus.ASSIGNED.value, user_id, now
    lead.assigned_by_rule, lead.accept_due_at, lead.accepted_at, lead.updated_at = rule, due, None, now


def _give(db: Session, lead: Lead, user_id: int, rule: str, now: datetime, due: datetime, by: str) -> None:
    _set(lead, user_id, rule, now, due)
    db.add(LeadAssignment(lead_id=lead.id, assignee_id=user_id, rule=rule, assigned_at=now, assigned_by=by))


def _end_spell(db: Session, lead: Lead, how: str, now: datetime) -> None:
    spell = repository.open_spell(db, lead.id)
    if spell is not None:
        spell.ended_at, spell.ended_how = now, how


def reassign(db: Session, principal: Principal, lead_id: int, username: str, zone: str) -> Lead:
    """Give an open lead in scope to an account manager in the caller's part of the bank (lead.assign)."""
    if not principal.can(ASSIGN):
        raise Forbidden()
    lead = get_lead(db, principal, lead_id, lock=True)
    if lead.status not in OPEN_STATUSES:
        raise Conflict(NOT_OPEN, params={"id": lead.id})
    target = repository.user_by_name(db, username)
    if target is None or target.id not in {u.id for u in user_service.account_managers(db, principal)}:
        raise ValidationFailed(errors=[FieldError("username", NO_MANAGER)])
    now = utcnow()
    _end_spell(db, lead, REASSIGNED, now)
    if lead.status in (LeadStatus.NEW, LeadStatus.ASSIGNED):
        workflow_service.move(db, principal, WORKFLOW, lead, LeadStatus.ASSIGNED)
        due = catalogue.calendar(zone).add_hours(now, catalogue.policy().accept_hours)
        _give(db, lead, target.id, catalogue.MANUAL, now, due, principal.username)
    else:  # contacted or qualified: the work goes on with the new manager, already accepted
        lead.assignee_id, lead.assigned_at, lead.assigned_by_rule, lead.updated_at = (
            target.id,
            now,
            catalogue.MANUAL,
            now,
        )
        db.add(
            LeadAssignment(
                lead_id=lead.id,
                assignee_id=target.id,
                rule=catalogue.MANUAL,
                assigned_at=now,
                assigned_by=principal.username,
            )
        )
    audit_service.record(
        db, Actor.of(principal), "lead.assigned", entity_type="lead", entity_id=lead.id, detail=f"to {target.username}"
    )
    db.flush()
    return lead


def accept(db: Session, principal: Principal, lead_id: int) -> Lead:
    """The assignee accepts a lead assigned to them (before it goes back to the pool)."""
    if not principal.can(WORK):
        raise Forbidden()
    lead = get_lead(db, principal, lead_id, lock=True)
    if lead.assignee_id != principal.user_id:
        raise Conflict(NOT_YOURS, params={"id": lead.id})
    if lead.status != LeadStatus.ASSIGNED or lead.accepted_at is not None:
        raise Conflict(NOT_WAITING, params={"id": lead.id})
    now = utcnow()
    lead.accepted_at, lead.updated_at = now, now
    audit_service.record(db, Actor.of(principal), "lead.accepted", entity_type="lead", entity_id=lead.id)
    db.flush()
    return lead


def expire(db: Session, now: datetime, chunk: int = 5000) -> int:
    """Return to the pool every assigned lead not accepted by its due time; returns how many. The branch manager
    sees them on the leads page ("returned to the pool") and the event is in the audit log."""
    total = 0
    while True:
        overdue = repository.overdue(db, now, chunk)
        if not overdue:
            return total
        moves: list[tuple[object, str, str]] = [(x.id, LeadStatus.ASSIGNED, LeadStatus.NEW) for x in overdue]
        workflow_service.record_moves(db, SYSTEM_PRINCIPAL, WORKFLOW, "lead", moves, reason=EXPIRED)
        for lead in overdue:
            _end_spell(db, lead, EXPIRED, now)
            lead.status, lead.assignee_id, lead.accept_due_at, lead.updated_at = LeadStatus.NEW.value, None, None, now
        db.flush()
        total += len(overdue)


def close_spell(db: Session, lead: Lead) -> None:
    """End the current spell when a lead is converted or disqualified."""
    _end_spell(db, lead, CLOSED, utcnow())


def managers_for(db: Session, principal: Principal) -> list[User]:
    """The account managers the caller may give a lead to (in their part of the bank)."""
    return user_service.account_managers(db, principal)
