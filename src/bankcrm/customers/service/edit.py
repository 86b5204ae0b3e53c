"""Changing a customer: ordinary fields at once, identity fields through a change request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.customers import repository
from bankcrm.customers.schemas import IDENTITY_FIELDS, CustomerUpdate
from bankcrm.customers.service import intake, records
from bankcrm.customers.service import validation as v
from bankcrm.customers.service.errors import PendingChange
from bankcrm.customers.service.reads import get_customer, visible_cif_no
from bankcrm.errors import Forbidden, ValidationFailed
from bankcrm.kit import validators
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.models.customer import ChangeRequest, Customer

MANAGERS_BY_REQUEST = N_("Account managers change through a manager change request, which needs approval.")

CUSTOMER_COLUMNS = (
    "name_en",
    "account_manager_id",
    "source_channel",
    "wechat_id",
    "preferred_channel",
    "preferred_time",
)
INDIVIDUAL_COLUMNS = [
    "marital_status",
    "education",
    "employer",
    "industry",
    "occupation",
    "position",
    "income_band",
    "household_size",
    "dependants",
    "home_ownership",
]
CORPORATE_COLUMNS = ("company_type", "enterprise_size", "business_scope", "licence_expiry")
CONTACT_LISTS = {"phones": "phone", "emails": "email", "addresses": "address"}
MSG_KIND_ONLY = {
    "individual": N_("This field belongs to individual customers."),
    "corporate": N_("This field belongs to corporate customers."),
}


@dataclass
class ChangeOutcome:
    """What an edit did: fields changed now, and the request filed for the rest (if any)."""

    customer: Customer
    changed: list[str]
    request: ChangeRequest | None


def change_customer(
    db: Session, principal: Principal, cipher: FieldCipher, cif_no: str, data: CustomerUpdate
) -> ChangeOutcome:
    """Apply ordinary fields now; file identity fields for approval (one pending change per field)."""
    if not principal.can("customer.write"):
        raise Forbidden()
    customer = get_customer(db, principal, cif_no)
    given = {f: getattr(data, f) for f in data.model_fields_set}
    errors = v.Collector()
    identity = {f: val for f, val in given.items() if f in IDENTITY_FIELDS}
    direct = {f: val for f, val in given.items() if f not in IDENTITY_FIELDS}
    v.check_codes(db, errors, {f: val for f, val in given.items() if f in v.CODE_FIELDS})
    contacts = {
        "phones": v.phones(errors, data.phones) if data.phones is not None else None,
        "emails": v.emails(errors, data.emails) if data.emails is not None else None,
        "addresses": v.addresses(db, errors, data.addresses) if data.addresses is not None else None,
    }
    people = _check_people(db, principal, errors, customer, data)
    if "account_manager_id" in direct and direct["account_manager_id"] != customer.account_manager_id:
        # Who manages a customer, and with what share, changes only through an approved request.
        errors.add("account_manager_id", MANAGERS_BY_REQUEST)
    requested = _check_identity(db, principal, cipher, errors, customer, identity)
    if errors.errors:
        raise ValidationFailed(errors=errors.errors)
    changed = _apply_direct(db, principal, cipher, customer, direct, contacts | people)
    request = file_identity(db, principal, cipher, customer, requested) if requested else None
    return ChangeOutcome(customer, changed, request)


def _check_people(
    db: Session, principal: Principal, errors: v.Collector, customer: Customer, data: CustomerUpdate
) -> dict[str, list[dict[str, Any]] | None]:
    """Validated family members and contact persons (None: not given); each only for its kind of customer."""
    family, persons = data.family_members, data.contact_persons
    # Links this customer already has stay valid even to a member outside the principal's scope (the edit
    # form posts them back unseen); only a new link must name a customer the principal may read.
    linked = frozenset(
        linked_customer.cif_no
        for m in repository.family_members(db, customer.id)
        if m.member_customer_id and (linked_customer := repository.customer_by_id(db, m.member_customer_id))
    )
    if family is not None and customer.kind != "individual":
        errors.add("family_members", MSG_KIND_ONLY["individual"])
        family = None
    if persons is not None and customer.kind != "corporate":
        errors.add("contact_persons", MSG_KIND_ONLY["corporate"])
        persons = None
    return {
        "family_members": None if family is None else v.family_members(db, principal, errors, family, linked),
        "contact_persons": None if persons is None else v.contact_persons(db, errors, persons),
    }


def _check_identity(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    errors: v.Collector,
    customer: Customer,
    identity: dict[str, Any],
) -> dict[str, Any]:
    """Validated identity values that differ from today's; refuses fields already pending."""
    current = records.identity_values(cipher, customer)
    wanted = {f: val for f, val in identity.items() if val is not None}
    if customer.kind == "individual":
        for field in ("uscc", "legal_rep_name"):
            if field in wanted:
                errors.add(field, MSG_KIND_ONLY["corporate"])
        if "id_no" in wanted or "id_type" in wanted or "id_country" in wanted:
            id_type = wanted.get("id_type", customer.id_type or "")
            # A new type without a country given takes its only issuer (or asks for one), not the old country.
            type_changed = wanted.get("id_type", customer.id_type) != customer.id_type
            given = wanted.get("id_country", None if type_changed else customer.id_country)
            country = v.id_issuer(errors, id_type, given)
            number, rid = v.id_document(errors, id_type, wanted.get("id_no", current["id_no"] or ""), country)
            wanted["id_country"] = country
            profile = customer.individual
            v.match_resident_id(
                errors, rid, profile.birth_date if profile else None, profile.gender if profile else None
            )
            if number is not None:
                wanted["id_no"] = number
    else:
        for field in ("id_type", "id_country", "id_no"):
            if field in wanted:
                errors.add(field, MSG_KIND_ONLY["individual"])
        if "uscc" in wanted:
            wanted["uscc"] = errors.check("uscc", lambda: validators.uscc(wanted["uscc"]))
    if "home_unit_id" in wanted and unit_service.unit_for_write(db, principal, wanted["home_unit_id"]) is None:
        errors.add("home_unit_id", N_("Choose a unit inside your part of the bank."))
    requested = {f: val for f, val in wanted.items() if val != current.get(f)}
    if errors.errors or not requested:
        return requested
    pending = {f for r in repository.pending_requests(db, customer.id) for f in r.fields.split(",")}
    clash = sorted(pending & set(requested))
    if clash:
        raise PendingChange(params={"fields": ", ".join(clash)})
    number = requested.get("id_no", current["id_no"])
    if requested.keys() & {"id_type", "id_country", "id_no"} and number:
        id_type, country = requested.get("id_type", customer.id_type), requested.get("id_country", customer.id_country)
        intake.refuse_exact_duplicate(db, principal, cipher, "individual", id_type, number, country)
    if "uscc" in requested:
        intake.refuse_exact_duplicate(db, principal, cipher, "corporate", None, requested["uscc"])
    return requested


def _apply_direct(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    customer: Customer,
    direct: dict[str, Any],
    lists: dict[str, list[dict[str, Any]] | None],
) -> list[str]:
    """Set ordinary fields and replace the given lists; one history entry per changed field."""
    changes: dict[str, tuple[Any, Any]] = {}
    targets: list[tuple[object, tuple[str, ...] | list[str]]] = [(customer, CUSTOMER_COLUMNS)]
    if customer.individual is not None:
        targets.append((customer.individual, INDIVIDUAL_COLUMNS))
    if customer.corporate is not None:
        targets.append((customer.corporate, CORPORATE_COLUMNS))
    for target, columns in targets:
        for field in columns:
            if field in direct and getattr(target, field) != direct[field]:
                changes[field] = (getattr(target, field), direct[field])
                setattr(target, field, direct[field])
    if "name_en" in changes:
        records.set_name(customer, customer.name, customer.name_en)  # the English name is searchable too
    for key, entries in lists.items():
        if entries is None:
            continue
        old = _current_list(db, cipher, customer, key)
        if old != entries:
            changes[key] = (old, entries)
            _replace_list(db, cipher, customer, key, entries)
    if changes:
        records.record_changes(db, principal, customer, changes)
    return sorted(changes)


def _current_list(db: Session, cipher: FieldCipher, customer: Customer, key: str) -> list[dict[str, Any]]:
    """Today's entries of one list field (phones in clear), shaped like the validated input."""
    if key == "family_members":
        return records.current_family(db, customer)
    if key == "contact_persons":
        return records.current_contact_persons(db, cipher, customer)
    return records.current_entries(db, cipher, customer, CONTACT_LISTS[key])


def _replace_list(
    db: Session, cipher: FieldCipher, customer: Customer, key: str, entries: list[dict[str, Any]]
) -> None:
    """Put validated entries in place of one list field's current ones."""
    if key == "family_members":
        records.replace_family(db, customer, entries)
    elif key == "contact_persons":
        records.replace_contact_persons(db, cipher, customer, entries)
    else:
        records.replace_contacts(db, cipher, customer, CONTACT_LISTS[key], entries)


def file_identity(
    db: Session, principal: Principal, cipher: FieldCipher, customer: Customer, requested: dict[str, Any]
) -> ChangeRequest:
    request, summary = identity_request(cipher, customer, requested)
    return records.file_request(db, principal, cipher, request, requested, summary, f"update {customer.cif_no}")


def identity_request(
    cipher: FieldCipher, customer: Customer, requested: dict[str, Any]
) -> tuple[ChangeRequest, dict[str, Any]]:
    """An update request for these identity values of a customer (not yet filed) and its masked summary."""
    current = records.identity_values(cipher, customer) | {"id_no": customer.id_no_masked}
    summary = {
        f: [
            records.masked(customer.kind, f, current[f]) if f != "id_no" else current[f],
            records.masked(customer.kind, f, val),
        ]
        for f, val in requested.items()
    }
    index = None
    if requested.get("id_no"):
        index = cipher.blind_index(requested["id_no"], records.ID_PURPOSE)
    request = ChangeRequest(
        kind="update",
        customer_kind=customer.kind,
        customer_id=customer.id,
        fields=",".join(sorted(requested)),
        id_no_index=index,
        home_unit_id=customer.home_unit_id,
    )
    return request, summary


def form_values(db: Session, principal: Principal, cipher: FieldCipher, cif_no: str) -> dict[str, Any]:
    """What the edit form shows now: C2 values and personal names (family members', contact persons') are
    left blank, shown masked beside the field; typing replaces them, a blank keeps them."""
    customer = get_customer(db, principal, cif_no)
    values: dict[str, Any] = {
        "name": customer.name if customer.kind == "corporate" else "",
        "name_en": customer.name_en if customer.kind == "corporate" else "",
        "status": customer.status,
        "home_unit_id": customer.home_unit_id,
        "account_manager_id": customer.account_manager_id,
        "source_channel": customer.source_channel,
        "id_type": customer.id_type,
        "id_country": customer.id_country,
        "uscc": customer.uscc,
        "wechat_id": customer.wechat_id,
        "preferred_channel": customer.preferred_channel,
        "preferred_time": customer.preferred_time,
    }
    for row, columns in ((customer.individual, INDIVIDUAL_COLUMNS), (customer.corporate, CORPORATE_COLUMNS)):
        if row is not None:
            values |= {c: getattr(row, c) for c in columns}
    if customer.corporate is not None:
        values["legal_rep_name"] = ""
    values["emails"] = [{"address": e["address"]} for e in records.current_entries(db, cipher, customer, "email")]
    values["addresses"] = [
        {"purpose": a["purpose"], "text": a["text"]} for a in records.current_entries(db, cipher, customer, "address")
    ]
    values["family_members"] = [
        {"name": "", "relation": m.relation, "member_cif_no": visible_cif_no(db, principal, m.member_customer_id)}
        for m in repository.family_members(db, customer.id)
    ]
    values["contact_persons"] = [
        {"role": p.role, "name": "", "phone": None} for p in repository.contact_persons(db, customer.id)
    ]
    return values


def kept_values(db: Session, principal: Principal, cipher: FieldCipher, cif_no: str) -> dict[str, str]:
    """Stored values the edit form leaves blank, by form field: a blank slot keeps them.

    These are people's names and contact persons' phones (never shown in clear) and links to family
    members' customer records that the principal may not see. Only for handling a posted form, never
    to render one.
    """
    customer = get_customer(db, principal, cif_no)
    kept: dict[str, str] = {}
    for i, p in enumerate(repository.contact_persons(db, customer.id)):
        kept[f"contact_persons.{i}.name"] = p.name
        phone = records.contact_person_phone(cipher, p)
        if phone is not None:
            kept[f"contact_persons.{i}.phone"] = phone
    for i, m in enumerate(repository.family_members(db, customer.id)):
        kept[f"family_members.{i}.name"] = m.name
        linked = repository.customer_by_id(db, m.member_customer_id) if m.member_customer_id else None
        if linked is not None and visible_cif_no(db, principal, linked.id) is None:
            kept[f"family_members.{i}.member_cif_no"] = linked.cif_no
    return kept
