"""Writing customer rows: encrypted C2 values, contacts, masked history entries."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers import repository
from bankcrm.kit import masking
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.pinyin import pinyin_full, pinyin_initials
from bankcrm.kit.search_keys import keys_for
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import (
    ChangeRequest,
    ChangeRequestStatus,
    ContactPerson,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    FamilyMember,
    FieldChange,
)

ID_PURPOSE = "id_no"  # blind-index purposes: the same number under two purposes gives two indexes
PHONE_PURPOSE = "phone"
USCC_PURPOSE = "uscc"
# Fields whose values are personal names (C1, masked on screen to the family name).
CREATED = "created"  # the history field of a source system's creation (creation_row)
SOURCE_PREFIX = "source:"  # how a source system is named in history and audit (delivered.source_principal)
NAME_FIELDS = frozenset({"name", "name_en", "legal_rep_name"})


def masked(kind: str, field: str, value: Any) -> str | None:
    """How a field's value may be shown or kept in history without ``pii.unmask``."""
    if value is None or value == "":
        return None
    if field == "id_no":
        return masking.mask_id_number(str(value))
    if field in NAME_FIELDS and (kind == "individual" or field == "legal_rep_name"):
        return masking.mask_person_name(str(value))
    if field == "phones":
        return "; ".join(masking.mask_phone(p["number"]) for p in value)
    if field == "emails":
        return "; ".join(e["address"] for e in value)
    if field == "family_members":
        return "; ".join(f"{m['relation']}: {masking.mask_person_name(m['name'])}" for m in value)
    if field == "contact_persons":
        return "; ".join(_masked_person(c) for c in value)
    if field == "addresses":
        return "; ".join(f"{a['purpose']}: {a['text']}" for a in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _masked_person(person: dict[str, Any]) -> str:
    """A contact person as history shows them: role, masked name and masked phone."""
    shown = f"{person['role']}: {masking.mask_person_name(person['name'])}"
    return f"{shown} {masking.mask_phone(person['phone'])}" if person.get("phone") else shown


def name_values(name: str, name_en: str | None = None) -> dict[str, str | None]:
    """A customer's name columns: the name, its pinyin forms."""
    return {"name": name, "name_en": name_en, "name_pinyin": pinyin_full(name), "name_initials": pinyin_initials(name)}


def search_keys(name: str, name_en: str | None = None) -> list[str]:
    """The search keys that find a customer by this name, in the order they are stored."""
    return sorted(keys_for(name, name_en))


def set_name(customer: Customer, name: str, name_en: str | None = None) -> None:
    """Name plus its pinyin forms and the search keys that find it."""
    for column, value in name_values(name, name_en).items():
        setattr(customer, column, value)
    customer.search_keys = [CustomerSearchKey(key=k) for k in search_keys(name, name_en)]


def id_values(
    cipher: FieldCipher, customer_id: int, id_type: str, id_no: str, id_country: str | None
) -> dict[str, str | None]:
    """The ID document columns of customer ``customer_id``: type, issuing country, the number encrypted (bound to
    the row), its index and masked copy."""
    return {
        "id_type": id_type,
        "id_country": id_country,
        "id_no_enc": cipher.encrypt(id_no, aad_for("customer", "id_no", customer_id)),
        "id_no_index": cipher.blind_index(id_no, ID_PURPOSE),
        "id_no_masked": masking.mask_id_number(id_no),
    }


def set_id_no(cipher: FieldCipher, customer: Customer, id_type: str, id_no: str, id_country: str | None) -> None:
    """Encrypt an ID document number into a flushed customer row, with its index and masked copy, and note the
    document's type and issuing country (the three identify the document)."""
    for column, value in id_values(cipher, customer.id, id_type, id_no, id_country).items():
        setattr(customer, column, value)


def id_no_of(cipher: FieldCipher, customer: Customer) -> str | None:
    """The clear ID document number (only for unmasking and approvals)."""
    if customer.id_no_enc is None:
        return None
    return cipher.decrypt(customer.id_no_enc, aad_for("customer", "id_no", customer.id))


def identity_values(cipher: FieldCipher, customer: Customer) -> dict[str, Any]:
    """Today's values of the fields that change only through approval (the ID number in clear)."""
    return {
        "name": customer.name,
        "status": customer.status,
        "home_unit_id": customer.home_unit_id,
        "id_type": customer.id_type,
        "id_country": customer.id_country,
        "id_no": id_no_of(cipher, customer),
        "uscc": customer.uscc,
        "legal_rep_name": customer.corporate.legal_rep_name if customer.corporate else None,
        # identity fields of a delivered record too (survivorship_rule), as the request payload has them
        "birth_date": _iso(customer.individual.birth_date) if customer.individual else None,
        "gender": customer.individual.gender if customer.individual else None,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def replace_contacts(
    db: Session, cipher: FieldCipher, customer: Customer, channel: str, entries: list[dict[str, Any]]
) -> None:
    """Put a fresh set of phones, e-mails or addresses in place of the old one."""
    repository.delete_contacts(db, customer.id, channel)
    for e in entries:
        row = CustomerContact(customer_id=customer.id, value_masked="", **contact_head(channel, e))
        db.add(row)
        db.flush()
        for column, value in contact_value_columns(cipher, row.id, channel, e).items():
            setattr(row, column, value)


def contact_head(channel: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A contact row's channel, purpose, validity and preference, from a validated entry."""
    return {
        "channel": channel,
        "purpose": entry.get("purpose", "email" if channel == "email" else "mobile"),
        "valid_from": _day(entry.get("valid_from")),
        "valid_to": _day(entry.get("valid_to")),
        "preferred": bool(entry.get("preferred")),
    }


def contact_value_columns(cipher: FieldCipher, contact_id: int, channel: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A contact row's value columns: a phone encrypted (bound to row ``contact_id``), indexed and masked;
    an e-mail or address in clear."""
    if channel == "phone":
        return {
            "value": None,
            "value_enc": cipher.encrypt(entry["number"], aad_for("customer_contact", "value", contact_id)),
            "value_index": cipher.blind_index(entry["number"], PHONE_PURPOSE),
            "value_masked": masking.mask_phone(entry["number"]),
        }
    value = entry["address"] if channel == "email" else entry["text"]
    return {"value": value, "value_enc": None, "value_index": None, "value_masked": value}


def current_entries(
    db: Session, cipher: FieldCipher, customer: Customer, channel: str, held: list[CustomerContact] | None = None
) -> list[dict[str, Any]]:
    """A customer's contacts of one channel, in the shape the validated input has (to compare them);
    ``held``: the customer's contacts as ``repository.contacts`` read them just before (else read here)."""
    key = {"phone": "number", "email": "address", "address": "text"}[channel]
    out: list[dict[str, Any]] = []
    for c in held if held is not None else repository.contacts(db, customer.id):
        if c.channel != channel:
            continue
        entry: dict[str, Any] = {key: contact_value(cipher, c)}
        if channel != "email":
            entry["purpose"] = c.purpose
        entry |= {
            "valid_from": c.valid_from.isoformat() if c.valid_from else None,
            "valid_to": c.valid_to.isoformat() if c.valid_to else None,
            "preferred": c.preferred,
        }
        out.append(entry)
    return out


def contact_value(cipher: FieldCipher, contact: CustomerContact) -> str:
    """The clear value of a contact detail."""
    if contact.value_enc is not None:
        return cipher.decrypt(contact.value_enc, aad_for("customer_contact", "value", contact.id))
    return contact.value or ""


def add_family(db: Session, customer: Customer, members: list[dict[str, Any]], linked: dict[str, int]) -> None:
    """Family members, linked to their own customer records where the CIF number resolved."""
    for m in members:
        db.add(
            FamilyMember(
                customer_id=customer.id,
                name=m["name"],
                relation=m["relation"],
                member_customer_id=linked.get(m.get("member_cif_no") or ""),
            )
        )


def add_contact_persons(db: Session, cipher: FieldCipher, customer: Customer, persons: list[dict[str, Any]]) -> None:
    """A company's contact persons; their phones are C2 and stored encrypted."""
    for p in persons:
        row = ContactPerson(customer_id=customer.id, role=p["role"], name=p["name"])
        db.add(row)
        db.flush()
        if p.get("phone"):
            row.phone_enc = cipher.encrypt(p["phone"], aad_for("contact_person", "phone", row.id))
            row.phone_masked = masking.mask_phone(p["phone"])


def current_family(db: Session, customer: Customer) -> list[dict[str, Any]]:
    """An individual's family members in the shape the validated input has (to compare them)."""
    out: list[dict[str, Any]] = []
    for m in repository.family_members(db, customer.id):
        linked = repository.customer_by_id(db, m.member_customer_id) if m.member_customer_id else None
        out.append({"name": m.name, "relation": m.relation, "member_cif_no": linked.cif_no if linked else None})
    return out


def current_contact_persons(db: Session, cipher: FieldCipher, customer: Customer) -> list[dict[str, Any]]:
    """A company's contact persons with clear phones, in the shape the validated input has (to compare them)."""
    return [
        {"role": p.role, "name": p.name, "phone": contact_person_phone(cipher, p)}
        for p in repository.contact_persons(db, customer.id)
    ]


def contact_person_phone(cipher: FieldCipher, person: ContactPerson) -> str | None:
    """The clear phone of a contact person (None when there is none)."""
    if person.phone_enc is None:
        return None
    return cipher.decrypt(person.phone_enc, aad_for("contact_person", "phone", person.id))


def replace_family(db: Session, customer: Customer, members: list[dict[str, Any]]) -> None:
    """Put a fresh list of family members in place of the old one (CIF numbers resolved to links)."""
    for row in repository.family_members(db, customer.id):
        db.delete(row)
    db.flush()
    linked = {
        m["member_cif_no"]: c.id
        for m in members
        if m.get("member_cif_no") and (c := repository.customer_by_cif(db, m["member_cif_no"])) is not None
    }
    add_family(db, customer, members, linked)


def replace_contact_persons(
    db: Session, cipher: FieldCipher, customer: Customer, persons: list[dict[str, Any]]
) -> None:
    """Put a fresh list of contact persons in place of the old one; phones encrypted as on creation."""
    for row in repository.contact_persons(db, customer.id):
        db.delete(row)
    db.flush()
    add_contact_persons(db, cipher, customer, persons)


def record_changes(
    db: Session,
    principal: Principal,
    customer: Customer,
    changes: dict[str, tuple[Any, Any]],
    *,
    action: str = "customer.update",
    change_request_id: int | None = None,
    created_by_source: bool = False,
) -> None:
    """One history row per changed field (one in all for a customer a source system created) and one audit
    event, values masked as they would be on screen."""
    now = utcnow()
    shown = masked_changes(customer.kind, changes)
    rows = (
        [creation_row(principal, customer.id, shown, now)]
        if created_by_source
        else history_rows(principal, customer.id, shown, now, change_request_id)
    )
    for row in rows:
        db.add(FieldChange(**row))
    customer.updated_at = now
    audit_service.record(db, Actor.of(principal), action, **audit_entry(customer.cif_no, shown, change_request_id))


def masked_changes(kind: str, changes: dict[str, tuple[Any, Any]]) -> dict[str, tuple[str | None, str | None]]:
    """Each changed field's old and new value masked as they would be on screen (history and audit keep these)."""
    return {f: (masked(kind, f, old), masked(kind, f, new)) for f, (old, new) in changes.items()}


def history_rows(
    principal: Principal,
    customer_id: int,
    shown: dict[str, tuple[str | None, str | None]],
    now: datetime,
    change_request_id: int | None,
) -> list[dict[str, Any]]:
    """One history row per changed field (``shown``: ``masked_changes``)."""
    return [
        {
            "customer_id": customer_id,
            "field": field,
            "old_value": old,
            "new_value": new,
            "changed_by_id": principal.user_id,
            "changed_by_name": principal.username,
            "changed_at": now,
            "change_request_id": change_request_id,
        }
        for field, (old, new) in shown.items()
    ]


def creation_row(
    principal: Principal, customer_id: int, shown: dict[str, tuple[str | None, str | None]], now: datetime
) -> dict[str, Any]:
    """The one history row of a customer a source system created: how many fields it came with (the audit event
    keeps each value; a feed of a million customers would otherwise write twenty million history rows)."""
    return {
        "customer_id": customer_id,
        "field": CREATED,
        "old_value": None,
        "new_value": str(len(shown)),
        "changed_by_id": principal.user_id,
        "changed_by_name": principal.username,
        "changed_at": now,
        "change_request_id": None,
    }


def audit_entry(
    cif_no: str, shown: dict[str, tuple[str | None, str | None]], change_request_id: int | None
) -> dict[str, Any]:
    """The audit event of a customer change (``audit_service.record``'s keywords; ``shown``: ``masked_changes``)."""
    return {
        "entity_type": "customer",
        "entity_id": cif_no,
        "changes": {f: [old, new] for f, (old, new) in shown.items()},
        "detail": f"change request {change_request_id}" if change_request_id else None,
    }


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def file_request(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    request: ChangeRequest,
    payload: dict[str, Any],
    summary: dict[str, Any],
    detail: str,
) -> ChangeRequest:
    """Store a change request: the values encrypted (bound to its row), a masked summary, an audit event."""
    stamp_request(principal, request, summary)
    request.payload_enc = ""
    db.add(request)
    db.flush()
    seal_request(cipher, request, payload)
    audit_service.record(db, Actor.of(principal), "change_request.submit", **request_audit(request, summary, detail))
    return request


def stamp_request(principal: Principal, request: ChangeRequest, summary: dict[str, Any]) -> None:
    """A request about to be filed: submitted, by ``principal``, with its masked summary."""
    request.status = ChangeRequestStatus.SUBMITTED.value
    request.summary = json.dumps(summary, ensure_ascii=False)
    request.maker_id, request.maker_name = principal.user_id, principal.username


def seal_request(cipher: FieldCipher, request: ChangeRequest, payload: dict[str, Any]) -> None:
    """The requested values encrypted, bound to the request's id (which it must have)."""
    request.payload_enc = cipher.encrypt(
        json.dumps(payload, ensure_ascii=False), aad_for("change_request", "payload", request.id)
    )


def request_audit(request: ChangeRequest, summary: dict[str, Any], detail: str) -> dict[str, Any]:
    """The ``change_request.submit`` audit event of a filed request (``audit_service.record``'s keywords)."""
    return {"entity_type": "change_request", "entity_id": request.id, "changes": summary, "detail": detail}
