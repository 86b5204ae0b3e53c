"""One customer's checked fields: complete (a value is present) and valid (the customer form's validation accepts it).

Every validity rule calls the form's own checks (bankcrm.customers.service.validation and kit.validators), so
the page counts as invalid exactly what the form would refuse today; only "not expired" is the page's own rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from bankcrm.customers.schemas import EmailIn, PhoneIn
from bankcrm.customers.service import records, validation
from bankcrm.kit import validators
from bankcrm.kit.crypto import DecryptionFailed, FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.models.customer import ContactPerson, Customer, CustomerContact
from bankcrm.quality import repository
from bankcrm.quality.catalogue import QualityField, fields

CHUNK = 500  # customers read per round trip
MSG_EXPIRED = N_("This document has expired.")
MSG_INVALID_PHONE = N_("This phone number is not valid.")  # the form's own message (kit.validators)


@dataclass
class CustomerData:
    """A customer with the contact details the checks read."""

    customer: Customer
    phones: list[CustomerContact] = field(default_factory=list)
    emails: list[CustomerContact] = field(default_factory=list)
    addresses: list[CustomerContact] = field(default_factory=list)
    persons: list[ContactPerson] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Check:
    """One field of one customer."""

    field: QualityField
    complete: bool
    valid: bool


class Checker:
    """Applies the catalogue's rules; code look-ups are asked once per distinct value."""

    def __init__(self, db: Session, cipher: FieldCipher, today: date) -> None:
        self.db = db
        self.cipher = cipher
        self.today = today
        self._codes: dict[tuple[str, str], bool] = {}
        self._phones: dict[tuple[str, int], bool] = {}  # a phone is checked once though two fields read it
        self._fields: dict[str, list[QualityField]] = defaultdict(list)
        for f in fields():
            self._fields[f.kind].append(f)

    def checks(self, data: CustomerData) -> list[Check]:
        """Every checked field of the customer's kind."""
        return [self.check(f, data) for f in self._fields[data.customer.kind]]

    def check(self, f: QualityField, data: CustomerData) -> Check:
        """Complete and valid for one field."""
        value = value_of(f.field, data)
        complete = _present(value)
        valid = complete and self._valid(f, value, data)
        return Check(f, complete, valid)

    def _valid(self, f: QualityField, value: Any, data: CustomerData) -> bool:
        errors = validation.Collector()
        try:
            self._apply(f, value, data, errors)
        except (DecryptionFailed, ValidationError):
            return False
        return not errors.errors

    def _apply(self, f: QualityField, value: Any, data: CustomerData, errors: validation.Collector) -> None:
        customer = data.customer
        rule = f.rule
        if rule == "present":
            return
        if rule == "code":
            key = (f.field, value)
            if key not in self._codes:
                probe = validation.Collector()
                validation.check_codes(self.db, probe, {f.field: value})
                self._codes[key] = not probe.errors
            if not self._codes[key]:
                errors.add(f.field, validation.MSG_UNKNOWN_CODE)
        elif rule == "id_document":
            id_no = records.id_no_of(self.cipher, customer) or ""
            # a document needing an issuing country (a passport) recorded without one is not valid
            country = validation.id_issuer(errors, customer.id_type or "", customer.id_country)
            _, rid = validation.id_document(errors, customer.id_type or "", id_no, country)
            profile = customer.individual
            if profile is not None:
                validation.match_resident_id(errors, rid, profile.birth_date, profile.gender)
        elif rule == "not_expired":
            if value < self.today:
                errors.add(f.field, MSG_EXPIRED)
        elif rule == "not_future":
            validation.not_future(errors, f.field, value, self.today)
        elif rule == "birth_date":
            errors.check(f.field, partial(validators.birth_date, value, today=self.today))
        elif rule == "uscc":
            errors.check(f.field, partial(validators.uscc, value))
        elif rule == "phones":
            for entry in value:
                if not self._phone_valid(entry):
                    errors.add(f.field, MSG_INVALID_PHONE)
        elif rule == "emails":
            validation.emails(errors, [EmailIn(address=records.contact_value(self.cipher, c)) for c in value])

    def _phone_valid(self, entry: CustomerContact | ContactPerson) -> bool:
        """The form's phone check of one entry (a mobile must be a mobile number), asked once per entry."""
        key = (type(entry).__name__, entry.id)
        if key not in self._phones:
            errors = validation.Collector()
            try:
                validation.phones(errors, [self._phone_in(entry)])
            except (DecryptionFailed, ValidationError):
                errors.add("phones", MSG_INVALID_PHONE)
            self._phones[key] = not errors.errors
        return self._phones[key]

    def _phone_in(self, entry: CustomerContact | ContactPerson) -> PhoneIn:
        if isinstance(entry, ContactPerson):
            return PhoneIn(number=records.contact_person_phone(self.cipher, entry) or "", purpose="work")
        purpose = entry.purpose if entry.purpose in ("mobile", "home", "work") else "work"
        return PhoneIn(number=records.contact_value(self.cipher, entry), purpose=purpose)


def value_of(name: str, data: CustomerData) -> Any:
    """The value a field is checked on: a profile or customer column, or the customer's contact entries."""
    customer = data.customer
    if name == "mobile":
        return [p for p in data.phones if p.purpose == "mobile"]
    if name == "phone":
        return [*data.phones, *(p for p in data.persons if p.phone_enc)]
    if name == "email":
        return data.emails
    if name == "address":
        return data.addresses
    if name == "id_document":
        return customer.id_no_enc if customer.id_type else None
    profile = customer.individual if customer.kind == "individual" else customer.corporate
    if profile is not None and hasattr(profile, name):
        return getattr(profile, name)
    return getattr(customer, name, None)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def customer_data(db: Session, ids: Sequence[int], today: date) -> Iterator[CustomerData]:
    """The customers with their current contacts, persons and source systems, read in chunks."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = {c.id: CustomerData(c) for c in repository.customers(db, chunk)}
        for contact in repository.contacts(db, chunk, today):
            data = by_id[contact.customer_id]
            {"phone": data.phones, "email": data.emails, "address": data.addresses}.get(contact.channel, []).append(
                contact
            )
        for person in repository.contact_persons(db, chunk):
            by_id[person.customer_id].persons.append(person)
        for customer_id, source in repository.sources(db, chunk):
            by_id[customer_id].sources.add(source)
        yield from by_id.values()
