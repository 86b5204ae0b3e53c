"""Reading assignments: a customer's managers and history, requests, a manager's portfolio; always scoped.

A portfolio lists only the customers the viewer may read: the others are neither listed (not even
masked) nor counted in its totals, so a portfolio never tells how many customers a viewer cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import users as user_service
from bankcrm.assignments import repository
from bankcrm.assignments.schemas import (
    AssignmentRead,
    CustomerManagers,
    ItemRead,
    Portfolio,
    PortfolioItem,
    PortfolioManager,
    PortfolioTotals,
    RequestRead,
)
from bankcrm.assignments.service.slots import Slot, effective, from_json
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import NotFound
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.access import User
from bankcrm.models.assignment import AssignmentRequest, ManagerAssignment

HIDDEN = "—"
NO_SUCH_MANAGER = N_("User not found.")


def _read(row: ManagerAssignment, users: dict[int, User]) -> AssignmentRead:
    user = users.get(row.manager_id)
    return AssignmentRead(
        id=row.id,
        manager_id=row.manager_id,
        manager_username=user.username if user else "",
        manager_name=user.display_name if user else "",
        role=row.role,
        share_bp=row.share_bp,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        request_id=row.request_id,
        ended_request_id=row.ended_request_id,
    )


def _slot_read(slot: Slot, users: dict[int, User], rows: list[ManagerAssignment]) -> AssignmentRead:
    """A current manager: its holding row when one agrees, else a row-less primary from the record."""
    row = next((r for r in rows if Slot(r.manager_id, r.role, r.share_bp) == slot), None)
    if row is not None:
        return _read(row, users)
    user = users.get(slot.manager_id)
    return AssignmentRead(
        id=None,
        manager_id=slot.manager_id,
        manager_username=user.username if user else "",
        manager_name=user.display_name if user else "",
        role=slot.role,
        share_bp=slot.share_bp,
        valid_from=None,
        valid_to=None,
        request_id=None,
        ended_request_id=None,
    )


def customer_managers(db: Session, principal: Principal, cif_no: str, *, today: date) -> CustomerManagers:
    """A customer in scope: its managers today, every assignment it has had, its pending request."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    history = repository.assignments_of(db, customer.id)
    holding = repository.holding(db, {customer.id}, today)[customer.id]
    current, outside = effective(customer, holding)
    users = repository.users_by_id(db, {r.manager_id for r in history} | {s.manager_id for s in current})
    return CustomerManagers(
        cif_no=customer.cif_no,
        name=customer_reads.summaries(db, principal, [customer])[0].name,
        current=[_slot_read(s, users, holding) for s in current],
        history=[_read(r, users) for r in history],
        pending_request_id=repository.pending_for(db, {customer.id}).get(customer.id),
        recorded_outside=outside,
    )


def request_read(db: Session, principal: Principal, request: AssignmentRequest) -> RequestRead:
    """A request as its page shows it; a customer the reader may no longer read is shown without details."""
    slots = {i.id: (from_json(i.before), from_json(i.after)) for i in request.items}
    ids = {s.manager_id for b, a in slots.values() for s in (*b, *a)}
    users = repository.users_by_id(db, ids | {m for m in (request.from_manager_id, request.to_manager_id) if m})
    customers = repository.customers_by_id(db, {i.customer_id for i in request.items})
    visible = repository.customers_by_cif(db, principal, [c.cif_no for c in customers.values()])
    names = {s.cif_no: s.name for s in customer_reads.summaries(db, principal, list(visible.values()))}

    def reads(items: list[Slot]) -> list[AssignmentRead]:
        return [_slot_read(s, users, []) for s in items]

    items = []
    for item in request.items:
        cif = customers[item.customer_id].cif_no
        before, after = slots[item.id]
        shown = cif in visible
        items.append(
            ItemRead(
                cif_no=cif if shown else HIDDEN,
                name=names[cif] if shown else HIDDEN,
                before=reads(before) if shown else [],
                after=reads(after) if shown else [],
            )
        )
    return RequestRead(
        id=request.id,
        kind=request.kind,
        status=request.status,
        reason=request.reason,
        from_manager=users[request.from_manager_id].display_name if request.from_manager_id else None,
        to_manager=users[request.to_manager_id].display_name if request.to_manager_id else None,
        unit=request.unit.code,
        customer_count=request.customer_count,
        maker=request.maker_name,
        checker=request.checker_name,
        decision_reason=request.decision_reason,
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        items=items,
    )


def manager(db: Session, principal: Principal, manager_id: int) -> User:
    """A user the principal may see (else 404, audited)."""
    return user_service.get_user(db, principal, manager_id)


def manager_by_username(db: Session, principal: Principal, username: str) -> User:
    """A user by name that the principal may see (else 404)."""
    user = repository.user_by_username(db, username)
    if user is None:
        raise NotFound(NO_SUCH_MANAGER)
    return user_service.get_user(db, principal, user.id)


def portfolio(
    db: Session, principal: Principal, manager_id: int, page: PageRequest, *, today: date, sort: SortSpec | None = None
) -> Portfolio:
    """The manager's customers (primary and co, with share and figures) inside the viewer's scope, and totals."""
    user = manager(db, principal, manager_id)
    rows, totals = repository.portfolio(db, principal, user.id, today, page, sort)
    summaries = customer_reads.summaries(db, principal, [c for c, _, _, _ in rows])
    items = [
        PortfolioItem(
            cif_no=s.cif_no,
            name=s.name,
            kind=s.kind,
            status=s.status,
            role=role,
            share_bp=share,
            aum=fig.aum if fig else None,
            deposit_balance=fig.deposit_balance if fig else None,
            loan_balance=fig.loan_balance if fig else None,
        )
        for s, (_, role, share, fig) in zip(summaries, rows, strict=True)
    ]
    return Portfolio(
        manager=PortfolioManager(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            unit=user.org_unit.code,
            active=user.active,
        ),
        totals=PortfolioTotals(**totals),
        items=items,
        total=totals["customers"],
        page=page.page,
        size=page.size,
    )


@dataclass(frozen=True)
class ManagerChoice:
    """An account manager to pick in a form."""

    id: int
    username: str
    display_name: str
    unit: str


def manager_choices(db: Session, principal: Principal) -> list[ManagerChoice]:
    """Every active account manager, for pick lists (a request naming a far manager goes to a wider checker)."""
    return [ManagerChoice(u.id, u.username, u.display_name, u.org_unit.code) for u in repository.account_managers(db)]


def visible_managers(db: Session, principal: Principal) -> list[ManagerChoice]:
    """Active account managers in the principal's scope, whose portfolios they may open."""
    return [
        ManagerChoice(u.id, u.username, u.display_name, u.org_unit.code)
        for u in user_service.account_managers(db, principal)
    ]
