"""Rule tags, recomputed by the nightly batch: each active rule tag's carriers become exactly its rule's matches.

A customer newly matching gets an open row (applied now, by the batch); one no longer matching has its
row closed (removed now). Customers unchanged keep their row and its date, so the history says when each
customer entered and left. Rules are compiled from their validated specification (tags.filters).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.kit.time import utcnow
from bankcrm.tags import filters, repository
from bankcrm.tags.schemas import RuleRunReport


def recompute(db: Session, *, today: date, codes: set[str] | None = None) -> RuleRunReport:
    """Every active rule tag (or those of ``codes``) recomputed for ``today``; a tag made inactive is emptied."""
    repository.lock(db)
    now = utcnow()
    per_tag: dict[str, tuple[int, int, int]] = {}
    for tag in repository.tags(db):
        if tag.kind != "rule" or (codes is not None and tag.code not in codes):
            continue
        held = repository.holders(db, tag.code)
        if tag.active and tag.rule:
            wanted = repository.matching(db, filters.members_query(filters.parse_text(tag.rule), today))
        else:
            wanted = set()
        applied = repository.apply_many(db, tag.code, wanted - held, "rule", now)
        removed = repository.close_many(db, tag.code, held - wanted, now)
        per_tag[tag.code] = (applied, removed, len(wanted))
    db.flush()
    return RuleRunReport(
        tags=len(per_tag),
        applied=sum(a for a, _, _ in per_tag.values()),
        removed=sum(r for _, r, _ in per_tag.values()),
        carriers=sum(n for _, _, n in per_tag.values()),
        per_tag=per_tag,
    )
