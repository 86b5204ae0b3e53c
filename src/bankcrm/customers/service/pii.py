"""Revealing one masked value on request (audited), and re-encrypting everything under a new key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers import repository
from bankcrm.customers.service.reads import get_customer
from bankcrm.customers.service.records import contact_value, id_no_of
from bankcrm.errors import Forbidden, NotFound, ValidationFailed
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_

UNMASKABLE = ("name", "id_no", "legal_rep_name", "contact", "contact_person")


def unmask(
    db: Session, principal: Principal, cipher: FieldCipher, cif_no: str, field: str, item_id: int | None = None
) -> str:
    """The clear value of one field (a contact or contact person by id); needs ``pii.unmask``; audited."""
    if not principal.can("pii.unmask"):
        raise Forbidden()
    customer = get_customer(db, principal, cif_no)
    if field not in UNMASKABLE:
        raise ValidationFailed(N_("This field cannot be revealed."))
    value: str | None
    if field == "name":
        value = customer.name
    elif field == "id_no":
        value = id_no_of(cipher, customer)
    elif field == "legal_rep_name":
        value = customer.corporate.legal_rep_name if customer.corporate else None
    elif field == "contact":
        contact = repository.contact(db, customer.id, item_id or 0)
        value = contact_value(cipher, contact) if contact else None
    else:
        person = next((p for p in repository.contact_persons(db, customer.id) if p.id == item_id), None)
        value = (
            cipher.decrypt(person.phone_enc, aad_for("contact_person", "phone", person.id))
            if person and person.phone_enc
            else None
        )
    if value is None:
        raise NotFound()
    audit_service.record(
        db,
        Actor.of(principal),
        "pii.unmask",
        entity_type="customer",
        entity_id=customer.cif_no,
        detail=field if item_id is None else f"{field} {item_id}",
    )
    return value


def rotate_keys(db: Session, cipher: FieldCipher, actor: Actor) -> int:
    """Re-encrypt every value not under the current key version; returns how many were re-encrypted."""
    customers, contacts, persons, requests = repository.all_encrypted(db)
    done = 0
    for c in customers:
        if c.id_no_enc and cipher.needs_rotation(c.id_no_enc):
            c.id_no_enc = cipher.reencrypt(c.id_no_enc, aad_for("customer", "id_no", c.id))
            done += 1
    for k in contacts:
        if k.value_enc and cipher.needs_rotation(k.value_enc):
            k.value_enc = cipher.reencrypt(k.value_enc, aad_for("customer_contact", "value", k.id))
            done += 1
    for p in persons:
        if p.phone_enc and cipher.needs_rotation(p.phone_enc):
            p.phone_enc = cipher.reencrypt(p.phone_enc, aad_for("contact_person", "phone", p.id))
            done += 1
    for r in requests:
        if r.payload_enc and cipher.needs_rotation(r.payload_enc):
            r.payload_enc = cipher.reencrypt(r.payload_enc, aad_for("change_request", "payload", r.id))
            done += 1
    db.flush()
    audit_service.record(
        db, actor, "keys.rotate", detail=f"{done} values re-encrypted under key version {cipher.current_version}"
    )
    return done
