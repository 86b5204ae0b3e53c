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
from bankcrm.quality.catalogue import DUPLICATE_FIELD
from bankcrm.quality.service.rules import Checker, customer_data


@dataclass(frozen=True)
class SnapshotRun:
    """What one run wrote."""

    month_end: date
    customers: int
    rows: int


def month_end_of(day: date) -> date:
    """The last day of ``day``'s month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def take(db: Session, cipher: FieldCipher, today: date) -> SnapshotRun:
    """Every served customer checked as of ``today``, written as the month-end figures of today's month.

    Run again in the same month, it replaces that month's rows: the last run of a month is its month-end.
    """
    month_end = month_end_of(today)
    ids = repository.customer_ids(db, SYSTEM_PRINCIPAL)
    duplicates = repository.in_open_duplicate_reviews(db)
    checker = Checker(db, cipher, today)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for data in customer_data(db, ids, today):
        unit_id = data.customer.home_unit_id
        for check in checker.checks(data):
            row = counts[(unit_id, check.field.key)]
            row[0] += 1
            row[1] += check.complete
            row[2] += check.valid
        dup = counts[(unit_id, DUPLICATE_FIELD)]
        dup[0] += 1
        dup[1] += data.customer.id in duplicates
    rows = [
        DataQualitySnapshot(month_end=month_end, unit_id=unit_id, field=key, customers=c[0], complete=c[1], valid=c[2])
        for (unit_id, key), c in sorted(counts.items())
    ]
    written = repository.replace_month(db, month_end, rows)
    return SnapshotRun(month_end, len(ids), written)
