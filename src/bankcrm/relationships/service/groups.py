"""Corporate groups: list and read them (masked outside scope), accept or reject a proposed group.

A proposal changes nothing until a risk manager decides: accepting it makes it the current group and
supersedes every accepted group with the same core or sharing a corporate member; rejecting it needs
a reason, and the same member set is not proposed again. Whoever triggered a derivation may decide
on its proposals: a proposal follows mechanically from the links, which account managers entered.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import users as user_service
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.group import CorporateGroup, CorporateGroupMember, GroupStatus
from bankcrm.models.relationship import CustomerLink
from bankcrm.relationships import repository
from bankcrm.relationships.schemas import (
    Graph,
    GroupFlag,
    GroupMemberRead,
    GroupPage,
    GroupRead,
    GroupSummary,
    PathStep,
)
from bankcrm.relationships.service.graph import NodeBook, type_labels
from bankcrm.workflow import service as workflow_service

WORKFLOW = "corporate_group"
DEFAULT_STATUSES = (GroupStatus.PROPOSED, GroupStatus.ACCEPTED)  # open groups: what a reviewer looks at
PROPOSED_TAB = GroupStatus.PROPOSED.lower()  # the list page after a derivation
CONTROL_TYPES = ("SHAREHOLDER_OF", "ACTUAL_CONTROLLER_OF", "SUBSIDIARY_OF")
NO_SUCH_GROUP = N_("No such corporate group.")
NOT_PROPOSED = N_("Only a proposed group can be accepted or rejected.")
REASON_REQUIRED = N_("Give the reason for rejecting the group.")
CHOOSE_STATUS = N_("Choose one of: %(choices)s.")


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """Group statuses' labels in the reader's language, in the workflow's display order."""
    return workflow_service.labels(db, WORKFLOW, locale)


def status_tabs(db: Session, locale: str) -> list[tuple[str, str]]:
    """The list page's tabs: (``proposed`` ..., label), one per state of the workflow catalogue."""
    return [(code.lower(), label) for code, label in status_labels(db, locale).items()]


def parse_status(value: str | None) -> tuple[str, ...]:
    """``proposed`` / ``accepted`` / ... (any case) to the statuses listed; empty means proposed and accepted."""
    if not value:
        return DEFAULT_STATUSES
    wanted = value.strip().upper()
    if wanted not in set(GroupStatus):
        choices = ", ".join(s.lower() for s in GroupStatus)
        raise ValidationFailed(errors=[FieldError("status", CHOOSE_STATUS, {"choices": choices})])
    return (wanted,)


def _summary(
    group: CorporateGroup, book: NodeBook, members: list[CorporateGroupMember], labels: dict[str, str]
) -> GroupSummary:
    hidden = any(m.customer_id not in book.visible for m in members if m.role != "CONTROLLER")
    core = group.core_customer_id
    return GroupSummary(
        id=group.id,
        status=group.status,
        status_label=labels.get(group.status, group.status),
        core_cif_no=book.cif_no(core),
        core_name=book.names.get(core) if core in book.visible else None,
        member_count=group.member_count,
        controller_count=group.controller_count,
        totals_hidden=hidden,
        credit_exposure=None if hidden else group.loan_balance + group.guarantees_given,
        loan_balance=None if hidden else group.loan_balance,
        guarantees_given=None if hidden else group.guarantees_given,
        deposit_balance=None if hidden else group.deposit_balance,
        replaces_id=group.replaces_id,
        derived_at=group.derived_at,
        refreshed_at=group.refreshed_at,
        decided_at=group.decided_at,
    )


def list_groups(
    db: Session,
    principal: Principal,
    status: str | None,
    page: PageRequest,
    *,
    locale: str,
    sort: SortSpec | None = None,
) -> GroupPage:
    """Groups with at least one customer in scope; proposed and accepted unless a status is asked for."""
    result = repository.groups_page(db, principal, parse_status(status), page, sort)
    labels = status_labels(db, locale)
    items = []
    for group in result.items:
        members = repository.group_members(db, group.id)
        book = NodeBook(db, principal, {m.customer_id for m in members})
        items.append(_summary(group, book, members, labels))
    return GroupPage.of(result, items)


def _group_in_scope(
    db: Session, principal: Principal, group_id: int
) -> tuple[CorporateGroup, list[CorporateGroupMember], NodeBook]:
    group = repository.group(db, group_id)
    members = repository.group_members(db, group_id) if group is not None else []
    book = NodeBook(db, principal, {m.customer_id for m in members})
    if group is None or not book.visible:
        raise NotFound(NO_SUCH_GROUP, audit=out_of_scope(principal, "corporate_group", group_id, group is not None))
    return group, members, book


def read_group(
    db: Session, principal: Principal, group_id: int, *, today: date, locale: str, threshold_bp: int
) -> GroupRead:
    """A group with a customer in scope: members with paths, review, graph (404 otherwise).

    ``threshold_bp`` is the control threshold, to mark which of the links among its customers are control.
    """
    group, members, book = _group_in_scope(db, principal, group_id)
    by_id = {m.customer_id: m for m in members}
    loans, given = exposures(db, book.visible, today)
    for m in members:  # ids in path order: the core is n1
        book.node_id(m.customer_id)
    reads = [
        GroupMemberRead(
            node=book.node_id(m.customer_id),
            kind=book.customers[m.customer_id].kind,
            masked=m.customer_id not in book.visible,
            cif_no=book.cif_no(m.customer_id),
            name=book.names.get(m.customer_id) if m.customer_id in book.visible else None,
            role=m.role,
            depth=m.depth,
            path=_path(m, by_id, book),
            loan_balance=loans.get(m.customer_id, 0) if m.customer_id in book.visible else None,
            guarantees_given=given.get(m.customer_id, 0) if m.customer_id in book.visible else None,
        )
        for m in members
    ]
    labels = type_labels(db, locale)
    links = repository.active_links_among(db, set(by_id), CONTROL_TYPES, today)
    graph = Graph(
        nodes=[book.node(m.customer_id, role=m.role, depth=m.depth) for m in members],
        edges=[book.edge(lk, labels, control=_controls(lk, threshold_bp)) for lk in links],
    )
    users = user_service.display_names(db, {u for u in (group.triggered_by, group.decided_by) if u})
    return GroupRead(
        **_summary(group, book, members, status_labels(db, locale)).model_dump(),
        members=reads,
        triggered_by=users.get(group.triggered_by) if group.triggered_by else None,
        decided_by=users.get(group.decided_by) if group.decided_by else None,
        reason=group.reason,
        graph=graph,
    )


def exposures(db: Session, customer_ids: set[int], today: date) -> tuple[dict[int, int], dict[int, int]]:
    """Loans outstanding (the nightly figures, as in the group totals) and active guarantees given, in fen."""
    loans = {i: pair[0] for i, pair in repository.figures(db, sorted(customer_ids)).items()}
    return loans, repository.guarantees_given(db, customer_ids, today)


def groups_of(db: Session, customer_id: int, locale: str) -> list[GroupFlag]:
    """The proposed and accepted groups of a customer the caller has already checked is in scope (360° view)."""
    labels = status_labels(db, locale)
    return [
        GroupFlag(
            group_id=g.id, status=g.status, status_label=labels.get(g.status, g.status), member_count=g.member_count
        )
        for g in repository.groups_of_customer(db, customer_id, DEFAULT_STATUSES)
    ]


def _path(member: CorporateGroupMember, by_id: dict[int, CorporateGroupMember], book: NodeBook) -> list[PathStep]:
    """The chain from the core to this member, following the stored previous customers."""
    steps: list[PathStep] = []
    current: CorporateGroupMember | None = member
    while current is not None and len(steps) <= len(by_id):  # the bound guards against a corrupt cycle
        steps.append(
            PathStep(
                node=book.node_id(current.customer_id),
                cif_no=book.cif_no(current.customer_id),
                link_type=current.via_link_type,
                forward=current.via_forward,
            )
        )
        current = by_id.get(current.parent_customer_id) if current.parent_customer_id else None
    return steps[::-1]


def _controls(link: CustomerLink, threshold_bp: int) -> bool:
    """Whether a link counts as control (the derivation's rule)."""
    if link.link_type == "SHAREHOLDER_OF":
        return (link.share_pct_bp or 0) > threshold_bp
    return True


def can_decide(db: Session, principal: Principal, status: str) -> bool:
    """Whether the principal may accept or reject a group in ``status`` (the review card)."""
    decisions = {GroupStatus.ACCEPTED, GroupStatus.REJECTED}
    return decisions <= workflow_service.moves_open_to(db, principal, WORKFLOW, status)


def _decide(db: Session, principal: Principal, group_id: int) -> CorporateGroup:
    group, _, _ = _group_in_scope(db, principal, group_id)
    if group.status != GroupStatus.PROPOSED:
        # Answered before anything moves: accepting also supersedes other groups.
        raise Conflict(NOT_PROPOSED)
    return group


def accept(
    db: Session, principal: Principal, group_id: int, *, today: date, locale: str, threshold_bp: int
) -> GroupRead:
    """Make a proposed group current; accepted groups with its core or a shared member are superseded."""
    group = _decide(db, principal, group_id)
    now = utcnow()
    for old in repository.accepted_overlapping(db, group.id, group.core_customer_id):
        workflow_service.move(db, principal, WORKFLOW, old, GroupStatus.SUPERSEDED)
        old.ended_at = now
        audit_service.record(
            db,
            Actor.of(principal),
            "corporate_group.superseded",
            entity_type="corporate_group",
            entity_id=old.id,
            changes=audit_service.diff(
                {"status": GroupStatus.ACCEPTED}, {"status": GroupStatus.SUPERSEDED, "superseded_by": group.id}
            ),
        )
    workflow_service.move(db, principal, WORKFLOW, group, GroupStatus.ACCEPTED, refusal=NOT_PROPOSED)
    group.decided_by, group.decided_at = principal.user_id, now
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "corporate_group.accepted",
        entity_type="corporate_group",
        entity_id=group.id,
        changes=audit_service.diff(
            {"status": GroupStatus.PROPOSED},
            {"status": GroupStatus.ACCEPTED, "members": group.member_count, "fingerprint": group.fingerprint},
        ),
    )
    return read_group(db, principal, group.id, today=today, locale=locale, threshold_bp=threshold_bp)


def reject(
    db: Session,
    principal: Principal,
    group_id: int,
    reason: str,
    *,
    today: date,
    locale: str,
    threshold_bp: int,
) -> GroupRead:
    """Reject a proposed group with a reason; the accepted group, if any, stays current."""
    group = _decide(db, principal, group_id)
    text = reason.strip()
    if not text:
        raise ValidationFailed(errors=[FieldError("reason", REASON_REQUIRED)])
    workflow_service.move(db, principal, WORKFLOW, group, GroupStatus.REJECTED, text, refusal=NOT_PROPOSED)
    group.decided_by, group.decided_at, group.reason = principal.user_id, utcnow(), text
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "corporate_group.rejected",
        entity_type="corporate_group",
        entity_id=group.id,
        changes=audit_service.diff(
            {"status": GroupStatus.PROPOSED, "reason": None}, {"status": GroupStatus.REJECTED, "reason": text}
        ),
    )
    return read_group(db, principal, group.id, today=today, locale=locale, threshold_bp=threshold_bp)
