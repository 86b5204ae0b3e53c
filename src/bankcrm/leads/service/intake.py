"""Leads delivered in bulk (the ``leads`` ingest file type from the website and campaign systems): checked rows
in, the person's duplicates found in one query per chunk, new leads written and assigned by the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.customers.service import records as customer_records
from bankcrm.kit import masking
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.leads import repository
from bankcrm.leads.service import rules
from bankcrm.models.lead import LeadStatus


@dataclass(frozen=True)
class Known:
    """What the bank already knows of a chunk: references delivered before, phones of customers or open leads."""

    refs: frozenset[str]
    phones: frozenset[str]


def known(db: Session, cipher: FieldCipher, system: str, refs: list[str], phones: list[str]) -> Known:
    """References this system delivered before, and the phones (E.164) already a customer's or an open lead's."""
    index = {p: cipher.blind_index(p, customer_records.PHONE_PURPOSE) for p in set(phones)}
    taken = repository.taken_phone_indexes(db, set(index.values()))
    return Known(
        frozenset(repository.delivered_refs(db, system, refs)), frozenset(p for p, i in index.items() if i in taken)
    )


def ingest(
    db: Session, cipher: FieldCipher, rows: list[dict[str, Any]], system: str, batch_id: int, now: datetime, zone: str
) -> int:
    """Write new leads (``ref, source, interest, customer_id, unit_id, name, phone, amount, note`` each), skipping
    references delivered before, and assign them by the rules; returns how many were written.

    Set-based: the rules decide every lead in memory (in file order, so the round robins turn as they would lead
    by lead), ids are reserved, and the leads, their spells and moves go in as bulk inserts (COPY on PostgreSQL)
    in the load's transaction: a killed load leaves none of them."""
    refs = repository.delivered_refs(db, system, [r["ref"] for r in rows])
    fresh = [r for r in rows if r["ref"] not in refs]
    if not fresh:
        return 0
    decisions, found = rules.decide(db, [rules.Waiting(r["customer_id"], r["unit_id"], r["interest"]) for r in fresh])
    due = rules.due(db, now, zone)
    ids = repository.reserve_ids(db, len(fresh))
    out = []
    for lead_id, r, d in zip(ids, fresh, decisions, strict=True):
        phone = r["phone"] if r["customer_id"] is None else None
        out.append(
            {
                **_BLANK,
                "id": lead_id,
                "source": r["source"],
                "interest": r["interest"],
                "customer_id": r["customer_id"],
                "prospect_name": r["name"] if r["customer_id"] is None else None,
                "phone_enc": cipher.encrypt(phone, aad_for("lead", "phone", lead_id)) if phone else None,
                "phone_index": cipher.blind_index(phone, customer_records.PHONE_PURPOSE) if phone else None,
                "phone_masked": masking.mask_phone(phone) if phone else None,
                "amount": r["amount"],
                "note": r["note"],
                "unit_id": r["unit_id"],
                "status": (LeadStatus.NEW if d is None else LeadStatus.ASSIGNED).value,
                "assignee_id": None if d is None else d.user_id,
                "assigned_at": None if d is None else now,
                "assigned_by_rule": None if d is None else d.rule,
                "accept_due_at": None if d is None else due,
                "external_system": system,
                "external_ref": r["ref"],
                "batch_id": batch_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    repository.add_leads(db, out)
    given = [(lead_id, d) for lead_id, d in zip(ids, decisions, strict=True) if d is not None]
    rules.record(db, SYSTEM_PRINCIPAL, given, found, now)
    return len(out)


# The columns a delivered lead leaves empty (a bulk insert names every column).
_BLANK: dict[str, Any] = dict.fromkeys(
    (
        "id_type",
        "id_no_enc",
        "id_no_index",
        "id_no_masked",
        "reason",
        "accepted_at",
        "referrer_id",
        "created_by",
        "change_request_id",
        "opportunity_id",
        "converted_at",
    )
)
