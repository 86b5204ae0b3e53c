"""Entering a new customer: validate, guard against duplicates, submit for approval."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers import repository
from bankcrm.customers.schemas import CorporateCreate, IndividualCreate
from bankcrm.customers.service import records
from bankcrm.customers.service import validation as v
from bankcrm.customers.service.errors import DuplicateCustomer, PossibleDuplicates
from bankcrm.customers.service.names import display_name
from bankcrm.customers.service.records import ID_PURPOSE, PHONE_PURPOSE, USCC_PURPOSE, masked
from bankcrm.errors import FieldError, Forbidden, ValidationFailed
from bankcrm.kit import validators
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import today_in
from bankcrm.models.customer import ChangeRequest, Customer

# What the inbox shows of a create request (masked), in this order.
SUMMARY_FIELDS = ("name", "id_type", "id_country", "id_no", "uscc", "legal_rep_name", "status", "home_unit")


def submit_create(
    db: Session, principal: Principal, cipher: FieldCipher, data: IndividualCreate | CorporateCreate, zone: str
) -> ChangeRequest:
    """Check a new customer and file it for a checker; nothing shows as a customer until approved."""
    if not principal.can("customer.write"):
        raise Forbidden()
    errors = v.Collector()
    payload = data.model_dump(mode="json", exclude={"acknowledge_duplicates"})
    today = today_in(zone)
    home = unit_service.unit_for_write(db, principal, data.home_unit_id)
    if home is None:
        errors.add("home_unit_id", N_("Choose a unit inside your part of the bank."))
    if data.account_manager_id is not None and not user_service.is_active_user(db, data.account_manager_id):
        errors.add("account_manager_id", v.MSG_UNKNOWN_CODE)
    if data.account_manager_id is None and "account_manager" in principal.roles:
        payload["account_manager_id"] = principal.user_id  # an account manager enters their own customers
    v.check_codes(db, errors, payload)
    payload["phones"] = v.phones(errors, data.phones)
    payload["emails"] = v.emails(errors, data.emails)
    payload["addresses"] = v.addresses(db, errors, data.addresses)
    if isinstance(data, IndividualCreate):
        _check_individual(db, errors, data, payload, today)
        payload["family_members"] = v.family_members(db, principal, errors, data.family_members)
    else:
        _check_corporate(db, errors, data, payload, today)
    if errors.errors:
        raise ValidationFailed(errors=errors.errors)
    if isinstance(data, IndividualCreate):
        refuse_exact_duplicate(
            db, principal, cipher, "individual", data.id_type, payload["id_no"], payload["id_country"]
        )
        found = _possible_duplicates(db, cipher, data, payload)
        if found and not data.acknowledge_duplicates:
            _stop_on_possible_duplicates(db, principal, found)
        if found:  # kept with the request so the checker sees the warning the maker acknowledged
            payload["acknowledged_duplicates"] = [c.cif_no for c in found]
    else:
        refuse_exact_duplicate(db, principal, cipher, "corporate", None, payload["uscc"])
    return _file(db, principal, cipher, data, payload)


def _check_individual(
    db: Session, errors: v.Collector, data: IndividualCreate, payload: dict[str, Any], today: date
) -> None:
    errors.check("birth_date", lambda: validators.birth_date(data.birth_date, today=today))
    country = v.id_issuer(errors, data.id_type, data.id_country)
    number, rid = v.id_document(errors, data.id_type, data.id_no, country)
    v.match_resident_id(errors, rid, data.birth_date, data.gender)
    v.not_future(errors, "id_issue_date", data.id_issue_date, today)
    v.after(
        errors,
        "id_expiry_date",
        data.id_expiry_date,
        data.id_issue_date,
        v.MSG_EXPIRY_AFTER_ISSUE,
    )
    v.not_future(errors, "employed_since", data.employed_since, today)
    v.after(
        errors,
        "employed_since",
        data.employed_since,
        data.birth_date,
        N_("Employment must start after the date of birth."),
    )
    if data.household_size is not None and data.dependants is not None and data.dependants >= data.household_size:
        errors.add("dependants", N_("Dependants must be fewer than the household size."))
    payload["id_no"] = number
    payload["id_country"] = country


def _check_corporate(
    db: Session, errors: v.Collector, data: CorporateCreate, payload: dict[str, Any], today: date
) -> None:
    code = errors.check("uscc", lambda: validators.uscc(data.uscc))
    v.not_future(errors, "established_on", data.established_on, today)
    v.after(
        errors,
        "licence_expiry",
        data.licence_expiry,
        data.established_on,
        v.MSG_LICENCE_AFTER_ESTABLISHED,
    )
    v.after(
        errors,
        "operating_term_to",
        data.operating_term_to,
        data.established_on,
        N_("The operating term must end after the company was established."),
    )
    if data.listed and not data.stock_code:
        errors.add("stock_code", N_("A listed company needs its stock code."))
    payload["contact_persons"] = v.contact_persons(db, errors, data.contact_persons)
    payload["uscc"] = code
    if data.industry_division:
        payload["industry_section"] = next(
            (c.parent_code for c in catalogue.code_table(db, "industry") if c.code == data.industry_division), None
        )


def _index_of(cipher: FieldCipher, data: IndividualCreate | CorporateCreate, payload: dict[str, Any]) -> str:
    if isinstance(data, IndividualCreate):
        return cipher.blind_index(payload["id_no"], ID_PURPOSE)
    return cipher.blind_index(payload["uscc"], USCC_PURPOSE)


def _possible_duplicates(
    db: Session, cipher: FieldCipher, data: IndividualCreate, payload: dict[str, Any]
) -> list[Customer]:
    phone_indexes = [cipher.blind_index(p["number"], PHONE_PURPOSE) for p in payload["phones"]]
    return list(repository.possible_duplicates(db, data.name, data.birth_date, phone_indexes))


def _stop_on_possible_duplicates(db: Session, principal: Principal, found: list[Customer]) -> None:
    visible = [c for c in found if repository.customer(db, principal, c.cif_no) is not None]
    listed = ", ".join(f"{c.cif_no} {display_name(principal, c)}" for c in visible)
    raise PossibleDuplicates(params={"listed": listed or "-", "hidden": len(found) - len(visible)}, candidates=visible)


def _file(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    data: IndividualCreate | CorporateCreate,
    payload: dict[str, Any],
) -> ChangeRequest:
    home = unit_service.unit_for_write(db, principal, data.home_unit_id)
    assert home is not None
    summary = {f: [None, masked(data.kind, f, payload.get(f))] for f in SUMMARY_FIELDS if payload.get(f) is not None}
    summary["home_unit"] = [None, home.code]
    request = ChangeRequest(
        kind="create",
        customer_kind=data.kind,
        fields=",".join(
            sorted(k for k, val in payload.items() if val not in (None, [], "") and k != "acknowledged_duplicates")
        ),
        id_no_index=_index_of(cipher, data, payload),
        id_country=payload.get("id_country"),
        home_unit_id=home.id,
    )
    return records.file_request(db, principal, cipher, request, payload, summary, f"create {data.kind} customer")


def refuse_exact_duplicate(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    kind: str,
    id_type: str | None,
    number: str,
    id_country: str | None = None,
) -> None:
    """Refuse a second customer with the same ID document (type, issuing country, number) or credit code (or one
    pending approval).

    The existing customer is named only when the maker may see it; otherwise nothing about it leaks.
    """
    if kind == "individual":
        index = cipher.blind_index(number, ID_PURPOSE)
        existing: list[Customer] = repository.customers_by_id_index(db, id_type or "", id_country, index)
    else:
        index = cipher.blind_index(number, USCC_PURPOSE)
        found = repository.customer_by_uscc(db, number)
        existing = [found] if found else []
    field = "id_no" if kind == "individual" else "uscc"
    for c in existing:
        if repository.customer(db, principal, c.cif_no) is not None:
            raise DuplicateCustomer(
                N_("A customer with this number already exists: %(cif_no)s."), field, cif_no=c.cif_no
            )
        raise DuplicateCustomer(N_("A customer with this number already exists in another part of the bank."), field)
    if repository.pending_create_with_id(db, index, id_country if kind == "individual" else None) is not None:
        raise DuplicateCustomer(
            N_("A request to create a customer with this number is already waiting for approval."), field
        )


def check_one(field: str, values: dict[str, str]) -> tuple[str, dict[str, object]] | None:
    """The first problem with one identifier as typed so far (inline form checks); None when fine."""
    errors = v.Collector()
    value = values.get(field, "").strip()
    if not value:
        return None
    if field == "id_no":
        id_type = values.get("id_type") or "RIC"
        country = v.id_issuer(v.Collector(), id_type, values.get("id_country"))
        _, rid = v.id_document(errors, id_type, value, country)
        born = values.get("birth_date") or ""
        v.match_resident_id(
            errors, rid, date.fromisoformat(born) if _is_iso_date(born) else None, values.get("gender") or None
        )
    elif field == "id_country":
        v.id_issuer(errors, values.get("id_type") or "RIC", value)
    elif field == "uscc":
        errors.check(field, partial(validators.uscc, value))
    elif field.startswith("phones."):
        purpose = values.get(field.replace(".number", ".purpose")) or "mobile"
        errors.check(field, partial(validators.mobile if purpose == "mobile" else validators.phone, value))
    elif field.startswith("emails."):
        errors.check(field, partial(validators.email, value))
    if not errors.errors:
        return None
    return errors.errors[0].message, errors.errors[0].params


def on_file(db: Session, principal: Principal, cipher: FieldCipher, field: str, values: dict[str, str]) -> str | None:
    """The CIF of a customer in the viewer's scope already holding this ID number or USCC; None otherwise.

    A holder outside the scope gives None too, so the live check reveals nothing the viewer may not see.
    """
    value = values.get(field, "").strip()
    if field == "id_no" and value:
        id_type = values.get("id_type") or "RIC"
        country = v.id_issuer(v.Collector(), id_type, values.get("id_country"))
        number, _ = v.id_document(v.Collector(), id_type, value, country)
        index = cipher.blind_index(number, ID_PURPOSE) if number else None
        found = repository.customers_by_id_index(db, id_type, country, index) if index else []
    elif field == "uscc" and value:
        holder = repository.customer_by_uscc(db, value.upper())
        found = [holder] if holder else []
    else:
        return None
    visible = [c.cif_no for c in found if repository.customer(db, principal, c.cif_no) is not None]
    return visible[0] if visible else None


def check_identifiers(values: dict[str, str], skip: set[str]) -> list[FieldError]:
    """Problems with the identifiers on a form (ID, USCC, phones, e-mail), except fields in ``skip``."""
    identifiers = ("id_no", "id_country", "uscc")
    fields = [f for f in values if f in identifiers or f.endswith((".number",)) or f.startswith("emails.")]
    out = []
    for field in fields:
        if field in skip or field.endswith(".purpose"):
            continue
        problem = check_one(field, values)
        if problem is not None:
            out.append(FieldError(field, problem[0], dict(problem[1])))
    return out


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
