"""Manual household edits: each is stored as an override, applied at once to the households it touches, audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, FieldError, NotFound, ValidationFailed
from bankcrm.households import repository
from bankcrm.households.schemas import HeadSet, HouseholdRead, MemberAdd
from bankcrm.households.service.around import derive_around
from bankcrm.households.service.derive import ASSIGN, EXCLUDE, HEAD, MEMBERSHIP_KINDS
from bankcrm.households.service.reads import read, visible_household
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import Customer
from bankcrm.models.household import HouseholdOverride

NOT_A_MEMBER = N_("This customer is not a member of this household.")
NO_CUSTOMER = N_("No customer in your scope has this CIF number.")
INDIVIDUALS_ONLY = N_("Only individual customers belong to a household.")
ALREADY_MEMBER = N_("This customer is already a member of this household.")
CHOOSE_MEMBER = N_("Choose a member of this household in your scope.")
CHANGED = N_("The household changed meanwhile; reload it and try again.")


def _customer(db: Session, principal: Principal, cif_no: str) -> Customer | None:
    """A customer in scope by CIF number, or None (not found and out of scope read the same)."""
    try:
        return customer_reads.get_customer(db, principal, "".join(cif_no.split()))
    except NotFound:
        return None


def _override(db: Session, principal: Principal, kind: str, customer_id: int, household_id: int | None) -> None:
    row = HouseholdOverride(
        kind=kind,
        customer_id=customer_id,
        household_id=household_id,
        created_by=principal.user_id,
        created_at=utcnow(),
    )
    repository.add_override(db, row)


def remove_member(db: Session, principal: Principal, household_id: int, cif_no: str, *, today: date) -> bool:
    """Take a member in scope out of the household for good (an EXCLUDE override); whether the household remains."""
    visible_household(db, principal, household_id)
    customer = customer_reads.get_customer(db, principal, cif_no)
    member = repository.membership(db, customer.id)
    if member is None or member.household_id != household_id:
        raise NotFound(NOT_A_MEMBER)
    repository.drop_overrides(db, MEMBERSHIP_KINDS, customer_id=customer.id)
    repository.drop_overrides(db, (HEAD,), customer_id=customer.id)
    _override(db, principal, EXCLUDE, customer.id, None)
    derive_around(db, today=today, customers={customer.id})
    audit_service.record(
        db,
        Actor.of(principal),
        "household.member_removed",
        entity_type="household",
        entity_id=household_id,
        changes={"member_cif_no": [customer.cif_no, None]},
    )
    return repository.household(db, household_id) is not None


def add_member(
    db: Session, principal: Principal, household_id: int, body: MemberAdd, *, today: date, locale: str
) -> HouseholdRead:
    """Put an individual in scope into this household (an ASSIGN override); it leaves any other household."""
    visible_household(db, principal, household_id)
    customer = _customer(db, principal, body.cif_no)
    if customer is None:
        raise ValidationFailed(errors=[FieldError("cif_no", NO_CUSTOMER)])
    if customer.kind != "individual":
        raise ValidationFailed(errors=[FieldError("cif_no", INDIVIDUALS_ONLY)])
    member = repository.membership(db, customer.id)
    if member is not None and member.household_id == household_id:
        raise Conflict(ALREADY_MEMBER)
    repository.drop_overrides(db, MEMBERSHIP_KINDS, customer_id=customer.id)
    repository.drop_overrides(db, (HEAD,), customer_id=customer.id)
    _override(db, principal, ASSIGN, customer.id, household_id)
    derive_around(db, today=today, customers={customer.id}, households={household_id})
    row = repository.household(db, household_id)
    placed = repository.membership(db, customer.id)
    if row is None or placed is None or placed.household_id != household_id:
        raise Conflict(CHANGED)
    audit_service.record(
        db,
        Actor.of(principal),
        "household.member_added",
        entity_type="household",
        entity_id=household_id,
        changes={"member_cif_no": [None, customer.cif_no]},
    )
    return read(db, principal, row, locale=locale)


def set_head(
    db: Session, principal: Principal, household_id: int, body: HeadSet, *, today: date, locale: str
) -> HouseholdRead:
    """Make a member in scope the head (a HEAD override, kept while it stays a member)."""
    row, members = visible_household(db, principal, household_id)
    customer = _customer(db, principal, body.cif_no)
    if customer is None or customer.id not in {c.id for c in members}:
        raise ValidationFailed(errors=[FieldError("cif_no", CHOOSE_MEMBER)])
    before = next((c.cif_no for c in members if c.id == row.head_customer_id), None)
    if before != customer.cif_no:
        repository.drop_overrides(db, (HEAD,), household_id=household_id)
        _override(db, principal, HEAD, customer.id, household_id)
        derive_around(db, today=today, customers=set(), households={household_id})
        audit_service.record(
            db,
            Actor.of(principal),
            "household.head_set",
            entity_type="household",
            entity_id=household_id,
            changes={"head_cif_no": [before, customer.cif_no]},
        )
    fresh = repository.household(db, household_id)
    if fresh is None:
        raise Conflict(CHANGED)
    return read(db, principal, fresh, locale=locale)
