"""Customers as a source system delivers them: each row checked by the entry form's own rules, then created,
filed for a checker, or changed field by field (docs/ingest-formats.md "customers", docs/matching.md).

The checks here are the form's (validation.py, kit/validators.py) with the same messages; a problem is
reported on the feed's column name. The matching module decides which delivered values reach the CIF
(survivorship); this module writes them, with history and audit, as made by the source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers import repository
from bankcrm.customers.service import approval, intake, records, survive
from bankcrm.customers.service import validation as v
from bankcrm.customers.service.survive import Survival as Survival  # the feed queues these
from bankcrm.errors import FieldError
from bankcrm.kit import validators
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.models.customer import ChangeRequest, Customer

INDIVIDUAL = "individual"
CORPORATE = "corporate"
KINDS = (INDIVIDUAL, CORPORATE)
# Feed columns for one kind of customer only; a row of the other kind leaves them out.
INDIVIDUAL_ONLY = (
    "id_type",
    "id_country",
    "id_no",
    "id_issue_date",
    "id_expiry_date",
    "birth_date",
    "gender",
    "nationality",
    "ethnicity",
    "marital_status",
    "education",
    "industry",
    "occupation",
    "income_band",
    "employer",
    "position",
)
CORPORATE_ONLY = (
    "uscc",
    "legal_rep_name",
    "company_type",
    "enterprise_size",
    "registered_capital",
    "capital_currency",
    "established_on",
    "licence_expiry",
    "registered_address",
    "business_scope",
    "industry_division",
)
REQUIRED = {INDIVIDUAL: ("birth_date", "gender"), CORPORATE: ("uscc", "legal_rep_name")}
# Coded feed columns: the form's field (validation.CODE_FIELDS) each is checked as.
FEED_CODES = (
    "status",
    "id_type",
    "gender",
    "ethnicity",
    "marital_status",
    "education",
    "industry",
    "occupation",
    "income_band",
    "company_type",
    "enterprise_size",
    "industry_division",
)
MERGED = "MERGED"  # a status only a merge sets
PHONES = {"mobile": "mobile", "phone_home": "home", "phone_work": "work"}  # feed column → phone purpose
ADDRESS_PURPOSE = {INDIVIDUAL: "HOME", CORPORATE: "OFFICE"}

MSG_KIND = N_("Must be individual or corporate.")
MSG_SOURCE_ID = N_("1 to 64 letters, digits, dashes or underscores.")
MSG_REQUIRED = {
    INDIVIDUAL: N_("Required for individual customers."),
    CORPORATE: N_("Required for corporate customers."),
}
MSG_ID_PAIR = N_("The ID type and the ID number go together: give both or neither.")
MSG_COUNTRY_WITHOUT_ID = N_("An issuing country needs an ID type and an ID number.")
MSG_NATIONALITY = N_("Two capital letters (ISO 3166), such as CN.")
MSG_CURRENCY = N_("Three capital letters (ISO 4217), such as CNY.")


def source_principal(source: str) -> Principal:
    """Who a source system's changes are made by, in history and audit: ``source:CODE``."""
    name = f"{records.SOURCE_PREFIX}{source}"
    return dataclasses.replace(SYSTEM_PRINCIPAL, username=name, display_name=name)


def feed_codes(db: Session) -> dict[str, frozenset[str]]:
    """Per coded feed column, the codes the form accepts there (a feed never sets MERGED)."""
    known = v.known_codes(db, FEED_CODES)
    known["status"] = known["status"] - {MERGED}
    return known


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None  # the column's own check reports it


def check_row(row: Mapping[str, str | None], today: date) -> tuple[list[FieldError], dict[str, Any]]:
    """The form's checks of one delivered row that need more than its column (codes and shapes are checked
    column-wise by the feed): every problem, on the feed's column names; and the row's values normalised
    as the form stores them (ID and credit code upper case, phones in E.164), without the other kind's columns.
    """
    errors = v.Collector()
    kind = row.get("kind")
    other = CORPORATE_ONLY if kind == INDIVIDUAL else INDIVIDUAL_ONLY
    values: dict[str, Any] = {k: val for k, val in row.items() if val is not None and k not in other}
    if kind == INDIVIDUAL:
        birth, gender = _day(row.get("birth_date")), row.get("gender")
        id_type, id_no = row.get("id_type"), row.get("id_no")
        if id_no and not id_type:
            errors.add("id_type", MSG_ID_PAIR)
        elif id_type and not id_no:
            errors.add("id_no", MSG_ID_PAIR)
        elif id_type and id_no:
            country = v.id_issuer(errors, id_type, row.get("id_country"))
            number, rid = v.id_document(errors, id_type, id_no, country)
            v.match_resident_id(errors, rid, birth, gender if gender in ("M", "F") else None)
            values["id_no"], values["id_country"] = number, country
        elif row.get("id_country"):
            errors.add("id_country", MSG_COUNTRY_WITHOUT_ID)
        issued = _day(row.get("id_issue_date"))
        v.not_future(errors, "id_issue_date", issued, today)
        v.after(errors, "id_expiry_date", _day(row.get("id_expiry_date")), issued, v.MSG_EXPIRY_AFTER_ISSUE)
        if birth is not None:
            errors.check("birth_date", lambda: validators.birth_date(birth, today=today))
    elif kind == CORPORATE:
        if row.get("uscc"):
            values["uscc"] = errors.check("uscc", partial(validators.uscc, row["uscc"] or ""))
        established = _day(row.get("established_on"))
        v.not_future(errors, "established_on", established, today)
        v.after(errors, "licence_expiry", _day(row.get("licence_expiry")), established, v.MSG_LICENCE_AFTER_ESTABLISHED)
    checks: tuple[tuple[str, Callable[[str], str]], ...] = (
        ("mobile", validators.mobile),
        ("phone_home", validators.phone),
        ("phone_work", validators.phone),
        ("email", validators.email),
    )
    for column, fn in checks:
        if row.get(column):
            values[column] = errors.check(column, partial(fn, row[column] or ""))
    return errors.errors, values


def industry_sections(db: Session) -> dict[str, str | None]:
    """Industry division → its section (the industry code table), for ``customer_fields`` over many rows."""
    return {c.code: c.parent_code for c in catalogue.code_table(db, "industry")}


def customer_fields(
    db: Session, kind: str, values: Mapping[str, Any], sections: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """A checked delivered row as the customer's fields (the names survivorship rules use); absent = not delivered.

    ``sections``: ``industry_sections`` read once for many rows (else read here)."""
    out: dict[str, Any] = {}
    for key in ("name", "name_en", "status"):
        if values.get(key) is not None:
            out[key] = values[key]
    columns = INDIVIDUAL_ONLY if kind == INDIVIDUAL else CORPORATE_ONLY
    for key in columns:
        if values.get(key) is not None:
            out[key] = values[key]
    if "industry_division" in out:
        out["industry_section"] = (sections if sections is not None else industry_sections(db)).get(
            out["industry_division"]
        )
    phones = [
        {"number": values[c], "purpose": purpose, "valid_from": None, "valid_to": None, "preferred": False}
        for c, purpose in PHONES.items()
        if values.get(c)
    ]
    if phones:
        out["phones"] = phones
    if values.get("email"):
        out["emails"] = [{"address": values["email"], "valid_from": None, "valid_to": None, "preferred": False}]
    if values.get("address"):
        out["addresses"] = [
            {
                "purpose": ADDRESS_PURPOSE[kind],
                "text": values["address"],
                "valid_from": None,
                "valid_to": None,
                "preferred": False,
            }
        ]
    return out


def _payload(kind: str, fields: Mapping[str, Any], home_unit_id: int) -> dict[str, Any]:
    """A new customer's values in the shape the form's create request has (approval reads it)."""
    p: dict[str, Any] = {"kind": kind, "status": "ACTIVE", "home_unit_id": home_unit_id}
    if kind == INDIVIDUAL:
        p["nationality"] = "CN"
    else:
        p["capital_currency"] = "CNY"
    p |= dict(fields)
    for key in ("phones", "emails", "addresses"):
        entries = [dict(e) for e in p.get(key, [])]
        if entries:
            entries[0]["preferred"] = True
        p[key] = entries
    return p


def create(
    db: Session, cipher: FieldCipher, source: str, kind: str, fields: Mapping[str, Any], home_unit_id: int
) -> Customer:
    """A trusted source's new customer, created at once as approval would create it, audited as the source."""
    return approval.build_customer(
        db, source_principal(source), cipher, kind, _payload(kind, fields, home_unit_id), None, created_by_source=True
    )


CreatedEvents = list[audit_service.Entry]  # the audit events of new customers, kept to be chained later


def create_many(
    db: Session,
    cipher: FieldCipher,
    source: str,
    new: list[tuple[str, Mapping[str, Any], int]],
    later: CreatedEvents | None = None,
) -> list[int]:
    """A trusted source's new customers (kind, fields, home unit id), created at once in bulk exactly as ``create``
    makes each; their ids, in order (``later``: their audit events kept there, for ``record_created``)."""
    payloads = [(kind, _payload(kind, fields, unit)) for kind, fields, unit in new]
    return approval.build_customers(db, source_principal(source), cipher, payloads, later)


def record_created(source: str, db: Session, events: CreatedEvents) -> None:
    """Chain the audit events of a source's customers ``create_many`` made and kept for later."""
    approval.record_created(db, source_principal(source), events)


def file_create(
    db: Session,
    cipher: FieldCipher,
    source: str,
    kind: str,
    fields: Mapping[str, Any],
    home_unit: tuple[int, str],
) -> ChangeRequest:
    """An untrusted source's new customer, filed for a checker as a create request made by the source."""
    home_unit_id, home_code = home_unit
    p = _payload(kind, fields, home_unit_id)
    number = p.get("id_no") if kind == INDIVIDUAL else p.get("uscc")
    index = None
    if number:
        index = cipher.blind_index(number, records.ID_PURPOSE if kind == INDIVIDUAL else records.USCC_PURPOSE)
    summary = {f: [None, records.masked(kind, f, p.get(f))] for f in intake.SUMMARY_FIELDS if p.get(f) is not None}
    summary["home_unit"] = [None, home_code]
    request = ChangeRequest(
        kind="create",
        customer_kind=kind,
        fields=",".join(sorted(k for k, val in p.items() if val not in (None, [], ""))),
        id_no_index=index,
        id_country=p.get("id_country") if kind == INDIVIDUAL else None,
        home_unit_id=home_unit_id,
    )
    return records.file_request(
        db, source_principal(source), cipher, request, p, summary, f"create {kind} customer from {source}"
    )


def pending_create(cipher: FieldCipher, db: Session, kind: str, fields: Mapping[str, Any]) -> ChangeRequest | None:
    """A create request waiting for a checker with this delivered ID document or credit code."""
    number = fields.get("id_no") if kind == INDIVIDUAL else fields.get("uscc")
    if not number:
        return None
    purpose = records.ID_PURPOSE if kind == INDIVIDUAL else records.USCC_PURPOSE
    country = fields.get("id_country") if kind == INDIVIDUAL else None
    return repository.pending_create_with_id(db, cipher.blind_index(number, purpose), country)


def pending_creates(
    cipher: FieldCipher,
    db: Session,
    delivered: Sequence[tuple[str, Mapping[str, Any]]],
    indexes: Sequence[str | None] | None = None,
) -> list[ChangeRequest | None]:
    """``pending_create`` of many delivered (kind, fields) at once: one query for all (``indexes``: their
    ``identity_index`` when the caller has them already)."""
    if indexes is None:
        indexes = [identity_index(cipher, kind, fields) for kind, fields in delivered]
    found = repository.pending_creates_with_ids(db, [i for i in indexes if i is not None])
    out: list[ChangeRequest | None] = []
    for (kind, fields), index in zip(delivered, indexes, strict=True):
        country = fields.get("id_country") if kind == INDIVIDUAL else None
        # as pending_create: a request filed before countries were recorded counts for any
        waiting = [r for r in found.get(index or "", []) if r.id_country is None or r.id_country == country]
        out.append(waiting[0] if waiting else None)
    return out


def current_values(db: Session, cipher: FieldCipher, customer: Customer) -> dict[str, Any]:
    """A customer's values under the names ``customer_fields`` gives (to compare a delivery with)."""
    out: dict[str, Any] = {k: val for k, val in records.identity_values(cipher, customer).items()}
    out["name_en"] = customer.name_en
    for profile in (customer.individual, customer.corporate):
        if profile is None:
            continue
        for key in (*INDIVIDUAL_ONLY, *CORPORATE_ONLY, "industry_section"):
            if key in ("id_type", "id_country", "id_no", "uscc") or not hasattr(profile, key):
                continue
            value = getattr(profile, key)
            out[key] = value.isoformat() if isinstance(value, date) else value
    if customer.corporate is not None and customer.corporate.registered_capital is not None:
        fen = customer.corporate.registered_capital
        out["registered_capital"] = f"{fen // 100}.{fen % 100:02d}"
    return out


def apply(
    db: Session,
    cipher: FieldCipher,
    source: str,
    customer: Customer,
    direct: Mapping[str, Any],
    identity: Mapping[str, Any],
    pending: set[str] | None = None,
) -> tuple[list[str], ChangeRequest | None]:
    """Set the delivered values survivorship lets through at once (history and audit as the source); file the
    identity values that differ as one change request for a checker (nothing of them changes yet).

    A field already waiting in a request is not filed again; an ID or credit code another customer holds is
    not filed (the two are for a reviewer to merge, not for a checker to approve). ``pending``: the customer's
    ``pending_fields`` as ``pending_fields_of_many`` read them for a chunk (else read here).
    """
    return apply_many(db, cipher, source, [Survival(customer, direct, identity, pending)])[0]


def apply_many(
    db: Session, cipher: FieldCipher, source: str, items: Sequence[Survival]
) -> list[tuple[list[str], ChangeRequest | None]]:
    """``apply`` for many customers (each at most once) with the same rows, written together (survive.py)."""
    return survive.apply_many(db, cipher, source_principal(source), items)


def identity_index(cipher: FieldCipher, kind: str, fields: Mapping[str, Any]) -> str | None:
    """The blind index of a delivered ID document number (individuals) or credit code (corporates)."""
    if kind == INDIVIDUAL:
        return cipher.blind_index(fields["id_no"], records.ID_PURPOSE) if fields.get("id_no") else None
    return cipher.blind_index(fields["uscc"], records.USCC_PURPOSE) if fields.get("uscc") else None


def find_by_identity(db: Session, cipher: FieldCipher, kind: str, fields: Mapping[str, Any]) -> Customer | None:
    """The customer holding the delivered (ID type, issuing country, ID number) or credit code, of the same kind;
    None otherwise."""
    if kind == INDIVIDUAL:
        if not fields.get("id_no") or not fields.get("id_type"):
            return None
        index = cipher.blind_index(fields["id_no"], records.ID_PURPOSE)
        holders = repository.customers_by_id_index(db, fields["id_type"], fields.get("id_country"), index)
        found = [c for c in holders if c.kind == INDIVIDUAL]
        return min(found, key=lambda c: c.id) if found else None
    if not fields.get("uscc"):
        return None
    company = repository.customer_by_uscc(db, fields["uscc"])
    return company if company is not None and company.kind == CORPORATE else None


def find_many_by_identity(
    db: Session,
    cipher: FieldCipher,
    delivered: Sequence[tuple[str, Mapping[str, Any]]],
    known: Sequence[str | None] | None = None,
) -> list[int | None]:
    """``find_by_identity`` of many delivered (kind, fields) at once (one query per kind): the customers' ids
    (``known``: their ``identity_index`` when the caller has them already)."""
    indexes: list[str | None] = []
    for i, (kind, fields) in enumerate(delivered):
        wanted = kind == INDIVIDUAL and fields.get("id_no") and fields.get("id_type")
        if not wanted:
            indexes.append(None)
        else:
            indexes.append(known[i] if known is not None else cipher.blind_index(fields["id_no"], records.ID_PURPOSE))
    # keyed by the whole document: (type, issuing country, number); a document without a country matches one
    holders: dict[tuple[str | None, str | None, str], int] = {}
    for customer_id, kind, id_type, country, held in repository.customers_by_id_indexes(db, [i for i in indexes if i]):
        if kind == INDIVIDUAL and customer_id < holders.get((id_type, country, held), customer_id + 1):
            holders[(id_type, country, held)] = customer_id
    codes = [f["uscc"] for k, f in delivered if k != INDIVIDUAL and f.get("uscc")]
    companies = repository.customers_by_usccs(db, codes) if codes else {}
    out: list[int | None] = []
    for (kind, fields), index in zip(delivered, indexes, strict=True):
        if kind == INDIVIDUAL:
            out.append(holders.get((fields.get("id_type"), fields.get("id_country"), index)) if index else None)
            continue
        company = companies.get(fields["uscc"]) if fields.get("uscc") else None
        out.append(company[0] if company is not None and company[1] == CORPORATE else None)
    return out


def pending_fields_of_many(db: Session, ids: list[int]) -> dict[int, set[str]]:
    """The fields of each customer's submitted, undecided requests (every id a key), read at once."""
    return repository.pending_fields_of_many(db, ids)


def preload_customers(db: Session, ids: list[int]) -> list[Customer]:
    """Read these customers with their profiles into the session at once (a chunk's linked customers); the caller
    keeps the list while it works on them (the session holds them weakly)."""
    return repository.customers_with_profiles(db, ids)


def customer_by_id(db: Session, customer_id: int) -> Customer | None:
    """One customer by row id, regardless of scope (a source record's link)."""
    return repository.customer_by_id(db, customer_id)
