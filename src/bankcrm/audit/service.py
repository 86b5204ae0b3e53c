"""Record audit events on the hash chain, verify the chain, and read it back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import repository
from bankcrm.audit.schemas import AuditEventRead, AuditLine
from bankcrm.audit.sentences import outcome_label, sentence
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.kit.time import BankDay, as_utc, utcnow
from bankcrm.models.audit import AuditEvent

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    """SHA-256 over the row's content and its predecessor's hash, in a fixed form."""
    return _digest_of(
        event.seq,
        event.occurred_at,
        event.actor_user_id,
        event.actor_username,
        event.action,
        event.outcome,
        event.entity_type,
        event.entity_id,
        event.changes,
        event.detail,
        event.ip,
        event.prev_hash,
    )


def _digest_of(seq: int, occurred_at: datetime, *rest: Any) -> str:
    return _digest_at(seq, _occurred_text(occurred_at), *rest)


def _occurred_text(occurred_at: datetime) -> str:
    return as_utc(occurred_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest_at(seq: int, occurred: str, *rest: Any) -> str:
    """``_digest_of`` with the time already as text (a batch shares one time: formatted once)."""
    body = [seq, occurred, *rest]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _head(db: Session) -> tuple[int, str]:
    """Lock the chain and read its head (seq, hash); (0, GENESIS) when empty.

    Read again for every call, not remembered: another session may share this transaction's connection (the
    tests' sessions do), and the one indexed read costs little beside the insert; ``record_many`` chains a
    whole batch from one read.
    """
    repository.lock_chain(db)
    head = repository.last_event(db)
    return (head.seq, head.hash) if head else (0, GENESIS)


def record(
    db: Session,
    actor: Actor,
    action: str,
    *,
    outcome: str = "success",
    entity_type: str | None = None,
    entity_id: object = None,
    changes: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the write)."""
    seq, prev = _head(db)
    event = AuditEvent(
        seq=seq + 1,
        occurred_at=utcnow(),
        actor_user_id=actor.user_id,
        actor_username=actor.username,
        action=action,
        outcome=outcome,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        changes=changes_text(changes),
        detail=detail[:500] if detail else None,
        ip=actor.ip,
        prev_hash=prev,
    )
    event.hash = _digest(event)
    db.add(event)
    db.flush()
    return event


def changes_text(changes: dict[str, Any] | None) -> str | None:
    """An event's changes as stored (and hashed)."""
    return json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str) if changes else None


@dataclass(frozen=True)
class Entry:
    """One event of ``record_many``: what it is about (``action``: this event's own, else the call's)."""

    entity_type: str | None
    entity_id: object
    changes: dict[str, Any] | str | None = None  # a str: already ``changes_text`` (made in a worker process)
    detail: str | None = None
    action: str | None = None


def record_many(db: Session, actor: Actor, action: str, entries: list[Entry], *, outcome: str = "success") -> None:
    """Append one event per entry, in order, as ``record`` would one by one (same rows, same chain), with one
    multi-row insert: the chain is computed here under the same lock (a bulk load's many new customers, a
    delta's changes and requests: an entry may name its own action)."""
    if not entries:
        return
    seq, prev = _head(db)
    occurred = utcnow()
    occurred_text = _occurred_text(occurred)
    rows: list[dict[str, Any]] = []
    for e in entries:
        seq += 1
        entity_id = None if e.entity_id is None else str(e.entity_id)
        changes = e.changes if isinstance(e.changes, str) else changes_text(e.changes)
        detail = e.detail[:500] if e.detail else None
        what = e.action or action
        values = (actor.user_id, actor.username, what, outcome, e.entity_type, entity_id, changes, detail, actor.ip)
        digest = _digest_at(seq, occurred_text, *values, prev)
        rows.append(
            {
                "seq": seq,
                "occurred_at": occurred,
                "actor_user_id": actor.user_id,
                "actor_username": actor.username,
                "action": what,
                "outcome": outcome,
                "entity_type": e.entity_type,
                "entity_id": entity_id,
                "changes": changes,
                "detail": detail,
                "ip": actor.ip,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    repository.insert_events(db, rows)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level {field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain verification."""

    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str | None = None


def verify(db: Session) -> ChainReport:
    """Walk the chain; report the first row whose content, link or position is wrong."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in repository.iter_chain(db):
        if event.seq != expected_seq:
            return ChainReport(
                checked, False, expected_seq, f"row {expected_seq} is missing (next row present is {event.seq})"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(checked, False, event.seq, f"row {event.seq} does not link to row {event.seq - 1}")
        if _digest(event) != event.hash:
            return ChainReport(checked, False, event.seq, f"row {event.seq} content does not match its hash")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return ChainReport(checked, True)


def search(
    db: Session,
    page: PageRequest,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: SortSpec | None = None,
) -> Page[AuditEvent]:
    """Filtered audit events in ``sort`` order, newest first by default (the caller checks ``audit.read``)."""
    return repository.search(
        db,
        page,
        actor=actor,
        action=action,
        entity_type=entity_type,
        outcome=outcome,
        since=since,
        until=until,
        sort=sort,
    )


def sign_ins_by_day(db: Session, since: datetime) -> list[tuple[datetime, str, str]]:
    """Sign-in events since a time, for the dashboard chart."""
    return repository.count_by_day(db, ("auth.login",), since)


def count_since(db: Session, since: datetime, outcome: str | None = None) -> int:
    """How many events since a time."""
    return repository.count_since(db, since, outcome)


def home_card(db: Session, principal: Principal) -> dict[str, int]:
    """The home page's audit card (the card is shown to audit.read only): events and failed sign-ins, last 24 hours."""
    since = utcnow() - timedelta(hours=24)
    return {"events": count_since(db, since), "failed": count_since(db, since, outcome="failure")}


def served_today_card(db: Session, principal: Principal, today: BankDay) -> dict[str, int]:
    """Distinct customers whose records this user created, changed or revealed since the bank's local midnight."""
    if principal.user_id is None:
        return {"served": 0}
    return {"served": repository.distinct_entities_by_actor(db, principal.user_id, "customer", today.midnight)}


def sentences(events: list[AuditEvent], locale: str) -> dict[int, str]:
    """seq → the event as a sentence in the reader's language (the audit log page's main column)."""
    return {e.seq: sentence(locale, e.action, e.outcome, e.actor_username, e.entity_type, e.entity_id) for e in events}


def export_lines(events: list[AuditEvent], locale: str) -> list[AuditLine]:
    """The events as the export writes them: each with its sentence and outcome in the reader's language."""
    return [
        AuditLine(
            AuditEventRead.model_validate(e),
            sentence(locale, e.action, e.outcome, e.actor_username, e.entity_type, e.entity_id),
            outcome_label(locale, e.outcome),
        )
        for e in events
    ]
