"""Leads delivered in bulk (the ``leads`` ingest file type from the website and campaign systems): checked rows
in, the person's duplicates found in one query per chunk, new leads written and assigned by the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.customers.service import records as customer_records
from bankcrm.kit import masking
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.leads import repository
from bankcrm.leads.service import assign
from bankcrm.models.lead import Lead, LeadStatus


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
    references delivered before, and assign them by the rules; returns how many were written."""
    refs = repository.delivered_refs(db, system, [r["ref"] for r in rows])
    fresh = [r for r in rows if r["ref"] not in refs]
    leads = [
        Lead(
            source=r["source"],
            interest=r["interest"],
            customer_id=r["customer_id"],
            prospect_name=r["name"] if r["customer_id"] is None else None,
            amount=r["amount"],
            note=r["note"],
            unit_id=r["unit_id"],
            status=LeadStatus.NEW.value,
            external_system=system,
            external_ref=r["ref"],
            batch_id=batch_id,
            created_at=now,
            updated_at=now,
        )
        for r in fresh
    ]
    db.add_all(leads)
    db.flush()  # ids: the encrypted phones are bound to their rows
    for lead, r in zip(leads, fresh, strict=True):
        if r["customer_id"] is None and r["phone"]:
            lead.phone_enc = cipher.encrypt(r["phone"], aad_for("lead", "phone", lead.id))
            lead.phone_index = cipher.blind_index(r["phone"], customer_records.PHONE_PURPOSE)
            lead.phone_masked = masking.mask_phone(r["phone"])
    assign.by_rules(db, leads, now, zone)
    return len(leads)
