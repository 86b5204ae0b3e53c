"""Membership materialised: each rule segment's members recomputed, periods opened and closed, the day's size kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.models.segment import Segment
from bankcrm.segments.repository import segments, sql
from bankcrm.segments.service import spec as specs
from bankcrm.tags.filters import RuleError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshReport:
    """What one run did: segments refreshed (and skipped for a stored rule no longer valid), entries, exits."""

    segments: int
    skipped: int
    entered: int
    left: int
    members: int


def refresh_one(db: Session, row: Segment, *, today: date, month: date | None) -> tuple[int, int, int]:
    """Bring one segment's membership to ``today``: (entered, left, members). A static one keeps its list."""
    if row.kind == "static" or row.spec is None:
        count = segments.open_count(db, row.id)
        segments.record_size(db, row.id, today, count)
        return 0, 0, count
    query = sql.members_query(specs.loaded(row.spec), month=month, today=today)
    entered, left, members = segments.sync_members(db, row.id, query, today)
    segments.record_size(db, row.id, today, members)
    return entered, left, members


def refresh(db: Session, *, today: date) -> RefreshReport:
    """Every saved segment brought to ``today``, one run at a time."""
    segments.lock(db)
    month = segments.newest_month(db)
    done = skipped = entered = left = members = 0
    for row in segments.segments(db):
        try:
            e, gone, n = refresh_one(db, row, today=today, month=month)
        except RuleError:  # the catalogue dropped a feature the rule names: left as it was, said in the log
            log.warning("segment %s: stored rule no longer valid, membership kept", row.id)
            skipped += 1
            continue
        done, entered, left, members = done + 1, entered + e, left + gone, members + n
    if entered or left:
        segments.analyse(db)
    return RefreshReport(done, skipped, entered, left, members)
