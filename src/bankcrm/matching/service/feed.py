"""Customers delivered by a source system: kept as source records, linked to a CIF customer, survivorship applied.

docs/matching.md: a record whose ID document or credit code a CIF customer holds links to it (identity);
any other goes to ``arrival.place`` (linked by score, a review, or a new customer). A new customer from a
trusted source is created at once; from another source it waits as a create request for a checker, and its
source record is linked once approved (at the source's next load). For a linked customer each delivered
field passes its survivorship rule: identity fields that differ become one change request, the others
change at once (most recent, or unless a source of higher priority delivered the field), or never.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.customers.service import delivered
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.time import utcnow
from bankcrm.matching import repository
from bankcrm.matching.schemas import Outcome, Placement
from bankcrm.matching.service import arrival
from bankcrm.matching.service.known import Known
from bankcrm.models.matching import (
    CustomerSource,
    MatchMethod,
    MatchReview,
    MatchReviewKind,
    MatchReviewStatus,
)

IDENTITY = "identity"
SOURCE_PRIORITY = "source_priority"
MOST_RECENT = "most_recent"
NEVER = "never"
ROW = arrival.ROW  # the column of ``raw`` holding each row's line
IDENTITY_INDEX = "_identity_index"  # a row's blind index of its ID or credit code, made once in ``load``
DEFAULT_RULE = SOURCE_PRIORITY  # a field the rule table does not name
ANALYSE_ROWS = 10_000  # a chunk at least this big refreshes the growing tables' statistics (PostgreSQL)
# The source record's columns a delivery sets (what a corrected re-delivery puts back).
SOURCE_COLUMNS = [
    "kind",
    "customer_id",
    "change_request_id",
    "match_method",
    "match_probability",
    "values_enc",
    "values_hash",
    "id_no_index",
    "last_seen",
    "batch_id",
    "updated_at",
]


@dataclass(slots=True)
class NewSource:
    """A new source record, kept out of the session and inserted with the chunk's others at the end (building an
    ORM object for each cost a tenth of a feed's loading process); a review that names it makes it a row at once."""

    id: int
    source: str
    source_customer_id: str
    kind: str
    values_enc: str
    values_hash: str
    id_no_index: str | None
    first_seen: date
    last_seen: date
    batch_id: int | None
    created_at: datetime
    updated_at: datetime
    customer_id: int | None = None
    change_request_id: int | None = None
    match_method: str | None = None
    match_probability: float | None = None
    persisted: bool = False

    def row(self) -> dict[str, Any]:
        """Its values by column."""
        return {c: getattr(self, c) for c in COLUMNS}


Record = CustomerSource | NewSource
COLUMNS = [c.key for c in CustomerSource.__table__.columns]


class UnknownSource(LookupError):
    """The source is not in the source_system catalogue."""


@dataclass
class Delivery:
    """One load of a source's customers: who delivers, on which day, in which batch, and what it did so far."""

    source: str
    business_date: date
    batch_id: int
    trusted: bool
    priority: int
    priorities: dict[str, int]
    rules: dict[str, str]
    created_sources: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Per chunk: customer id → its records from sources of higher priority, read at once (None: read per record).
    higher: dict[int, list[CustomerSource]] | None = None
    # Per chunk: linked customer id → its pending request fields, read at once; taken out when used (a second
    # record of the same customer reads them again: the first may have filed a request).
    pending: dict[int, set[str]] | None = None
    # Survivals waiting to be written together (``_apply``), by customer id in arrival order.
    survivals: dict[int, delivered.Survival] = field(default_factory=dict)
    # The customers this load created so far, compared from memory by the next chunks (``arrival.place``).
    known: Known | None = None

    @property
    def higher_sources(self) -> list[str]:
        """The sources whose values outrank this one's (a lower priority number)."""
        return [code for code, p in self.priorities.items() if p < self.priority]


def start(db: Session, source: str, business_date: date, batch_id: int) -> Delivery:
    """Begin a delivery: its source's configuration; waiting records whose create request was approved get linked."""
    system = repository.source_system(db, source)
    if system is None:
        raise UnknownSource(source)
    repository.link_approved(db)
    priorities = {s.code: s.priority for s in repository.source_systems(db)}
    known = Known(before=repository.newest_customer_id(db))
    rules = repository.rules(db)
    return Delivery(source, business_date, batch_id, system.trusted, system.priority, priorities, rules, known=known)


def known_sources(db: Session) -> list[str]:
    """The codes of the source_system catalogue."""
    return [s.code for s in repository.source_systems(db)]


def existing_ids(db: Session, source: str, keys: list[str]) -> list[int]:
    """Ids of this source's records with these numbers (for the delivery's undo records)."""
    return [s.id for s in repository.sources_by_key(db, source, keys).values()]


def values_hash(kind: str, values: Mapping[str, Any]) -> str:
    """What tells a re-delivery that changes nothing from one that does, without decrypting."""
    text = json.dumps({"kind": kind, **values}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _aad(source: str, key: str) -> str:
    return aad_for("customer_source", "values", f"{source}/{key}")


def delivered_values(cipher: FieldCipher, record: CustomerSource) -> dict[str, Any]:
    """A source record's values as delivered, in clear (C2 inside: only for survivorship and unmasking)."""
    data: dict[str, Any] = json.loads(cipher.decrypt(record.values_enc, _aad(record.source, record.source_customer_id)))
    return data


def load(
    db: Session,
    cipher: FieldCipher,
    delivery: Delivery,
    rows: list[dict[str, Any]],
    home_units: Mapping[str, int],
    raw: pl.DataFrame,
) -> None:
    """Keep, link and apply each checked row (``values``: normalised as the form stores them; ``_row``: its line;
    ``text`` and ``hash``, when given: the values' JSON and ``values_hash``, made with the row checks); ``raw``:
    the rows as delivered (feed columns, ``ROW`` their line), what matching on arrival compares.

    In bulk per chunk (same outcome as row by row): source records and identity holders are looked up with one
    query each, new source records are inserted together, a trusted source's new customers are built together
    (``delivered.create_many``)."""
    keys = [r["values"]["source_customer_id"] for r in rows]
    existing = repository.sources_by_key(db, delivery.source, keys)
    sections = delivered.industry_sections(db)
    prepared = []
    for row in rows:
        values: dict[str, Any] = row["values"]
        prepared.append((row, values, values["kind"], delivered.customer_fields(db, values["kind"], values, sections)))
    # each row's blind index of its ID or credit code, made once (the holder look-up, the record, waiting requests)
    indexes = [_identity_index(cipher, kind, fields) for _, _, kind, fields in prepared]
    holders = delivered.find_many_by_identity(db, cipher, [(kind, fields) for _, _, kind, fields in prepared], indexes)
    linked = {r.customer_id for r in existing.values() if r.customer_id is not None} | {h for h in holders if h}
    # held here: the session's identity map is weak, customers read and dropped would be read again one by one
    held = delivered.preload_customers(db, sorted(linked))
    delivery.higher = repository.sources_of_many(db, linked, delivery.higher_sources) if delivery.higher_sources else {}
    delivery.pending = delivered.pending_fields_of_many(db, sorted(linked))
    unplaced: list[tuple[dict[str, Any], Record, dict[str, Any]]] = []
    fresh: list[NewSource] = []
    new_ids = iter(repository.reserve_source_ids(db, sum(1 for k in keys if k not in existing)))
    now = utcnow()
    with db.no_autoflush:
        for (row, values, kind, fields), holder, index in zip(prepared, holders, indexes, strict=True):
            key = values["source_customer_id"]
            digest = row.get("hash") or values_hash(kind, values)
            text = row.get("text") or json.dumps(values, ensure_ascii=False)
            record: Record | None = existing.get(key)
            if record is None:
                record = NewSource(
                    id=next(new_ids),
                    source=delivery.source,
                    source_customer_id=key,
                    kind=kind,
                    values_enc=cipher.encrypt(text, _aad(delivery.source, key)),
                    values_hash=digest,
                    id_no_index=index,
                    first_seen=delivery.business_date,
                    last_seen=delivery.business_date,
                    batch_id=delivery.batch_id,
                    created_at=now,
                    updated_at=now,
                )
                fresh.append(record)
                _count(delivery, "new_records")
            else:
                same = record.values_hash == digest and record.kind == kind
                record.last_seen = max(record.last_seen, delivery.business_date)
                record.batch_id = delivery.batch_id
                if not same:
                    record.kind = kind
                    record.values_enc = cipher.encrypt(text, _aad(delivery.source, key))
                    record.values_hash = digest
                    record.id_no_index = index
                    record.updated_at = now
                if record.customer_id is not None:
                    if not same:
                        _survive(db, cipher, delivery, record, fields)
                    continue
                if same and (record.change_request_id is not None or repository.open_review_of(db, record.id)):
                    continue  # still waiting for its checker or reviewer
            if holder is not None:
                _link(record, holder, MatchMethod.IDENTITY)
                _count(delivery, "linked_identity")
                _survive(db, cipher, delivery, record, fields)
                continue
            row[IDENTITY_INDEX] = index
            unplaced.append((row, record, fields))
        _apply(db, cipher, delivery)  # before placement's events: the audit chain in row order
        delivery.higher = delivery.pending = None  # placement links to customers not read above
        if unplaced:
            _place(db, cipher, delivery, unplaced, home_units, raw)
    repository.insert_sources(db, [r.row() for r in fresh if not r.persisted])
    db.flush()
    if len(rows) >= ANALYSE_ROWS:
        repository.analyse_growing(db)  # the next chunk's look-ups planned on what the tables hold now
    delivery.created_sources.extend(r.id for r in fresh)
    del held


def _place(
    db: Session,
    cipher: FieldCipher,
    delivery: Delivery,
    unplaced: list[tuple[dict[str, Any], Record, dict[str, Any]]],
    home_units: Mapping[str, int],
    raw: pl.DataFrame,
) -> None:
    """Records without an identity match: arrival.place decides link, review or new.

    A trusted source's new customers are created in bulk, in runs between the other outcomes (so the audit
    chain has the same order as row by row); the requests they may wait on are looked up at once."""
    frame = raw.filter(pl.col(ROW).is_in([row["_row"] for row, _, _ in unplaced]))
    placements = arrival.place(db, cipher, frame, delivery.known)
    placed = [
        (row, record, fields, placements.get(row["_row"], Placement(Outcome.NEW))) for row, record, fields in unplaced
    ]
    if not delivery.trusted:
        for row, record, fields, placement in placed:
            handle(db, cipher, delivery, record, fields, placement, row["values"]["branch_code"], home_units)
        return
    new = [(row, record.kind, fields) for row, record, fields, p in placed if _is_new(p)]
    waiting = delivered.pending_creates(cipher, db, [(k, f) for _, k, f in new], [r[IDENTITY_INDEX] for r, _, _ in new])
    # Every new customer of the chunk built at once (the workers share the work however few the runs between
    # links are: at 1M, runs of tens were built in this process, a sixth of its time); their audit events are
    # chained in row order among the links' and reviews' (ids and CIF numbers are those of row by row too).
    created: list[tuple[str, Mapping[str, Any], int]] = [
        (kind, fields, home_units[row["values"]["branch_code"]])
        for (row, kind, fields), request in zip(new, waiting, strict=True)
        if request is None
    ]
    events: delivered.CreatedEvents = []
    ids = iter(delivered.create_many(db, cipher, delivery.source, created, events))
    requests, made = iter(waiting), iter(events)
    pending: delivered.CreatedEvents = []
    for row, record, fields, placement in placed:
        if not _is_new(placement):
            delivered.record_created(delivery.source, db, pending)
            pending.clear()
            handle(db, cipher, delivery, record, fields, placement, row["values"]["branch_code"], home_units)
            continue
        request = next(requests)
        if request is not None:  # the same person is already waiting for a checker (another record, an earlier file)
            record.customer_id, record.change_request_id, record.match_method = None, request.id, MatchMethod.CREATED
            continue
        _link(record, next(ids), MatchMethod.CREATED)
        _count(delivery, "created")
        pending.append(next(made))
    delivered.record_created(delivery.source, db, pending)


def _is_new(placement: Placement) -> bool:
    return placement.customer_id is None or placement.outcome not in (Outcome.LINK, Outcome.REVIEW)


def handle(
    db: Session,
    cipher: FieldCipher,
    delivery: Delivery,
    record: Record,
    fields: dict[str, Any],
    placement: Placement,
    branch_code: str,
    home_units: Mapping[str, int],
) -> None:
    """Act on one placement: link to the scored customer, queue for a reviewer, or make a new customer."""
    if placement.outcome == Outcome.LINK and placement.customer_id is not None:
        _link(record, placement.customer_id, MatchMethod.PROBABILISTIC, placement.probability)
        _count(delivery, "linked_probabilistic")
        _survive(db, cipher, delivery, record, fields)
        _apply(db, cipher, delivery)
        return
    if placement.outcome == Outcome.REVIEW and placement.customer_id is not None:
        record.customer_id, record.match_method, record.match_probability = None, None, placement.probability
        if isinstance(record, NewSource) and not record.persisted:
            db.add(CustomerSource(**record.row()))  # a new source record (inserted at the end): the review names it
            db.flush()
            record.persisted = True
        if repository.open_review_of(db, record.id) is None:
            repository.add(
                db,
                MatchReview(
                    kind=MatchReviewKind.ARRIVAL,
                    status=MatchReviewStatus.OPEN,
                    customer_id=placement.customer_id,
                    source_record_id=record.id,
                    probability=placement.probability,
                    comparisons=json.dumps(placement.comparisons, ensure_ascii=False, sort_keys=True),
                    created_at=utcnow(),
                ),
            )
        _count(delivery, "review")
        return
    kind = record.kind
    waiting = delivered.pending_create(cipher, db, kind, fields)
    if waiting is not None:  # the same person is already waiting for a checker (another record, an earlier file)
        record.customer_id, record.change_request_id, record.match_method = None, waiting.id, MatchMethod.CREATED
        return
    unit = (home_units[branch_code], branch_code)
    if delivery.trusted:
        customer = delivered.create(db, cipher, delivery.source, kind, fields, unit[0])
        _link(record, customer.id, MatchMethod.CREATED)
        _count(delivery, "created")
    else:
        request = delivered.file_create(db, cipher, delivery.source, kind, fields, unit)
        record.customer_id, record.change_request_id, record.match_method = None, request.id, MatchMethod.CREATED
        _count(delivery, "filed")


def _link(record: Record, customer_id: int, method: str, probability: float | None = None) -> None:
    record.customer_id, record.match_method, record.match_probability = customer_id, method, probability


def _count(delivery: Delivery, what: str) -> None:
    delivery.counts[what] = delivery.counts.get(what, 0) + 1


def _identity_index(cipher: FieldCipher, kind: str, fields: Mapping[str, Any]) -> str | None:
    return delivered.identity_index(cipher, kind, fields)


def _survive(db: Session, cipher: FieldCipher, delivery: Delivery, record: Record, fields: dict[str, Any]) -> None:
    """Queue the delivered fields for the linked customer, each by its survivorship rule (written by ``_apply``)."""
    assert record.customer_id is not None
    customer = delivered.customer_by_id(db, record.customer_id)
    if customer is None:
        return
    if customer.id in delivery.survivals:
        _apply(db, cipher, delivery)  # a second record of this customer sees what the first did
    higher = _delivered_by_higher(db, cipher, delivery, record)
    direct: dict[str, Any] = {}
    identity: dict[str, Any] = {}
    for name, value in fields.items():
        rule = delivery.rules.get(name, DEFAULT_RULE)
        if rule == NEVER:
            continue
        if rule == IDENTITY:
            identity[name] = value
        elif rule == MOST_RECENT or name not in higher:
            direct[name] = value
    pending = delivery.pending.pop(customer.id, None) if delivery.pending is not None else None
    delivery.survivals[customer.id] = delivered.Survival(customer, direct, identity, pending)


def _apply(db: Session, cipher: FieldCipher, delivery: Delivery) -> None:
    """Write the queued survivals together, in the order they came (their events chained in that order)."""
    delivered.apply_many(db, cipher, delivery.source, list(delivery.survivals.values()))
    if delivery.known is not None:
        delivery.known.changed.update(delivery.survivals)  # their fields may have changed: read again
    delivery.survivals.clear()


def _delivered_by_higher(db: Session, cipher: FieldCipher, delivery: Delivery, record: Record) -> set[str]:
    """The fields a source of higher priority (a lower number) has delivered a value for, for this customer."""
    assert record.customer_id is not None
    out: set[str] = set()
    if delivery.higher is not None:
        others = delivery.higher.get(record.customer_id, [])
    elif not delivery.higher_sources:
        others = []
    else:
        others = repository.sources_of(db, record.customer_id)
    for other in others:
        if other.id == record.id or delivery.priorities.get(other.source, 10**6) >= delivery.priority:
            continue
        values = delivered_values(cipher, other)
        out |= set(delivered.customer_fields(db, other.kind, values))
    return out
