"""Membership materialised: each rule segment's members recomputed, periods opened and closed, the day's size kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.models.segment import Segment
from bankcrm.segments.filters import Group
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
    """Every saved segment brought to ``today``, one run at a time.

    The rule segments are evaluated against one scratch table (live customers with the snapshot figures their
    rules read) built once for the run, instead of joining the customers with the snapshot once a segment."""
    segments.lock(db)
    month = segments.newest_month(db)
    rules: dict[int, Group] = {}
    done = skipped = entered = left = members = 0
    for row in segments.segments(db):
        if row.kind == "static" or row.spec is None:
            n = refresh_one(db, row, today=today, month=month)[2]
            done, members = done + 1, members + n
            continue
        try:
            rules[row.id] = specs.loaded(row.spec)
        except RuleError:  # the catalogue dropped a feature the rule names: left as it was, said in the log
            log.warning("segment %s: stored rule no longer valid, membership kept", row.id)
            skipped += 1
    if rules:
        with segments.scanning(db):
            e, gone, n = _refresh_rules(db, rules, today=today, month=month)
        done, entered, left, members = done + len(rules), entered + e, left + gone, members + n
    if entered or left:
        segments.analyse(db)
    return RefreshReport(done, skipped, entered, left, members)


def _refresh_rules(db: Session, rules: dict[int, Group], *, today: date, month: date | None) -> tuple[int, int, int]:
    """The rule segments against one scratch table: (entered, left, members) summed."""
    features: set[str] = set()
    changes: set[tuple[str, int]] = set()
    for spec in rules.values():
        f, c = sql.wanted(spec)
        features, changes = features | f, changes | c
    over = sql.Scratch(segments.scratch(db, month, features, changes))
    entered = left = members = 0
    for segment_id, spec in rules.items():
        query = sql.scratch_query(spec, over, month=month, today=today)
        e, gone, n = segments.sync_members(db, segment_id, query, today)
        segments.record_size(db, segment_id, today, n)
        entered, left, members = entered + e, left + gone, members + n
    segments.drop_scratch(db)
    return entered, left, members
