"""The checker's side of maker-checker: approve or reject a change request."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service.scope_audit import denied, out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.customers import repository
from bankcrm.customers.schemas import Decision
from bankcrm.customers.service import intake, records
from bankcrm.db import Prepared
from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit import workers
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.kit.validators import cif_number
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import (
    ChangeRequest,
    ChangeRequestStatus,
    CorporateProfile,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    FieldChange,
    IndividualProfile,
)
from bankcrm.workflow import service as workflow_service

WORKFLOW = "change_request"
ALREADY_DECIDED = N_("This request has already been decided.")

INDIVIDUAL_FIELDS = [
    "gender",
    "birth_date",
    "nationality",
    "ethnicity",
    "id_issue_date",
    "id_expiry_date",
    "marital_status",
    "education",
    "employer",
    "industry",
    "occupation",
    "position",
    "employed_since",
    "income_band",
    "household_size",
    "dependants",
    "home_ownership",
]
CORPORATE_FIELDS = [
    "company_type",
    "legal_rep_name",
    "capital_currency",
    "established_on",
    "operating_term_to",
    "business_scope",
    "registered_address",
    "registration_authority",
    "licence_expiry",
    "industry_section",
    "industry_division",
    "enterprise_size",
    "listed",
    "stock_code",
]
DATE_FIELDS = frozenset(
    [
        "birth_date",
        "id_issue_date",
        "id_expiry_date",
        "employed_since",
        "established_on",
        "operating_term_to",
        "licence_expiry",
    ]
)


def get_request(db: Session, principal: Principal, request_id: int) -> ChangeRequest:
    """A request the principal may see: their own, or one in a unit they cover as a checker (else 404)."""
    request = repository.change_request(db, request_id)
    if request is None or not (
        request.maker_id == principal.user_id
        or (principal.can("customer.approve") and unit_service.covers(principal, request.home_unit))
    ):
        raise NotFound(
            N_("Change request not found."),
            audit=out_of_scope(principal, "change_request", request_id, request is not None),
        )
    return request


def status_labels(db: Session, locale: str) -> dict[str, str]:
    """Change request statuses' labels in the reader's language, in the workflow's display order."""
    return workflow_service.labels(db, WORKFLOW, locale)


def can_decide(db: Session, principal: Principal, status: str) -> bool:
    """Whether the catalogue lets the principal move a request in ``status`` anywhere (the decision form)."""
    return bool(workflow_service.moves_open_to(db, principal, WORKFLOW, status))


def payload_of(cipher: FieldCipher, request: ChangeRequest) -> dict[str, Any]:
    """The requested values in clear (for applying them on approval)."""
    data: dict[str, Any] = json.loads(
        cipher.decrypt(request.payload_enc, aad_for("change_request", "payload", request.id))
    )
    return data


def decide(
    db: Session, principal: Principal, cipher: FieldCipher, request_id: int, decision: Decision
) -> ChangeRequest:
    """Approve (apply) or reject (with a reason) a submitted request; never one's own.

    A request outside the caller's view is a 404 (audited) before any permission is discussed.
    """
    request = get_request(db, principal, request_id)
    if not principal.can("customer.approve"):
        raise Forbidden(audit=denied(principal, f"decide change request {request_id}", "customer.approve"))
    if request.status != ChangeRequestStatus.SUBMITTED:
        raise Conflict(ALREADY_DECIDED)  # before the maker check: a decided request is answered the same to all
    if request.maker_id is not None and request.maker_id == principal.user_id:
        raise Forbidden(N_("You cannot approve or reject your own request."))
    if not decision.approve and not decision.reason:
        raise ValidationFailed(errors=[FieldError("reason", N_("Give a reason for the rejection."))])
    wanted = ChangeRequestStatus.APPROVED if decision.approve else ChangeRequestStatus.REJECTED
    workflow_service.move(db, principal, WORKFLOW, request, wanted, decision.reason, refusal=ALREADY_DECIDED)
    request.checker_id, request.checker_name = principal.user_id, principal.username
    request.reason, request.decided_at = decision.reason, utcnow()
    if decision.approve:
        payload = payload_of(cipher, request)
        if request.kind == "create":
            customer = _create_customer(db, principal, cipher, request, payload)
            request.customer = customer
        else:
            assert request.customer is not None
            _apply_update(db, principal, cipher, request, request.customer, payload)
    audit_service.record(
        db,
        Actor.of(principal),
        "change_request.approve" if decision.approve else "change_request.reject",
        entity_type="change_request",
        entity_id=request.id,
        detail=f"{request.kind} {request.customer.cif_no if request.customer else ''}".strip()
        + (f"; reason: {decision.reason}" if decision.reason else ""),
    )
    db.flush()
    return request


def _create_customer(
    db: Session, principal: Principal, cipher: FieldCipher, request: ChangeRequest, p: dict[str, Any]
) -> Customer:
    """Make the customer a request describes; it gets its CIF number now."""
    # The number might have been taken since submission (another request approved first).
    number = p.get("id_no") if request.customer_kind == "individual" else p.get("uscc")
    if number:  # an individual delivered by a source system may come without an ID document
        _recheck_duplicate(db, principal, cipher, request, p.get("id_type"), number, p.get("id_country"))
    return build_customer(db, principal, cipher, request.customer_kind, p, request.id)


def build_customer(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    kind: str,
    p: dict[str, Any],
    change_request_id: int | None,
    *,
    created_by_source: bool = False,
) -> Customer:
    """A new customer from checked values (an approved request, or a trusted source's delivery): CIF number,
    search keys, encrypted ID and phones, profile, contacts, and its history and audit as made by ``principal``
    (``created_by_source``: one creation history row, not one per field)."""
    customer = Customer(
        cif_no=cif_number(repository.next_counter(db, "cif")),
        kind=kind,
        status=p["status"],
        name_en=p.get("name_en"),
        uscc=p.get("uscc"),
        home_unit_id=p["home_unit_id"],
        account_manager_id=p.get("account_manager_id"),
        source_channel=p.get("source_channel"),
        wechat_id=p.get("wechat_id"),
        preferred_channel=p.get("preferred_channel"),
        preferred_time=p.get("preferred_time"),
    )
    records.set_name(customer, p["name"], p.get("name_en"))
    db.add(customer)
    db.flush()
    if customer.account_manager_id is not None:
        # The manager entered with the customer is its first primary, sole share (docs/assignments.md).
        db.add(
            ManagerAssignment(
                customer_id=customer.id,
                manager_id=customer.account_manager_id,
                role="primary",
                share_bp=10_000,
                valid_from=customer.created_at.date(),
                created_by=principal.user_id,
            )
        )
    if kind == "individual":
        if p.get("id_no"):
            records.set_id_no(cipher, customer, p["id_type"], p["id_no"], p.get("id_country"))
        person = IndividualProfile(customer_id=customer.id, **{f: _value(f, p.get(f)) for f in INDIVIDUAL_FIELDS})
        if p.get("household_income") is not None:
            person.household_income = int(p["household_income"]) * 100  # typed in yuan, kept in fen
        profile: IndividualProfile | CorporateProfile = person
        linked = {
            m["member_cif_no"]: c.id
            for m in p.get("family_members", [])
            if m.get("member_cif_no") and (c := repository.customer_by_cif(db, m["member_cif_no"])) is not None
        }
        records.add_family(db, customer, p.get("family_members", []), linked)
    else:
        profile = CorporateProfile(customer_id=customer.id, **{f: _value(f, p.get(f)) for f in CORPORATE_FIELDS})
        if p.get("registered_capital") is not None:
            # typed in whole yuan (the form) or delivered in yuan with fen (a feed); kept in fen
            profile.registered_capital = int(Decimal(str(p["registered_capital"])) * 100)
        records.add_contact_persons(db, cipher, customer, p.get("contact_persons", []))
    db.add(profile)
    for channel, key in CONTACT_KEYS:
        records.replace_contacts(db, cipher, customer, channel, p.get(key, []))
    created = _created(p)
    records.record_changes(
        db,
        principal,
        customer,
        created,
        action="customer.create",
        change_request_id=change_request_id,
        created_by_source=created_by_source,
    )
    return customer


# What build_customers writes in bulk; a payload with more (a manager, family, contact persons) is built one by one.
NOT_IN_BULK = ("account_manager_id", "family_members", "contact_persons")
CUSTOMER_COLUMNS = (
    "status",
    "uscc",
    "home_unit_id",
    "account_manager_id",
    "source_channel",
    "wechat_id",
    "preferred_channel",
    "preferred_time",
)


def build_customers(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    new: list[tuple[str, dict[str, Any]]],
    later: list[audit_service.Entry] | None = None,
) -> list[int]:
    """Many new customers (a trusted source's delivery), each with exactly the rows ``build_customer`` writes
    (CIF number, name and search keys, encrypted ID, profile, contacts, one creation history row, one audit event as
    ``principal``), written with one multi-row insert per table and batch of the workers; their ids, in order.

    ``later``: the audit events are not chained here but appended to it, one per customer in order, for the caller
    to chain (``record_created``) where they fall among its other events."""
    if any(p.get(k) for _, p in new for k in NOT_IN_BULK):
        if later is not None:
            raise ValueError(f"build_customers: a payload with one of {NOT_IN_BULK} is built one by one")
        return [build_customer(db, principal, cipher, kind, p, None, created_by_source=True).id for kind, p in new]
    if not new:
        return []
    now = utcnow()
    numbers = repository.take_counter_block(db, "cif", len(new))
    ids = repository.reserve_ids(db, Customer, len(new))
    counts = [sum(len(p.get(key, [])) for _, key in CONTACT_KEYS) for _, p in new]
    contact_ids = iter(repository.reserve_ids(db, CustomerContact, sum(counts)))
    items = [
        (kind, p, customer_id, cif_number(number), [next(contact_ids) for _ in range(n)], now, principal)
        for (kind, p), number, customer_id, n in zip(new, numbers, ids, counts, strict=True)
    ]
    # Each batch is written as soon as the workers hand it back, while they build the next ones (the writes and
    # the pure work overlap); batches come in order, so ids, history and the audit chain are as in one go. The
    # workers also turn the rows into the driver's parameters, so this process only hands them over.
    gather = partial(gathered_rows, db.get_bind().dialect.name)
    for part in workers.map_gathered(customer_rows, gather, items, cipher):
        _write_built(db, principal, part, later)
    return ids


def _write_built(
    db: Session, principal: Principal, built: GatheredRows, later: list[audit_service.Entry] | None = None
) -> None:
    """Insert a batch of new customers' rows (``gathered_rows``), table by table, and chain their audit events
    (or keep them in ``later``)."""
    tables, events = built
    for model, prepared in zip(BULK_TABLES, tables, strict=True):
        repository.insert_prepared_rows(db, model, prepared)
    if later is not None:
        later.extend(events)
        return
    record_created(db, principal, events)


def record_created(db: Session, principal: Principal, events: list[audit_service.Entry]) -> None:
    """Chain the audit events of customers ``build_customers`` made, kept for ``later``."""
    audit_service.record_many(db, Actor.of(principal), "customer.create", events)


# The tables a batch of new customers is written to, in this order (the customer first: the others refer to it).
BULK_TABLES = (Customer, CustomerSearchKey, IndividualProfile, CorporateProfile, CustomerContact, FieldChange)
GatheredRows = tuple[list[Prepared], list[audit_service.Entry]]


def gathered_rows(dialect: str, built: list[CustomerRows]) -> GatheredRows:
    """A batch of ``customer_rows`` gathered table by table (``BULK_TABLES``) as the driver's parameters for
    database ``dialect``, and their audit entries: the per-row work of the write, done in the worker."""
    customers: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    companies: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    events: list[audit_service.Entry] = []
    for row, its_keys, person, company, its_contacts, its_history, event in built:
        customers.append(row)
        keys += its_keys
        if person:
            people.append(person)
        if company:
            companies.append(company)
        contacts += its_contacts
        history += its_history
        events.append(event)
    rows = (customers, keys, people, companies, contacts, history)
    tables = [repository.prepared_rows(dialect, m, r) for m, r in zip(BULK_TABLES, rows, strict=True)]
    return tables, events


CONTACT_KEYS = (("phone", "phones"), ("email", "emails"), ("address", "addresses"))
NO_ID = {"id_type": None, "id_country": None, "id_no_enc": None, "id_no_index": None, "id_no_masked": None}
CustomerItem = tuple[str, dict[str, Any], int, str, list[int], datetime, Principal]
CustomerRows = tuple[
    dict[str, Any],
    list[dict[str, Any]],
    dict[str, Any] | None,
    dict[str, Any] | None,
    list[dict[str, Any]],
    list[dict[str, Any]],
    audit_service.Entry,
]


def customer_rows(cipher: FieldCipher | None, item: CustomerItem) -> CustomerRows:
    """One new customer's rows as ``build_customer`` writes them (customer, search keys, profile, contacts,
    history, audit entry), from its values, ids, CIF number and time alone: the pure part of ``build_customers``,
    which a large load splits over worker processes (kit/workers.py)."""
    assert cipher is not None
    kind, p, customer_id, cif_no, contact_ids, now, principal = item
    row: dict[str, Any] = {"id": customer_id, "cif_no": cif_no, "kind": kind, "created_at": now, "updated_at": now}
    row |= {c: p.get(c) for c in CUSTOMER_COLUMNS}
    row |= records.name_values(p["name"], p.get("name_en"))
    row |= NO_ID
    keys = [{"key": k, "customer_id": customer_id} for k in records.search_keys(p["name"], p.get("name_en"))]
    person = company = None
    if kind == "individual":
        if p.get("id_no"):
            row |= records.id_values(cipher, customer_id, p["id_type"], p["id_no"], p.get("id_country"))
        person = {"customer_id": customer_id} | {f: _value(f, p.get(f)) for f in INDIVIDUAL_FIELDS}
        income = p.get("household_income")
        person["household_income"] = int(income) * 100 if income is not None else None
    else:
        company = {"customer_id": customer_id} | {f: _value(f, p.get(f)) for f in CORPORATE_FIELDS}
        company["listed"] = bool(company["listed"])
        capital = p.get("registered_capital")
        company["registered_capital"] = int(Decimal(str(capital)) * 100) if capital is not None else None
    contacts = []
    ids = iter(contact_ids)
    for channel, key in CONTACT_KEYS:
        for e in p.get(key, []):
            contact_id = next(ids)
            contacts.append(
                {"id": contact_id, "customer_id": customer_id, **records.contact_head(channel, e)}
                | records.contact_value_columns(cipher, contact_id, channel, e)
            )
    shown = records.masked_changes(kind, _created(p))
    history = [records.creation_row(principal, customer_id, shown, now)]  # a source system's customer
    entry = records.audit_entry(cif_no, shown, None)
    return (
        row,
        keys,
        person,
        company,
        contacts,
        history,
        # its changes serialised here, in the worker, not in the loading process
        audit_service.Entry(**(entry | {"changes": audit_service.changes_text(entry["changes"])})),
    )


def _created(p: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """A new customer's history: every value given, as (None, value)."""
    return {
        k: (None, val)
        for k, val in p.items()
        if val not in (None, [], "", False) and k not in ("kind", "acknowledged_duplicates")
    }


def _recheck_duplicate(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    request: ChangeRequest,
    id_type: str | None,
    number: str,
    id_country: str | None = None,
) -> None:
    db.flush()  # this request is no longer submitted, so it does not count as its own duplicate
    intake.refuse_exact_duplicate(db, principal, cipher, request.customer_kind, id_type, number, id_country)


def _apply_update(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    request: ChangeRequest,
    customer: Customer,
    p: dict[str, Any],
) -> None:
    """Apply approved identity fields; history names the request."""
    old = records.identity_values(cipher, customer)
    changes = {f: (old.get(f), p[f]) for f in p if old.get(f) != p[f]}
    document = (p.get("id_type", old["id_type"]), p.get("id_country", old["id_country"]), p.get("id_no", old["id_no"]))
    if document != (old["id_type"], old["id_country"], old["id_no"]) and document[2]:
        _recheck_duplicate(db, principal, cipher, request, document[0], document[2], document[1])
    if "uscc" in p and p["uscc"] != old["uscc"]:
        _recheck_duplicate(db, principal, cipher, request, None, p["uscc"])
    if "name" in p:
        records.set_name(customer, p["name"], customer.name_en)
    for field in ("status", "home_unit_id", "uscc"):
        if field in p:
            setattr(customer, field, p[field])
    if "id_no" in p or "id_type" in p or "id_country" in p:
        records.set_id_no(cipher, customer, document[0] or "", document[2] or "", document[1])
    if "legal_rep_name" in p and customer.corporate is not None:
        customer.corporate.legal_rep_name = p["legal_rep_name"]
    for field in ("birth_date", "gender"):  # identity fields of a delivered record (survivorship)
        if field in p and customer.individual is not None:
            setattr(customer.individual, field, _value(field, p[field]))
    records.record_changes(db, principal, customer, changes, change_request_id=request.id)


def _value(field: str, value: Any) -> Any:
    if field in DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    return value
