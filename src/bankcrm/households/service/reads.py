"""Reading households in the principal's scope: members outside it are masked nodes and are not counted."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import NotFound
from bankcrm.households import repository
from bankcrm.households.schemas import CategoryRead, HouseholdBadge, HouseholdRead, MemberRead, TotalsRead
from bankcrm.kit.i18n import N_, label
from bankcrm.models.customer import Customer
from bankcrm.models.household import Household

HIDDEN_NAME = "—"
NO_SUCH_HOUSEHOLD = N_("No such household.")
NO_HOUSEHOLD = N_("This customer belongs to no household.")


def visible_household(db: Session, principal: Principal, household_id: int) -> tuple[Household, list[Customer]]:
    """A household with at least one member in scope, and its members; otherwise 404 (audited if it exists)."""
    row = repository.household(db, household_id)
    members = [c for _, c in repository.members_of(db, household_id)] if row else []
    if row is None or not customer_reads.visible_ids(db, principal, {c.id for c in members}):
        raise NotFound(NO_SUCH_HOUSEHOLD, audit=out_of_scope(principal, "household", household_id, row is not None))
    return row, members


def household(db: Session, principal: Principal, household_id: int, *, locale: str) -> HouseholdRead:
    """A household in scope with its members (masked) and the figures of the members the principal may read."""
    row, _ = visible_household(db, principal, household_id)
    return read(db, principal, row, locale=locale)


def household_of(db: Session, principal: Principal, cif_no: str, *, locale: str) -> HouseholdRead:
    """The household of a customer in scope; 404 when it belongs to none."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    member = repository.membership(db, customer.id)
    row = repository.household(db, member.household_id) if member else None
    if row is None:
        raise NotFound(NO_HOUSEHOLD)
    return read(db, principal, row, locale=locale)


def read(db: Session, principal: Principal, row: Household, *, locale: str) -> HouseholdRead:
    """The household as the principal sees it (the caller checked that one member is in scope)."""
    members = repository.members_of(db, row.id)
    customers = {c.id: c for _, c in members}
    visible = customer_reads.visible_ids(db, principal, set(customers))
    names = {s.cif_no: s.name for s in customer_reads.summaries(db, principal, [customers[i] for i in sorted(visible)])}
    figures = repository.figures(db, visible)
    out = []
    for member, customer in members:
        shown = customer.id in visible
        figure = figures.get(customer.id) if shown else None
        out.append(
            MemberRead(
                cif_no=customer.cif_no if shown else None,
                name=names[customer.cif_no] if shown else HIDDEN_NAME,
                visible=shown,
                head=customer.id == row.head_customer_id,
                manual=member.manual,
                aum=figure.aum if figure else (0 if shown else None),
                deposit_balance=figure.deposit_balance if figure else (0 if shown else None),
                loan_balance=figure.loan_balance if figure else (0 if shown else None),
                product_count=figure.product_count if figure else (0 if shown else None),
            )
        )
    out.sort(key=lambda m: (not m.head, not m.visible, m.cif_no or ""))
    counted = [m for m in out if m.visible]
    head = next((m for m in out if m.head), None)
    return HouseholdRead(
        id=row.id,
        head_cif_no=head.cif_no if head else None,
        head_name=head.name if head else HIDDEN_NAME,
        member_count=len(out),
        members=out,
        totals=TotalsRead(
            members_counted=len(counted),
            members_hidden=len(out) - len(counted),
            aum=sum(m.aum or 0 for m in counted),
            deposit_balance=sum(m.deposit_balance or 0 for m in counted),
            loan_balance=sum(m.loan_balance or 0 for m in counted),
            product_count=sum(m.product_count or 0 for m in counted),
            as_of=max((f.as_of for f in figures.values()), default=None),
        ),
        products=_products(db, visible, locale),
        derived_at=row.derived_at,
    )


def _products(db: Session, ids: set[int], locale: str) -> list[CategoryRead]:
    holders: dict[str, set[int]] = {}
    holdings: dict[str, int] = {}
    for customer, category, count in repository.holdings_by_category(db, ids):
        holders.setdefault(category, set()).add(customer)
        holdings[category] = holdings.get(category, 0) + count
    return [
        CategoryRead(
            category=c.code,
            label=label(c, locale),
            holders=len(holders[c.code]),
            holdings=holdings[c.code],
        )
        for c in catalogue.code_table(db, "product_category")
        if c.code in holders
    ]


def badge(db: Session, principal: Principal, customer_id: int) -> HouseholdBadge | None:
    """The household line of a customer's 360° view (the caller checked the customer's scope)."""
    member = repository.membership(db, customer_id)
    row = repository.household(db, member.household_id) if member else None
    if row is None:
        return None
    ids = {c.id for _, c in repository.members_of(db, row.id)}
    visible = customer_reads.visible_ids(db, principal, ids)
    aum = sum(f.aum for f in repository.figures(db, visible).values())
    return HouseholdBadge(id=row.id, member_count=len(ids), aum=aum, members_hidden=len(ids) - len(visible))
