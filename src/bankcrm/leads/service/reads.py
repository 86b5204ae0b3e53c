"""Reading leads in scope: one lead (404 outside scope, audited), pages with filters, history, a customer's leads,
the referrer's progress and the month's leaderboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import NotFound
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.pagination import Page
from bankcrm.leads import catalogue, repository
from bankcrm.leads.schemas import WORKFLOW, LeadDetail, LeadEvent, LeadRead, Points
from bankcrm.models.lead import Lead, LeadStatus
from bankcrm.workflow import service as workflow_service

NOT_FOUND = N_("Lead not found.")
ASSIGNED_TO = N_("Assigned to %(name)s (%(rule)s)")
SPELL_ENDED = {
    "EXPIRED": N_("%(name)s did not accept it in time: back to the pool"),
    "REASSIGNED": N_("Taken from %(name)s"),
    "CLOSED": N_("%(name)s closed it"),
}
MOVED = N_("%(from)s → %(to)s")
ACCEPTED = N_("Accepted by %(name)s")
BOARD_KINDS = ("branch", "head_office")  # a leaderboard by default covers the caller's branch


def get_lead(db: Session, principal: Principal, lead_id: int, *, lock: bool = False) -> Lead:
    """One lead in scope, or 404 (audited when it exists)."""
    lead = repository.lead(db, principal, lead_id, lock=lock)
    if lead is None:
        raise NotFound(NOT_FOUND, audit=out_of_scope(principal, "lead", lead_id, repository.exists(db, lead_id)))
    return lead


def to_read(db: Session, leads: list[Lead], locale: str) -> list[LeadRead]:
    """Leads as the API and pages show them (names of customers, units and users, status labels)."""
    users = repository.users(db, {i for x in leads for i in (x.assignee_id, x.referrer_id) if i is not None})
    units = repository.units(db, {x.unit_id for x in leads})
    customers = repository.customers(db, {x.customer_id for x in leads if x.customer_id is not None})
    labels = workflow_service.labels(db, WORKFLOW, locale)
    out = []
    for x in leads:
        customer = customers.get(x.customer_id) if x.customer_id else None
        assignee = users.get(x.assignee_id) if x.assignee_id else None
        referrer = users.get(x.referrer_id) if x.referrer_id else None
        unit = units[x.unit_id]
        out.append(
            LeadRead(
                id=x.id,
                status=LeadStatus(x.status),
                status_label=labels.get(x.status, x.status),
                source=x.source,
                interest=x.interest,
                cif_no=customer.cif_no if customer else None,
                customer_name=customer.name if customer else None,
                prospect_name=x.prospect_name,
                phone_masked=x.phone_masked,
                id_no_masked=x.id_no_masked,
                amount=x.amount,
                note=x.note,
                unit=unit.code,
                unit_name=unit.name_zh if locale.startswith("zh") else unit.name_en,
                assignee=assignee.username if assignee else None,
                assignee_name=assignee.display_name if assignee else None,
                assigned_at=x.assigned_at,
                accept_due_at=x.accept_due_at,
                accepted_at=x.accepted_at,
                referrer=referrer.username if referrer else None,
                referrer_name=referrer.display_name if referrer else None,
                reason=x.reason,
                change_request_id=x.change_request_id,
                opportunity_id=x.opportunity_id,
                created_at=x.created_at,
                converted_at=x.converted_at,
            )
        )
    return out


def lead_page(
    db: Session, principal: Principal, filters: dict[str, Any], page: int, size: int, locale: str
) -> Page[LeadRead]:
    """A page of leads in scope, newest first; ``mine`` keeps the caller's own, ``unit`` a unit's subtree."""
    wanted = dict(filters)
    if wanted.pop("mine", False):
        wanted["assignee_id"] = principal.user_id
    if wanted.get("unit"):
        wanted["unit_path"] = unit_service.unit_in_scope(db, principal, wanted.pop("unit")).path
    rows, total = repository.page(db, principal, wanted, (page - 1) * size, size)
    capped = total > repository.COUNT_CAP
    return Page(to_read(db, rows, locale), min(total, repository.COUNT_CAP), page, size, capped)


def detail(db: Session, principal: Principal, lead_id: int, locale: str) -> LeadDetail:
    """One lead in scope with its history: status moves and assignment spells, oldest first."""
    lead = get_lead(db, principal, lead_id)
    read = to_read(db, [lead], locale)[0]
    spells = repository.spells(db, lead.id)
    names = repository.users(db, {s.assignee_id for s in spells})
    labels = workflow_service.labels(db, WORKFLOW, locale)
    events: list[LeadEvent] = []
    for move in workflow_service.history(db, "lead", lead.id):
        text = gettext_for(locale, MOVED) % {
            "from": labels.get(move.from_state, move.from_state),
            "to": labels.get(move.to_state, move.to_state),
        }
        if move.reason:
            text += f" ({move.reason})"
        events.append(LeadEvent(at=move.moved_at, kind="status", text=text, actor=move.actor_name))
    for s in spells:
        name = names[s.assignee_id].display_name if s.assignee_id in names else "?"
        rule = catalogue.rule_label(s.rule, locale)
        events.append(
            LeadEvent(
                at=s.assigned_at,
                kind="assigned",
                text=gettext_for(locale, ASSIGNED_TO) % {"name": name, "rule": rule},
                actor=s.assigned_by,
            )
        )
        if s.ended_at is not None and s.ended_how in SPELL_ENDED:
            events.append(
                LeadEvent(
                    at=s.ended_at,
                    kind=s.ended_how.lower(),
                    text=gettext_for(locale, SPELL_ENDED[s.ended_how]) % {"name": name},
                )
            )
    if lead.accepted_at is not None and read.assignee_name:
        events.append(
            LeadEvent(
                at=lead.accepted_at, kind="accepted", text=gettext_for(locale, ACCEPTED) % {"name": read.assignee_name}
            )
        )
    events.sort(key=lambda e: e.at)
    return LeadDetail(**read.model_dump(), history=events)


def customer_leads(db: Session, principal: Principal, cif_no: str, locale: str) -> tuple[str, list[LeadRead]]:
    """A customer in scope (404 otherwise) and their leads the reader may see."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    return customer.cif_no, to_read(db, repository.customer_leads(db, principal, customer.id), locale)


def my_referrals(
    db: Session, principal: Principal, locale: str, size: int = 100
) -> tuple[list[LeadRead], dict[int, int], int]:
    """The caller's referrals newest first, the points each earned, and their points in all."""
    rows, _ = repository.page(db, principal, {"referrer_id": principal.user_id}, 0, size)
    return (
        to_read(db, rows, locale),
        repository.points_by_lead(db, [x.id for x in rows]),
        repository.points_of(db, principal.user_id or 0),
    )


def leaderboard(
    db: Session, principal: Principal, month: date, unit_code: str | None, locale: str
) -> tuple[str, list[Points]]:
    """The month's referrers under a branch (the caller's own by default, 404 outside their subtree), most
    points first, ties by user name."""
    unit = _branch(db, principal, unit_code)
    rows = repository.leaderboard(db, month, unit.path)
    users = repository.users(db, {u for u, _, _ in rows})
    units = repository.units(db, {u.org_unit_id for u in users.values()})
    ordered = sorted(rows, key=lambda r: (-r[1], users[r[0]].username))
    out = []
    for rank, (user_id, points, count) in enumerate(ordered, start=1):
        user = users[user_id]
        home = units[user.org_unit_id]
        out.append(
            Points(
                rank=rank,
                username=user.username,
                name=user.display_name,
                unit=home.name_zh if locale.startswith("zh") else home.name_en,
                points=points,
                referrals=count,
            )
        )
    return unit.code, out


def _branch(db: Session, principal: Principal, unit_code: str | None) -> Any:
    """The unit a leaderboard is for: one named inside the caller's subtree (404 otherwise), else the branch the
    caller works in (a board of referrers' names and points, open to everyone in the branch)."""
    if unit_code is not None:
        return unit_service.unit_in_scope(db, principal, unit_code)
    units = repository.all_units(db)
    current = units.get(principal.unit_id) or unit_service.unit_in_scope(db, principal, None)
    while current.parent_id is not None and current.kind_code not in BOARD_KINDS:
        current = units[current.parent_id]
    return current


def choices(db: Session, locale: str) -> dict[str, dict[str, str]]:
    """The code tables the lead pages offer, code → label in the reader's language."""
    return catalogue_service.code_labels(
        db, ("lead_source", "lead_interest", "lead_disqualify_reason", "id_type"), locale
    )


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """The lead workflow's states in order, code → label."""
    return workflow_service.labels(db, WORKFLOW, locale)
