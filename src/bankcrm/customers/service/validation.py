"""National-standard checks on customer input; every problem names its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.customers import repository
from bankcrm.customers.schemas import AddressIn, ContactPersonIn, EmailIn, FamilyMemberIn, PhoneIn
from bankcrm.errors import FieldError
from bankcrm.kit import documents, validators
from bankcrm.kit.i18n import N_

# Which code table each coded field draws from.
CODE_FIELDS = {
    "gender": "gender",
    "ethnicity": "ethnicity",
    "id_type": "id_type",
    "marital_status": "marital_status",
    "education": "education",
    "source_channel": "source_channel",
    "status": "customer_status",
    "industry": "industry",
    "occupation": "occupation",
    "income_band": "income_band",
    "home_ownership": "home_ownership",
    "preferred_channel": "contact_channel",
    "preferred_time": "contact_time",
    "company_type": "company_type",
    "enterprise_size": "enterprise_size",
    "industry_division": "industry",
}
MSG_UNKNOWN_CODE = N_("Choose one of the listed values.")
MSG_ID_BIRTH_MISMATCH = N_("The birth date in the ID number (%(date)s) does not match the date of birth.")
MSG_ID_GENDER_MISMATCH = N_("The gender digit in the ID number does not match the gender.")
MSG_NOT_FUTURE = N_("This date cannot be in the future.")
MSG_ONE_PREFERRED = N_("Only one entry can be preferred.")
MSG_UNKNOWN_CIF = N_("No customer has this CIF number.")
MSG_VALID_TO = N_("The end of validity must be after its start.")
MSG_EXPIRY_AFTER_ISSUE = N_("The expiry date must be after the issue date.")
MSG_LICENCE_AFTER_ESTABLISHED = N_("The licence must expire after the company was established.")


class Collector:
    """Gathers field errors so that the user sees all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str, **params: Any) -> None:
        """Record one problem."""
        self.errors.append(FieldError(field, message, params))

    def check(self, field: str, fn: Callable[[], Any]) -> Any:
        """Run a kit validator; turn its InvalidValue into a field error and return None."""
        try:
            return fn()
        except validators.InvalidValue as exc:
            self.add(field, exc.msgid, **exc.params)
            return None


def known_codes(db: Session, fields: Any = None) -> dict[str, frozenset[str]]:
    """Per coded field, the codes it may hold (an industry division: a code with a parent section).

    The form checks each value against these; the customers feed checks whole columns against them.
    """
    out: dict[str, frozenset[str]] = {}
    for field in fields if fields is not None else CODE_FIELDS:
        items = catalogue.code_table(db, CODE_FIELDS[field])
        if field == "industry_division":
            out[field] = frozenset(c.code for c in items if c.parent_code is not None)
        else:
            out[field] = frozenset(c.code for c in items)
    return out


def check_codes(db: Session, errors: Collector, values: dict[str, Any]) -> None:
    """Every coded field holds a code from its table."""
    given = [f for f in CODE_FIELDS if values.get(f) is not None]
    known = known_codes(db, given)
    for field in given:
        if values[field] not in known[field]:
            errors.add(field, MSG_UNKNOWN_CODE)


def check_code(db: Session, errors: Collector, field: str, category: str, value: str) -> None:
    """One coded value (in a list entry) exists in its table."""
    if value not in {c.code for c in catalogue.code_table(db, category)}:
        errors.add(field, MSG_UNKNOWN_CODE)


def id_issuer(errors: Collector, id_type: str, id_country: str | None) -> str | None:
    """The issuing country of the ID document: the one given, checked against the type's issuers
    (reference_data/catalogue/id_document_rule.csv), or the type's only issuer (CN for Chinese documents)."""
    country: str | None = errors.check("id_country", lambda: documents.issuing_country(id_type, id_country))
    return country


def id_document(
    errors: Collector, id_type: str, id_no: str, id_country: str | None = None
) -> tuple[str | None, validators.ResidentId | None]:
    """The normalised document number, and what a resident-ID-style number encodes (birth date, gender).

    Each type's number is checked by its published rule (kit.documents); a foreign national ID card by the rule
    of its issuing country where python-stdnum has one.
    """
    try:
        return documents.document_number(id_type, id_country, id_no)
    except validators.InvalidValue as exc:
        errors.add("id_no", exc.msgid, **exc.params)
        return None, None


def match_resident_id(
    errors: Collector, rid: validators.ResidentId | None, birth: date | None, gender: str | None
) -> None:
    """The birth date and gender encoded in a resident ID agree with the ones entered."""
    if rid is None:
        return
    if birth is not None and rid.birth_date != birth:
        errors.add("id_no", MSG_ID_BIRTH_MISMATCH, date=rid.birth_date.isoformat())
    if gender is not None and rid.gender != gender:
        errors.add("id_no", MSG_ID_GENDER_MISMATCH)


def not_future(errors: Collector, field: str, value: date | None, today: date) -> None:
    """A date that must already have happened."""
    if value is not None and value > today:
        errors.add(field, MSG_NOT_FUTURE)


def after(errors: Collector, field: str, value: date | None, earlier: date | None, message: str) -> None:
    """``value`` lies strictly after ``earlier`` when both are given."""
    if value is not None and earlier is not None and value <= earlier:
        errors.add(field, message)


def phones(errors: Collector, entries: list[PhoneIn]) -> list[dict[str, Any]]:
    """Phones in E.164 (mobiles must be mobile numbers), with validity and one preferred."""
    out = []
    for i, p in enumerate(entries):
        check: Callable[[str], str] = validators.mobile if p.purpose == "mobile" else validators.phone
        number = errors.check(f"phones.{i}.number", partial(check, p.number))
        if p.valid_from and p.valid_to and p.valid_to <= p.valid_from:
            errors.add(f"phones.{i}.valid_to", MSG_VALID_TO)
        out.append({**p.model_dump(mode="json"), "number": number})
    _one_preferred(errors, "phones", out)
    return out


def emails(errors: Collector, entries: list[EmailIn]) -> list[dict[str, Any]]:
    """Normalised e-mail addresses with one preferred."""
    out = []
    for i, e in enumerate(entries):
        address = errors.check(f"emails.{i}.address", partial(validators.email, e.address))
        if e.valid_from and e.valid_to and e.valid_to <= e.valid_from:
            errors.add(f"emails.{i}.valid_to", MSG_VALID_TO)
        out.append({**e.model_dump(mode="json"), "address": address})
    _one_preferred(errors, "emails", out)
    return out


def addresses(db: Session, errors: Collector, entries: list[AddressIn]) -> list[dict[str, Any]]:
    """Addresses of known types with one preferred per type."""
    out = []
    for i, a in enumerate(entries):
        check_code(db, errors, f"addresses.{i}.purpose", "address_type", a.purpose)
        if a.valid_from and a.valid_to and a.valid_to <= a.valid_from:
            errors.add(f"addresses.{i}.valid_to", MSG_VALID_TO)
        out.append(a.model_dump(mode="json"))
    for purpose in {a["purpose"] for a in out}:
        if sum(1 for a in out if a["purpose"] == purpose and a["preferred"]) > 1:
            errors.add("addresses", MSG_ONE_PREFERRED)
    return out


def family_members(
    db: Session,
    principal: Principal,
    errors: Collector,
    entries: list[FamilyMemberIn],
    linked: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Family members of known relations; a linked CIF number must be a customer the principal may read, or
    one already ``linked`` (kept as it is). Out of scope reads as "no customer": the answer never tells
    which CIF numbers exist."""
    out = []
    for i, m in enumerate(entries):
        check_code(db, errors, f"family_members.{i}.relation", "family_relation", m.relation)
        cif_no = (m.member_cif_no or "").strip() or None
        if cif_no is not None and cif_no not in linked and repository.customer(db, principal, cif_no) is None:
            errors.add(f"family_members.{i}.member_cif_no", MSG_UNKNOWN_CIF)
        out.append({**m.model_dump(mode="json"), "member_cif_no": cif_no})
    return out


def contact_persons(db: Session, errors: Collector, entries: list[ContactPersonIn]) -> list[dict[str, Any]]:
    """Contact persons of known roles, their phones (if any) in E.164."""
    out = []
    for i, p in enumerate(entries):
        check_code(db, errors, f"contact_persons.{i}.role", "contact_role", p.role)
        phone = errors.check(f"contact_persons.{i}.phone", partial(validators.phone, p.phone)) if p.phone else None
        out.append({**p.model_dump(mode="json"), "phone": phone})
    return out


def _one_preferred(errors: Collector, field: str, entries: list[dict[str, Any]]) -> None:
    flagged = sum(1 for e in entries if e["preferred"])
    if flagged > 1:
        errors.add(field, MSG_ONE_PREFERRED)
    elif flagged == 0 and entries:
        entries[0]["preferred"] = True  # the first one given is the one to use
