"""A customer's checks as two bit masks (complete, valid) and the day they may change by themselves.

Bit ``i`` stands for the i-th field of the catalogue (``catalogue.fields()`` order, both kinds together); the
catalogue's ``version`` tells rows written under another catalogue apart. Complete and valid come from
``rules.Checker`` (the form's own validation): the masks only store its answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from bankcrm.quality.catalogue import QualityField, fields
from bankcrm.quality.service.rules import Checker, CustomerData, value_of

# A row is checked again at least this often, whatever else happens (a code withdrawn from a code table, say).
MAX_AGE = timedelta(days=30)
# Rules whose answer changes with the day: "not expired" on the day after the date; the others on the date.
EXPIRES = frozenset({"not_expired"})
ARRIVES = frozenset({"not_future", "birth_date"})


@dataclass(frozen=True)
class Assessment:
    """One customer's checks."""

    customer_id: int
    kind: str
    home_unit_id: int
    complete_mask: int
    valid_mask: int
    recheck_on: date


@cache
def bits() -> dict[str, int]:
    """``kind.field`` → its bit."""
    return {f.key: 1 << i for i, f in enumerate(fields())}


@cache
def version() -> str:
    """What the masks were written under: the catalogue's fields and rules, in order."""
    text = "|".join(f"{f.key}:{f.rule}" for f in fields())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fields_of(kind: str) -> tuple[QualityField, ...]:
    """The checked fields of one customer kind, in display order."""
    return tuple(f for f in fields() if f.kind == kind)


def full_mask(kind: str) -> int:
    """Every bit of one kind's fields set: nothing missing or invalid."""
    return sum(bits()[f.key] for f in fields_of(kind))


def missing_and_invalid(kind: str, complete: int, valid: int) -> tuple[list[QualityField], list[QualityField]]:
    """The kind's fields without a value, and those with a value the form would refuse."""
    own = fields_of(kind)
    missing = [f for f in own if not complete & bits()[f.key]]
    invalid = [f for f in own if complete & bits()[f.key] and not valid & bits()[f.key]]
    return missing, invalid


def assess(checker: Checker, data: CustomerData) -> Assessment:
    """Check one customer as of the checker's day."""
    complete = valid = 0
    for check in checker.checks(data):
        bit = bits()[check.field.key]
        complete |= bit if check.complete else 0
        valid |= bit if check.valid else 0
    customer = data.customer
    return Assessment(
        customer.id, customer.kind, customer.home_unit_id, complete, valid, _recheck_on(data, checker.today)
    )


def _recheck_on(data: CustomerData, today: date) -> date:
    """The first day on which a check of this customer could answer otherwise without the customer changing."""
    days = [today + MAX_AGE]
    for f in fields_of(data.customer.kind):
        value = value_of(f.field, data)
        if not isinstance(value, date):
            continue
        if f.rule in EXPIRES and value >= today:
            days.append(value + timedelta(days=1))
        elif f.rule in ARRIVES and value > today:
            days.append(value)
    for contact in (*data.phones, *data.emails, *data.addresses):
        if contact.valid_to is not None and contact.valid_to >= today:
            days.append(contact.valid_to + timedelta(days=1))  # the contact stops counting the day after
    return min(days)
