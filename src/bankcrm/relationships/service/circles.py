"""Guarantee circles (担保圈): list and read them, members masked outside scope; flag a customer's circles."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.group import GuaranteeCircle
from bankcrm.relationships import repository
from bankcrm.relationships.schemas import CircleFlag, CirclePage, CircleRead, CircleSummary, Graph, MemberExposure
from bankcrm.relationships.service.graph import NodeBook, type_labels
from bankcrm.relationships.service.groups import exposures

STATUSES = ("CURRENT", "ENDED")
NO_SUCH_CIRCLE = N_("No such guarantee circle.")
CHOOSE_STATUS = N_("Choose one of: %(choices)s.")


def parse_status(value: str | None) -> tuple[str, ...]:
    """``current`` (the default) or ``ended``."""
    if not value:
        return ("CURRENT",)
    wanted = value.strip().upper()
    if wanted not in STATUSES:
        choices = ", ".join(s.lower() for s in STATUSES)
        raise ValidationFailed(errors=[FieldError("status", CHOOSE_STATUS, {"choices": choices})])
    return (wanted,)


def _summary(circle: GuaranteeCircle, book: NodeBook, member_ids: list[int]) -> CircleSummary:
    hidden = any(m not in book.visible for m in member_ids)
    return CircleSummary(
        id=circle.id,
        status=circle.status,
        member_count=circle.member_count,
        total_hidden=hidden,
        total_amount=None if hidden else circle.total_amount,
        derived_at=circle.derived_at,
        refreshed_at=circle.refreshed_at,
        ended_at=circle.ended_at,
    )


def list_circles(
    db: Session, principal: Principal, status: str | None, page: PageRequest, sort: SortSpec | None = None
) -> CirclePage:
    """Circles with at least one member in scope, largest amount first unless ``sort`` says otherwise."""
    result = repository.circles_page(db, principal, parse_status(status), page, sort)
    items = []
    for circle in result.items:
        member_ids = repository.circle_member_ids(db, circle.id)
        items.append(_summary(circle, NodeBook(db, principal, set(member_ids)), member_ids))
    return CirclePage.of(result, items)


def read_circle(db: Session, principal: Principal, circle_id: int, *, today: date, locale: str) -> CircleRead:
    """A circle with a member in scope: its members and the active guarantees between them (404 otherwise)."""
    circle = repository.circle(db, circle_id)
    member_ids = repository.circle_member_ids(db, circle_id) if circle is not None else []
    book = NodeBook(db, principal, set(member_ids))
    if circle is None or not book.visible:
        raise NotFound(NO_SUCH_CIRCLE, audit=out_of_scope(principal, "guarantee_circle", circle_id, circle is not None))
    members = [book.node(m) for m in member_ids]
    labels = type_labels(db, locale)
    links = repository.active_links_among(db, set(member_ids), ("GUARANTOR_FOR",), today)
    graph = Graph(nodes=members, edges=[book.edge(lk, labels) for lk in links])
    loans, given = exposures(db, book.visible, today)
    shown = {
        book.node_id(m): MemberExposure(loan_balance=loans.get(m, 0), guarantees_given=given.get(m, 0))
        for m in member_ids
        if m in book.visible
    }
    return CircleRead(**_summary(circle, book, member_ids).model_dump(), members=members, graph=graph, exposures=shown)


def circles_of(db: Session, customer_id: int) -> list[CircleFlag]:
    """The current circles of a customer the caller has already checked is in scope (for the 360° view)."""
    return [
        CircleFlag(circle_id=c.id, member_count=c.member_count) for c in repository.circles_of_customer(db, customer_id)
    ]
