"""The phone to call a customer on: masked for the list, in clear only through the audited reveal."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.customers import repository
from bankcrm.customers.service import pii
from bankcrm.customers.service.reads import get_customer
from bankcrm.errors import NotFound
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.models.customer import Customer, CustomerContact

NO_PHONE = N_("No phone number is on file for this customer.")


def _phone(db: Session, customer_id: int, today: date) -> CustomerContact | None:
    """The preferred phone still valid today, else the oldest valid one."""
    valid = [
        c
        for c in repository.contacts(db, customer_id)
        if c.channel == "phone" and c.value_enc and (c.valid_to is None or c.valid_to >= today)
    ]
    return valid[0] if valid else None  # contacts come preferred first, then by id


def masked_phones(db: Session, customers: list[Customer], today: date) -> dict[str, str]:
    """CIF number → the masked phone to call, for customers the caller has already read in scope."""
    out = {}
    for customer in {c.id: c for c in customers}.values():
        phone = _phone(db, customer.id, today)
        if phone is not None:
            out[customer.cif_no] = phone.value_masked
    return out


def phone_to_call(db: Session, principal: Principal, cipher: FieldCipher, cif_no: str, today: date) -> str:
    """The phone (E.164) in clear: needs ``pii.unmask``, audited as the customer page's "Show" is."""
    customer = get_customer(db, principal, cif_no)
    phone = _phone(db, customer.id, today)
    if phone is None:
        raise NotFound(NO_PHONE)
    return pii.unmask(db, principal, cipher, cif_no, "contact", phone.id)
