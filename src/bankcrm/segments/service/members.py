"""A segment's members and size trend as the reader may see them: inside their scope, masked; exports audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.kit.pagination import PageRequest
from bankcrm.segments.repository import segments
from bankcrm.segments.schemas import READ, CustomerSegmentRead, MemberRead, MembersPage, SizeRead
from bankcrm.segments.service import saved

EXPORT_LIMIT = 100_000


def members(db: Session, principal: Principal, segment_id: int, page: PageRequest) -> MembersPage:
    """One page of the current members inside the reader's scope, masked like the customer list."""
    row = saved.get(db, principal, segment_id)
    found = segments.member_page(db, row.id, principal, page.offset, page.size)
    summaries = customer_reads.summaries(db, principal, [c for c, _ in found])
    items = [MemberRead(**s.model_dump(), entered_on=d) for s, (_, d) in zip(summaries, found, strict=True)]
    return MembersPage(items=items, total=segments.member_total(db, row.id, principal), page=page.page, size=page.size)


def of_customer(db: Session, principal: Principal, customer_id: int) -> list[CustomerSegmentRead]:
    """The segments (that the reader may see) a customer in the reader's scope is in now; none without segment.read."""
    if not principal.can(READ):
        return []
    return [
        CustomerSegmentRead(id=row.id, name=row.name, kind=row.kind, entered_on=entered)
        for row, entered in segments.memberships(db, principal, customer_id)
    ]


def segments_during(
    db: Session, principal: Principal, customer_ids: list[int], start: date, end: date
) -> dict[int, list[tuple[int, str]]]:
    """Per customer, the segments (id, name) that the reader may see it was in on some day from start to end
    (the contribution roll-up by segment); nothing without segment.read."""
    found: dict[int, list[tuple[int, str]]] = {}
    if not principal.can(READ):
        return found
    for cid, segment_id, name in segments.memberships_during(db, principal, customer_ids, start, end):
        found.setdefault(cid, []).append((segment_id, name))
    return found


def sizes(db: Session, principal: Principal, segment_id: int) -> list[SizeRead]:
    """The segment's daily sizes, oldest first (bank-wide counts: a size names no customer)."""
    row = saved.get(db, principal, segment_id)
    return [SizeRead(day=s.day, members=s.members) for s in segments.sizes(db, row.id)]


def export(db: Session, principal: Principal, segment_id: int, fmt: str) -> MembersPage:
    """Every current member inside the reader's scope (up to the export limit), masked; the export is audited."""
    found = members(db, principal, segment_id, PageRequest(1, EXPORT_LIMIT))
    audit_service.record(
        db,
        Actor.of(principal),
        "segment.exported",
        entity_type="segment",
        entity_id=segment_id,
        detail=f"{fmt}: {len(found.items)} members",
    )
    return found
