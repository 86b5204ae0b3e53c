"""Saved segments: listed as visible to the reader, created, changed and deleted by their owner (or a publisher)."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import users as user_service
from bankcrm.access.service.scope_audit import denied, out_of_scope
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.segment import Segment
from bankcrm.segments.repository import segments
from bankcrm.segments.schemas import SegmentPatch, SegmentRead, SegmentWrite, StaticCreated, StaticWrite
from bankcrm.segments.service import membership, words
from bankcrm.segments.service import spec as specs

CIF_SHAPE = re.compile(r"[0-9]{11}")  # the shape only: a number with a wrong check digit is simply unknown
NOT_FOUND = N_("Segment not found.")
BANK_NEEDS_PUBLISH = N_("Sharing a segment with the whole bank needs the permission to publish segments.")
NOT_A_CIF = N_("Line %(line)s is not an 11-digit CIF number.")
NAME_EMPTY = N_("A segment needs a name.")
STATIC_HAS_NO_RULE = N_("A static segment keeps its uploaded list; it has no specification to change.")


def editable(principal: Principal, row: Segment) -> bool:
    """The owner (with segment.manage) changes their segment; a publisher any shared segment they see."""
    if row.owner_id == principal.user_id and principal.can("segment.manage"):
        return True
    return row.visibility != "private" and principal.can("segment.publish")


def read(db: Session, principal: Principal, row: Segment, locale: str) -> SegmentRead:
    """The API shape of a segment; ``members`` counts only those inside the reader's scope."""
    spec = specs.loaded(row.spec) if row.spec else None
    owner = user_service.display_names(db, {row.owner_id}).get(row.owner_id, "")
    return SegmentRead(
        id=row.id,
        name=row.name,
        description=row.description,
        kind=row.kind,
        visibility=row.visibility,
        owner=owner,
        spec=json.loads(row.spec) if row.spec else None,
        words=words.words(spec, locale) if spec else "",
        members=segments.member_total(db, row.id, principal),
        editable=editable(principal, row),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def listed(db: Session, principal: Principal, *, locale: str) -> list[SegmentRead]:
    """The segments the reader may see (their own, their unit's, the bank's), by name."""
    return [read(db, principal, r, locale) for r in segments.segments(db, principal)]


def get(db: Session, principal: Principal, segment_id: int) -> Segment:
    """A segment the reader may see, or 404 (an attempt on another's private segment is audited)."""
    row = segments.segment(db, segment_id)
    if row is None or not _sees(principal, row):
        raise NotFound(NOT_FOUND, audit=out_of_scope(principal, "segment", segment_id, row is not None))
    return row


def _sees(principal: Principal, row: Segment) -> bool:
    return (
        row.owner_id == principal.user_id
        or row.visibility == "bank"
        or (row.visibility == "unit" and row.unit_id == principal.unit_id)
    )


def _check_visibility(principal: Principal, visibility: str) -> None:
    if visibility == "bank" and not principal.can("segment.publish"):
        raise ValidationFailed(errors=[FieldError("visibility", BANK_NEEDS_PUBLISH)])


def create(db: Session, principal: Principal, body: SegmentWrite, *, today: date, locale: str) -> SegmentRead:
    """A rule segment saved (its specification checked, 422 naming the part) and its members found at once."""
    spec = specs.checked(db, body.spec)
    _check_visibility(principal, body.visibility)
    row = _new(principal, body.name, body.description, body.visibility, "rule", specs.stored(spec))
    segments.add(db, row)
    membership.refresh_one(db, row, today=today, month=segments.newest_month(db))
    audit_service.record(db, Actor.of(principal), "segment.created", entity_type="segment", entity_id=row.id)
    return read(db, principal, row, locale)


def _new(principal: Principal, name: str, description: str, visibility: str, kind: str, spec: str | None) -> Segment:
    assert principal.user_id is not None  # a signed-in user: the system saves no segments
    now = utcnow()
    return Segment(
        name=name.strip(),
        description=description.strip(),
        kind=kind,
        spec=spec,
        visibility=visibility,
        owner_id=principal.user_id,
        unit_id=principal.unit_id,
        created_at=now,
        updated_at=now,
    )


def cif_list(lines: list[str]) -> list[str]:
    """The CIF numbers of an uploaded list, one a line (blank lines skipped); 422 naming the first bad line."""
    found: list[str] = []
    for i, line in enumerate(lines, start=1):
        text = line.strip().strip("\ufeff")
        if not text:
            continue
        if not CIF_SHAPE.fullmatch(text):
            raise ValidationFailed(errors=[FieldError("cif_nos", NOT_A_CIF, {"line": i})])
        found.append(text)
    return found


def create_static(db: Session, principal: Principal, body: StaticWrite, *, today: date, locale: str) -> StaticCreated:
    """A static segment from a CIF list: the known customers enter today, the unknown numbers are answered back.

    Customers outside the uploader's scope count as unknown: an upload must not confirm who banks here."""
    cifs = cif_list(body.cif_nos)
    _check_visibility(principal, body.visibility)
    on_file = segments.customers_by_cif(db, cifs)
    inside = customer_reads.visible_ids(db, principal, set(on_file.values()))
    known = {cif: cid for cif, cid in on_file.items() if cid in inside}
    unknown = sorted({c for c in cifs if c not in known})
    row = _new(principal, body.name, body.description, body.visibility, "static", None)
    segments.add(db, row)
    segments.enter(db, row.id, set(known.values()), today)
    segments.record_size(db, row.id, today, len(known))
    audit_service.record(
        db,
        Actor.of(principal),
        "segment.created",
        entity_type="segment",
        entity_id=row.id,
        detail=f"static: {len(known)} customers, {len(unknown)} unknown",
    )
    return StaticCreated(segment=read(db, principal, row, locale), unknown=unknown)


def _editable_or_403(principal: Principal, row: Segment, what: str) -> None:
    if not editable(principal, row):
        raise Forbidden(audit=denied(principal, f"{what} segment {row.id}", "segment.manage"))


def update(
    db: Session, principal: Principal, segment_id: int, body: SegmentWrite, *, today: date, locale: str
) -> SegmentRead:
    """A segment's name, description, visibility and (rule segments) specification changed; members refreshed."""
    row = get(db, principal, segment_id)
    _editable_or_403(principal, row, "change")
    if row.kind == "static":
        raise ValidationFailed(errors=[FieldError("spec", STATIC_HAS_NO_RULE)])
    spec = specs.checked(db, body.spec)
    if body.visibility != row.visibility:
        _check_visibility(principal, body.visibility)
    row.name, row.description, row.visibility = body.name.strip(), body.description.strip(), body.visibility
    row.spec, row.updated_at = specs.stored(spec), utcnow()
    db.flush()
    membership.refresh_one(db, row, today=today, month=segments.newest_month(db))
    audit_service.record(db, Actor.of(principal), "segment.changed", entity_type="segment", entity_id=row.id)
    return read(db, principal, row, locale)


def rename(db: Session, principal: Principal, segment_id: int, body: SegmentPatch, *, locale: str) -> SegmentRead:
    """A segment (rule or static) given a new name or description by its owner (or a publisher); audited."""
    row = get(db, principal, segment_id)
    _editable_or_403(principal, row, "rename")
    if body.name is not None and not body.name.strip():
        raise ValidationFailed(errors=[FieldError("name", NAME_EMPTY)])
    changed = []
    if body.name is not None and body.name.strip() != row.name:
        changed.append(f"name: {row.name} → {body.name.strip()}")
        row.name = body.name.strip()
    if body.description is not None and body.description.strip() != row.description:
        changed.append("description")
        row.description = body.description.strip()
    if changed:
        row.updated_at = utcnow()
        db.flush()
        detail = "; ".join(changed)[:400]
        audit_service.record(
            db, Actor.of(principal), "segment.changed", entity_type="segment", entity_id=row.id, detail=detail
        )
    return read(db, principal, row, locale)


def delete(db: Session, principal: Principal, segment_id: int) -> None:
    """A segment deleted with its membership history."""
    row = get(db, principal, segment_id)
    _editable_or_403(principal, row, "delete")
    segments.remove(db, row)
    audit_service.record(db, Actor.of(principal), "segment.deleted", entity_type="segment", entity_id=segment_id)
