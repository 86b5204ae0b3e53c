"""New leads and referrals: checked, refused when the person is already a customer or has an open lead (named
only when the reader may see it), encrypted like the CIF's, then given to a manager by the assignment rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import reads as customer_reads
from bankcrm.customers.service import records as customer_records
from bankcrm.errors import Conflict, FieldError, Forbidden, ValidationFailed
from bankcrm.kit import masking
from bankcrm.kit import validators as v
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.leads import repository
from bankcrm.leads.schemas import CREATE, REFER, LeadCreate, ReferralCreate
from bankcrm.leads.service import assign
from bankcrm.models.customer import Customer
from bankcrm.models.lead import Lead, LeadStatus

UNKNOWN_CODE = N_("Choose one of the listed codes.")
NEED_NAME = N_("Enter the prospect's name, or the CIF number of an existing customer.")
NEED_PHONE = N_("Enter the prospect's phone number, or the CIF number of an existing customer.")
NEED_ID_TYPE = N_("Choose the type of the ID document.")
BAD_UNIT = N_("Choose a unit inside your part of the bank.")
BOTH = N_("Give either the CIF number of a customer or a prospect's details, not both.")
IS_CUSTOMER = N_("This person is already customer %(cif_no)s.")
IS_CUSTOMER_ELSEWHERE = N_("This person is already a customer of the bank, served in another part of the bank.")
HAS_LEAD = N_("Lead #%(id)s is already open for this person.")
HAS_LEAD_ELSEWHERE = N_("A lead is already open for this person in another part of the bank.")
SAME_REF = N_("Lead #%(id)s was already delivered under this reference.")
REFERRAL_SOURCES = {"lobby_manager": "LOBBY"}  # a referrer's role → the lead's source; anyone else: TELLER
DEFAULT_REFERRAL_SOURCE = "TELLER"


@dataclass(frozen=True)
class Person:
    """Who a new lead is about, checked: a customer, or a prospect's name with phone/ID in clear and indexed."""

    customer: Customer | None
    name: str | None = None
    phone: str | None = None
    phone_index: str | None = None
    id_type: str | None = None
    id_no: str | None = None
    id_no_index: str | None = None


def _codes(db: Session, errors: list[FieldError], **given: tuple[str, str | None]) -> None:
    for field, (category, value) in given.items():
        if value is not None and value not in {c.code for c in catalogue.code_table(db, category)}:
            errors.append(FieldError(field, UNKNOWN_CODE))


def _prospect(db: Session, cipher: FieldCipher, data: LeadCreate, errors: list[FieldError]) -> Person:
    phone = id_no = None
    if not data.name:
        errors.append(FieldError("name", NEED_NAME))
    if not data.phone:
        errors.append(FieldError("phone", NEED_PHONE))
    else:
        try:
            phone = v.phone(data.phone)
        except v.InvalidValue as exc:
            errors.append(FieldError("phone", exc.msgid, dict(exc.params)))
    if data.id_no is not None:
        if data.id_type is None:
            errors.append(FieldError("id_type", NEED_ID_TYPE))
        else:
            _codes(db, errors, id_type=("id_type", data.id_type))
            try:
                id_no = v.resident_id(data.id_no).number if data.id_type == "RIC" else data.id_no.upper()
            except v.InvalidValue as exc:
                errors.append(FieldError("id_no", exc.msgid, dict(exc.params)))
    return Person(
        None,
        data.name,
        phone,
        cipher.blind_index(phone, customer_records.PHONE_PURPOSE) if phone else None,
        data.id_type if id_no else None,
        id_no,
        cipher.blind_index(id_no, customer_records.ID_PURPOSE) if id_no else None,
    )


def _refuse_duplicates(db: Session, principal: Principal, person: Person, interest: str) -> None:
    """409 when the CIF or an open lead already has this person; named only when the reader may see it."""
    if person.customer is None:
        for customer in repository.customers_with(db, person.phone_index, person.id_no_index):
            if repository.customer_readable(db, principal, customer.id):
                raise Conflict(IS_CUSTOMER, params={"cif_no": customer.cif_no})
            raise Conflict(IS_CUSTOMER_ELSEWHERE)
    found = repository.open_duplicates(
        db,
        customer_id=person.customer.id if person.customer else None,
        interest=interest,
        phone_index=person.phone_index,
        id_no_index=person.id_no_index,
    )
    for lead in found:
        if repository.lead(db, principal, lead.id) is not None:
            raise Conflict(HAS_LEAD, params={"id": lead.id})
    if found:
        raise Conflict(HAS_LEAD_ELSEWHERE)


def create(
    db: Session, principal: Principal, cipher: FieldCipher, data: LeadCreate, zone: str, *, system: str | None = None
) -> Lead:
    """A new lead, checked, de-duplicated and assigned by the rules; ``system`` names the delivering system
    (an API client or a file's source), whose ``external_ref`` is answered 409 when repeated."""
    if not principal.can(CREATE):
        raise Forbidden()
    errors: list[FieldError] = []
    _codes(db, errors, source=("lead_source", data.source), interest=("lead_interest", data.interest))
    customer = None
    if data.cif_no is not None:
        if data.name or data.phone or data.id_no:
            errors.append(FieldError("cif_no", BOTH))
        if errors:
            raise ValidationFailed(errors=errors)
        customer = customer_reads.get_customer(db, principal, data.cif_no)
        person = Person(customer)
    else:
        person = _prospect(db, cipher, data, errors)
    unit_id = _unit(db, principal, data.unit, customer, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    external = (system or principal.username) if data.external_ref else None
    if external and data.external_ref:
        before = repository.by_external(db, external, data.external_ref)
        if before is not None:
            raise Conflict(SAME_REF, params={"id": before.id})
    _refuse_duplicates(db, principal, person, data.interest)
    lead = _insert(db, principal, cipher, person, data.source, data.interest, data.amount, data.note, unit_id)
    lead.external_system, lead.external_ref = external, data.external_ref
    audit_service.record(db, Actor.of(principal), "lead.created", entity_type="lead", entity_id=lead.id)
    assign.by_rules(db, [lead], utcnow(), zone)
    return lead


def _unit(
    db: Session, principal: Principal, code: str | None, customer: Customer | None, errors: list[FieldError]
) -> int:
    """The unit a lead belongs to: the one named (inside the caller's subtree), else the customer's home unit,
    else the caller's own."""
    if code is not None:
        unit = repository.unit_by_code(db, code)
        if unit is None or unit_service.unit_for_write(db, principal, unit.id) is None:
            errors.append(FieldError("unit", BAD_UNIT))
            return 0
        return unit.id
    if customer is not None:
        return customer.home_unit_id
    return principal.unit_id


def _insert(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    person: Person,
    source: str,
    interest: str,
    amount: int | None,
    note: str | None,
    unit_id: int,
) -> Lead:
    now = utcnow()
    lead = Lead(
        source=source,
        interest=interest,
        customer_id=person.customer.id if person.customer else None,
        prospect_name=person.name,
        amount=amount,
        note=note,
        unit_id=unit_id,
        status=LeadStatus.NEW.value,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    db.add(lead)
    db.flush()  # the id binds the encrypted values to this row
    if person.phone:
        lead.phone_enc = cipher.encrypt(person.phone, aad_for("lead", "phone", lead.id))
        lead.phone_index, lead.phone_masked = person.phone_index, masking.mask_phone(person.phone)
    if person.id_no:
        lead.id_type = person.id_type
        lead.id_no_enc = cipher.encrypt(person.id_no, aad_for("lead", "id_no", lead.id))
        lead.id_no_index, lead.id_no_masked = person.id_no_index, masking.mask_id_number(person.id_no)
    return lead


def refer(db: Session, principal: Principal, cipher: FieldCipher, data: ReferralCreate, zone: str) -> Lead:
    """A referral: a lead for a customer the referrer may see, credited to them, assigned by the rules."""
    if not principal.can(REFER):
        raise Forbidden()
    errors: list[FieldError] = []
    _codes(db, errors, interest=("lead_interest", data.interest))
    if errors:
        raise ValidationFailed(errors=errors)
    customer = customer_reads.get_customer(db, principal, data.cif_no)
    _refuse_duplicates(db, principal, Person(customer), data.interest)
    source = next((REFERRAL_SOURCES[r] for r in principal.roles if r in REFERRAL_SOURCES), DEFAULT_REFERRAL_SOURCE)
    lead = _insert(
        db, principal, cipher, Person(customer), source, data.interest, None, data.note, customer.home_unit_id
    )
    lead.referrer_id = principal.user_id
    audit_service.record(
        db,
        Actor.of(principal),
        "lead.referred",
        entity_type="lead",
        entity_id=lead.id,
        detail=f"{customer.cif_no} {data.interest}",
    )
    assign.by_rules(db, [lead], utcnow(), zone)
    return lead
