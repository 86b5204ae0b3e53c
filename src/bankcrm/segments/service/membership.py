"""Membership materialised: each rule segment's members recomputed, periods opened and closed, the day's size kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.models.segment import Segment
from bankcrm.segments.filters import Group
from bankcrm.segments.repository import segments, sql
from bankcrm.segments.service import spec as specs
from bankcrm.tags.filters import RuleError

log = logging.getLogger(__name__)
# PostgreSQL bulk fill of new segments: the customers a statement reads, times the number of new segments (at most
# this many ids gathered by a statement, 8 bytes each: 32 MB were every customer in every segment).
FILL_SPAN = 4_000_000


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


def refresh(db: Session, *, today: date, rebuild: bool | None = None) -> RefreshReport:
    """Every saved segment brought to ``today``, one run at a time.

    The rule segments are evaluated against one scratch table (live customers with the snapshot figures their
    rules read) built once for the run, instead of joining the customers with the snapshot once a segment; new
    segments filled in bulk on PostgreSQL need no scratch table (``_fill_new``).
    ``rebuild``: whether new segments are filled with the table's indexes dropped and built again after (None:
    as ``_rebuilding`` judges)."""
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
            e, gone, n = _refresh_rules(db, rules, today=today, month=month, rebuild=rebuild)
        done, entered, left, members = done + len(rules), entered + e, left + gone, members + n
    if entered or left:
        segments.analyse(db)
    return RefreshReport(done, skipped, entered, left, members)


def _refresh_rules(
    db: Session, rules: dict[int, Group], *, today: date, month: date | None, rebuild: bool | None
) -> tuple[int, int, int]:
    """The rule segments: (entered, left, members) summed. Those with members already first, against one scratch
    table (they compare with their open periods on the indexes); then the new ones (every member enters): in bulk,
    with the table's indexes dropped, by one pass over the customers joined to their snapshot rows (``_fill_new``),
    else one at a time against the scratch table too."""
    held = segments.open_segments(db, rules)  # asked before any segment's rows are written
    fresh = [i for i in rules if i not in held]
    totals = [0, 0, 0]
    queries: dict[int, Any] = {}

    def sync(segment_id: int) -> None:
        _scratch_queries(db, rules, queries, today=today, month=month)
        e, gone, n = segments.sync_members(db, segment_id, queries[segment_id], today, held=segment_id in held)
        segments.record_size(db, segment_id, today, n)
        totals[:] = totals[0] + e, totals[1] + gone, totals[2] + n

    for segment_id in (i for i in rules if i in held):
        sync(segment_id)
    live = {i: sql.members_query(rules[i], month=month, today=today) for i in fresh}
    if fresh and _rebuilding(db, list(live.values()), rebuild):
        with segments.unindexed(db):
            new = {i: rules[i] for i in sorted(fresh)}  # (in id order: so are their periods, a chunk at a time)
            for segment_id, n in _fill_new(db, new, queries, today=today, month=month).items():
                segments.record_size(db, segment_id, today, n)
                totals[:] = totals[0] + n, totals[1], totals[2] + n
    else:
        for segment_id in fresh:
            sync(segment_id)
    if queries:
        segments.drop_scratch(db)
    return totals[0], totals[1], totals[2]


def _scratch_queries(
    db: Session, rules: dict[int, Group], queries: dict[int, Any], *, today: date, month: date | None
) -> None:
    """``queries`` (if still empty): the scratch table built (live customers with the snapshot figures every
    rule reads) and each rule's query over it."""
    if queries:
        return
    features: set[str] = set()
    changes: set[tuple[str, int]] = set()
    for spec in rules.values():
        f, c = sql.wanted(spec)
        features, changes = features | f, changes | c
    over = sql.Scratch(segments.scratch(db, month, features, changes))
    queries.update({i: sql.scratch_query(spec, over, month=month, today=today) for i, spec in rules.items()})


def _fill_new(
    db: Session, rules: dict[int, Group], queries: dict[int, Any], *, today: date, month: date | None
) -> dict[int, int]:
    """New segments filled into the table held without its indexes: members of each. SQLite: one at a time over
    the scratch table. PostgreSQL: the customers read once, a range of ids at a time (``FILL_SPAN`` ÷ the new
    segments customers a range, so that the arrays of ids a statement gathers stay small), every new segment's condition
    evaluated on each row and its ids kept as an array; no scratch table is written and read back fifty times.
    Then one statement writes the arrays segment by segment. Periods numbered from one reserved id
    (``reserve_ids``), the sequence carried on after."""
    next_id = segments.reserve_ids(db)
    if next_id is None:
        _scratch_queries(db, rules, queries, today=today, month=month)
        return {i: segments.fill(db, i, queries[i], today) for i in rules}
    changes: set[tuple[str, int]] = set()
    for spec in rules.values():
        changes |= sql.wanted(spec)[1]
    over = sql.Joined(changes)
    wheres = {i: sql.compile_spec(spec, month=month, today=today, over=over) for i, spec in rules.items()}
    segments.gathering(db)
    for part, (first, end) in enumerate(segments.customer_ranges(db, max(FILL_SPAN // len(rules), 1))):
        segments.gather(db, over.rows(month, first, end), wheres, part)
    filled = dict.fromkeys(rules, 0) | segments.fill_gathered(db, today, next_id)
    segments.release_ids(db, next_id + sum(filled.values()))
    return filled


def _rebuilding(db: Session, queries: list[Any], rebuild: bool | None) -> bool:
    """Whether the new segments' members go in with the indexes dropped and built again (and the table could be
    held for it): on PostgreSQL when they are estimated to add at least as many periods as the table holds (a
    first run, dozens of new segments). Entry at a time, a million customers' entries in the customer index went
    at random into an index larger than the server's buffers, fifty times over; built again, each is one sort.
    The lock keeps readers of memberships waiting until the step commits (a step is one transaction): the nightly
    owns the table then."""
    if rebuild is None:
        if db.get_bind().dialect.name != "postgresql":
            return False  # SQLite keeps its indexes: its first run is within bounds as it is
        rebuild = sum(segments.estimate(db, q) for q in queries) >= segments.rows_held(db)
    return rebuild and segments.take_table(db)
