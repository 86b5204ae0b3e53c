"""The monthly trend: per month-end, home unit and field, the counts; the nightly step rewrites the current month."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.kit.crypto import FieldCipher
from bankcrm.models.quality import DataQualitySnapshot
from bankcrm.quality import repository
from bankcrm.quality.catalogue import DUPLICATE_FIELD, fields
from bankcrm.quality.service import kept


@dataclass(frozen=True)
class SnapshotRun:
    """What one run wrote."""

    month_end: date
    customers: int
    rows: int
    checked: int  # customers checked again (new, changed, or with a date due)


def month_end_of(day: date) -> date:
    """The last day of ``day``'s month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def take(db: Session, cipher: FieldCipher, today: date, *, full: bool = False) -> SnapshotRun:
    """The kept checks brought up to date (every customer again: ``full``), then summed per home unit and field as
    the month-end figures of today's month.

    Run again in the same month, it replaces that month's rows: the last run of a month is its month-end.
    """
    month_end = month_end_of(today)
    checked = kept.refresh(db, cipher, today, full=full)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    catalogue = fields()
    customers = 0
    for (unit_id, kind), t in kept.tally(db, cipher, SYSTEM_PRINCIPAL, today).items():
        customers += t.customers
        for i, f in enumerate(catalogue):
            if f.kind == kind:
                counts[(unit_id, f.key)] = [t.customers, t.complete[i], t.valid[i]]
        counts[(unit_id, DUPLICATE_FIELD)][0] += t.customers
    for unit_id in repository.duplicate_units(db, SYSTEM_PRINCIPAL):
        counts[(unit_id, DUPLICATE_FIELD)][1] += 1
    rows = [
        DataQualitySnapshot(month_end=month_end, unit_id=unit_id, field=key, customers=c[0], complete=c[1], valid=c[2])
        for (unit_id, key), c in sorted(counts.items())
    ]
    written = repository.replace_month(db, month_end, rows)
    return SnapshotRun(month_end, customers, written, checked)
