"""A source system's surviving values written to many linked customers at once (a delivery's chunk).

The rows are exactly those applying the customers one at a time writes (``delivered.apply`` is this with one
customer): changed fields with their history rows and one ``customer.update`` event each, contacts of a
delivered channel replaced, identity values that differ filed as one change request each. Only the writing is
set-wise: the changed customer and profile columns go out in one flush, contacts in one delete per channel and
one insert (ids reserved, each phone encrypted bound to its id), history in one insert, requests in one flush,
and every audit event through ``record_many`` in the order the customers came (the chain as one by one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers import repository
from bankcrm.customers.service import edit, intake, records
from bankcrm.customers.service.errors import DuplicateCustomer
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.time import utcnow
from bankcrm.models.customer import ChangeRequest, Customer, CustomerContact, FieldChange

INDIVIDUAL, CORPORATE = "individual", "corporate"
PROFILE_FIELDS = {
    INDIVIDUAL: (
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
        "income_band",
    ),
    CORPORATE: (
        "company_type",
        "capital_currency",
        "established_on",
        "business_scope",
        "registered_address",
        "licence_expiry",
        "industry_section",
        "industry_division",
        "enterprise_size",
    ),
}
PROFILE_DATES = frozenset({"id_issue_date", "id_expiry_date", "established_on", "licence_expiry"})
# delivered list → (contact channel, the key an entry of that channel is replaced by; None: e-mails are added)
LISTS = (("phones", "phone", "purpose"), ("addresses", "address", "purpose"), ("emails", "email", None))
DOCUMENT = ("id_type", "id_country", "id_no")


@dataclass
class Survival:
    """What survivorship lets through for one linked customer: values to set now, identity values for a checker.

    ``pending``: the customer's ``pending_fields`` when read for the chunk at once (None: read here)."""

    customer: Customer
    direct: Mapping[str, Any]
    identity: Mapping[str, Any]
    pending: set[str] | None = None


@dataclass
class _Writes:
    """A batch's rows, gathered customer by customer and written at the end."""

    history: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[tuple[int, str, list[dict[str, Any]]]] = field(default_factory=list)  # (customer, channel, new)
    requests: list[tuple[ChangeRequest, dict[str, Any], dict[str, Any], str]] = field(default_factory=list)
    # in chain order: an update's event, or the index of a request (its event needs the request's id)
    events: list[audit_service.Entry | int] = field(default_factory=list)


def apply_many(
    db: Session, cipher: FieldCipher, principal: Principal, items: Sequence[Survival]
) -> list[tuple[list[str], ChangeRequest | None]]:
    """Apply each item as made by ``principal``; per item, the fields changed at once and the request filed.

    A customer appears at most once (a second delivery for the same customer is the next batch: it must see
    what the first did)."""
    if not items:
        return []
    assert len({s.customer.id for s in items}) == len(items), "one survival per customer in a batch"
    now = utcnow()
    wanted = [s.customer.id for s in items if any(key in s.direct for key, _, _ in LISTS)]
    held = repository.contacts_of_many(db, wanted) if wanted else {}
    writes = _Writes()
    out: list[tuple[list[str], ChangeRequest | None]] = []
    for s in items:
        customer = s.customer
        changes = _direct(db, cipher, customer, s.direct, held.get(customer.id, []), writes)
        if changes:
            shown = records.masked_changes(customer.kind, changes)
            writes.history += records.history_rows(principal, customer.id, shown, now, None)
            customer.updated_at = now
            entry = records.audit_entry(customer.cif_no, shown, None)
            writes.events.append(audit_service.Entry(**entry, action="customer.update"))
        request = _identity(db, principal, cipher, s, writes)
        out.append((sorted(changes), request))
    _write(db, cipher, principal, writes)
    return out


def _direct(
    db: Session,
    cipher: FieldCipher,
    customer: Customer,
    direct: Mapping[str, Any],
    held: list[CustomerContact],
    writes: _Writes,
) -> dict[str, tuple[Any, Any]]:
    """Set the values that change at once on the customer and its profile; contacts to replace go to ``writes``."""
    changes: dict[str, tuple[Any, Any]] = {}
    if "name_en" in direct and direct["name_en"] != customer.name_en:
        changes["name_en"] = (customer.name_en, direct["name_en"])
        records.set_name(customer, customer.name, direct["name_en"])
    profile: Any = customer.individual if customer.kind == INDIVIDUAL else customer.corporate
    if profile is not None:
        for name in PROFILE_FIELDS[customer.kind]:
            if name not in direct:
                continue
            new = _day(direct[name]) if name in PROFILE_DATES else direct[name]
            if getattr(profile, name) != new:
                changes[name] = (getattr(profile, name), new)
                setattr(profile, name, new)
        if customer.kind == CORPORATE and "registered_capital" in direct:
            fen = int(Decimal(str(direct["registered_capital"])) * 100)
            if profile.registered_capital != fen:
                changes["registered_capital"] = (profile.registered_capital, fen)
                profile.registered_capital = fen
    for key, channel, by in LISTS:
        if key in direct:
            _merge_list(db, cipher, customer, key, channel, direct[key], by, held, changes, writes)
    return changes


def _merge_list(
    db: Session,
    cipher: FieldCipher,
    customer: Customer,
    key: str,
    channel: str,
    delivered: list[dict[str, Any]],
    by: str | None,
    held: list[CustomerContact],
    changes: dict[str, tuple[Any, Any]],
    writes: _Writes,
) -> None:
    """Delivered entries replace the customer's entries of the same purpose (e-mails: added when new)."""
    old = records.current_entries(db, cipher, customer, channel, held)
    if by is not None:
        purposes = {e[by] for e in delivered}
        kept = [e for e in old if e[by] not in purposes]
        fresh = [dict(e) for e in delivered]
    else:
        known = {e["address"] for e in old}
        kept = list(old)
        fresh = [dict(e) for e in delivered if e["address"] not in known]
    new = kept + fresh
    if new and not any(e["preferred"] for e in new):
        new[0]["preferred"] = True
    if _comparable(new) != _comparable(old):
        changes[key] = (old, new)
        writes.contacts.append((customer.id, channel, new))


def _comparable(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(sorted((k, str(val)) for k, val in e.items() if k != "preferred")) for e in entries)


def _identity(
    db: Session, principal: Principal, cipher: FieldCipher, s: Survival, writes: _Writes
) -> ChangeRequest | None:
    """The identity values that differ, not already waiting and not another customer's number: one request.

    The duplicate checks read customers' ID numbers and create requests, which nothing in a batch changes, so
    they answer here as they would one by one."""
    customer = s.customer
    current = records.identity_values(cipher, customer)
    requested = {f: val for f, val in s.identity.items() if val is not None and current.get(f) != val}
    if not requested:
        return None
    pending = s.pending if s.pending is not None else repository.pending_fields(db, customer.id)
    requested = {f: val for f, val in requested.items() if f not in pending}
    if requested.keys() & set(DOCUMENT):  # one document: filed together
        requested.setdefault("id_type", customer.id_type)
        requested.setdefault("id_country", customer.id_country)
        requested.setdefault("id_no", current["id_no"])
    try:
        if requested.get("id_no"):
            number, id_type, country = requested["id_no"], requested.get("id_type"), requested.get("id_country")
            intake.refuse_exact_duplicate(db, principal, cipher, INDIVIDUAL, id_type, number, country)
        if "uscc" in requested:
            intake.refuse_exact_duplicate(db, principal, cipher, CORPORATE, None, requested["uscc"])
    except DuplicateCustomer:
        requested = {f: val for f, val in requested.items() if f not in (*DOCUMENT, "uscc")}
    if not requested:
        return None
    request, summary = edit.identity_request(cipher, customer, requested)
    writes.events.append(len(writes.requests))
    writes.requests.append((request, requested, summary, f"update {customer.cif_no}"))
    return request


def _write(db: Session, cipher: FieldCipher, principal: Principal, writes: _Writes) -> None:
    """The batch's rows: changed columns, contacts, history, requests, then the audit events in order."""
    db.flush()  # the customers' and profiles' changed columns (grouped into a few statements by the flush)
    for channel in ("phone", "address", "email"):
        replaced = [customer_id for customer_id, c, _ in writes.contacts if c == channel]
        if replaced:
            repository.delete_contacts_of_many(db, channel, replaced)
    count = sum(len(new) for _, _, new in writes.contacts)
    contact_ids = iter(repository.reserve_ids(db, CustomerContact, count))
    rows: list[dict[str, Any]] = []
    for customer_id, channel, new in writes.contacts:
        for e in new:
            contact_id = next(contact_ids)
            head = {"id": contact_id, "customer_id": customer_id, **records.contact_head(channel, e)}
            rows.append(head | records.contact_value_columns(cipher, contact_id, channel, e))
    repository.insert_rows(db, CustomerContact, rows)
    repository.insert_rows(db, FieldChange, writes.history)
    request_ids = repository.reserve_ids(db, ChangeRequest, len(writes.requests))
    for (request, payload, summary, _), request_id in zip(writes.requests, request_ids, strict=True):
        request.id = request_id
        records.stamp_request(principal, request, summary)
        records.seal_request(cipher, request, payload)
        db.add(request)
    db.flush()
    entries = [e if isinstance(e, audit_service.Entry) else _request_entry(*writes.requests[e]) for e in writes.events]
    audit_service.record_many(db, Actor.of(principal), "customer.update", entries)


def _request_entry(
    request: ChangeRequest, _: dict[str, Any], summary: dict[str, Any], detail: str
) -> audit_service.Entry:
    return audit_service.Entry(**records.request_audit(request, summary, detail), action="change_request.submit")


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
