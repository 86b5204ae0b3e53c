"""The kept checks: brought up to date by the nightly step, and completed live for customers not yet kept.

The page and the gaps list read the kept masks (summed in SQL) for customers whose checks still stand, and
check the rest on the spot, so what they show is always as of today; the nightly step keeps them so the rest
stays small (new and changed customers of the day, those with a date due).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.time import utcnow
from bankcrm.quality import repository
from bankcrm.quality.catalogue import fields
from bankcrm.quality.service.assess import Assessment, assess, bits, version
from bankcrm.quality.service.rules import CHUNK, Checker, CustomerData, customer_data


def refresh(db: Session, cipher: FieldCipher, today: date, *, full: bool = False) -> int:
    """Check again every served customer whose kept checks no longer stand (every one: ``full``); how many."""
    ids = repository.customer_ids(db, SYSTEM_PRINCIPAL)
    if not full:
        ids = repository.stale_ids(db, SYSTEM_PRINCIPAL, today, version())
    checker = Checker(db, cipher, today)
    for start in range(0, len(ids), CHUNK):
        held = set(db.identity_map.keys())
        now = utcnow()
        rows = [_row(data, assess(checker, data), now) for data in customer_data(db, ids[start : start + CHUNK], today)]
        repository.store_checks(db, rows)
        db.flush()
        _release(db, held)
    return len(ids)


def live(
    db: Session,
    cipher: FieldCipher,
    principal: Principal,
    today: date,
    *,
    under_path: str | None = None,
    manager_id: int | None = None,
) -> Iterator[tuple[CustomerData, Assessment]]:
    """The customers in scope whose kept checks do not stand, checked now (nothing is written)."""
    ids = repository.stale_ids(db, principal, today, version(), under_path=under_path, manager_id=manager_id)
    checker = Checker(db, cipher, today)
    for data in customer_data(db, ids, today):
        yield data, assess(checker, data)


@dataclass
class Tally:
    """The customers of one home unit and kind: how many, and per field (catalogue order) how many complete, valid."""

    customers: int = 0
    complete: list[int] = field(default_factory=lambda: [0] * len(fields()))
    valid: list[int] = field(default_factory=lambda: [0] * len(fields()))


def tally(
    db: Session, cipher: FieldCipher, principal: Principal, today: date, *, under_path: str | None = None
) -> dict[tuple[int, str], Tally]:
    """Per (home unit, kind), the checks of the served customers in scope as of today: kept ones summed by the
    database, the others checked now."""
    order = [bits()[f.key] for f in fields()]
    out: dict[tuple[int, str], Tally] = {}
    for unit_id, kind, customers, complete, valid in repository.mask_sums(
        db, principal, today, version(), order, under_path=under_path
    ):
        out[(unit_id, kind)] = Tally(customers, complete, valid)
    for _, a in live(db, cipher, principal, today, under_path=under_path):
        t = out.setdefault((a.home_unit_id, a.kind), Tally())
        t.customers += 1
        for i, bit in enumerate(order):
            t.complete[i] += bool(a.complete_mask & bit)
            t.valid[i] += bool(a.valid_mask & bit)
    return out


def _row(data: CustomerData, a: Assessment, now: Any) -> dict[str, Any]:
    return {
        "customer_id": a.customer_id,
        "kind": a.kind,
        "complete_mask": a.complete_mask,
        "valid_mask": a.valid_mask,
        "recheck_on": a.recheck_on,
        "version": version(),
        "customer_updated_at": data.customer.updated_at,
        "checked_at": now,
    }


def _release(db: Session, held: set[Any]) -> None:
    """Let go of the objects a chunk loaded (a bank-wide run would otherwise hold every customer in memory);
    what the session held before stays."""
    loaded: Sequence[Any] = [db.identity_map.get(key) for key in list(db.identity_map.keys()) if key not in held]
    for obj in loaded:
        if obj is not None and obj in db:
            db.expunge(obj)
