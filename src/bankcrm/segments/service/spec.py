"""The specification at the boundary: faults as 422 naming the part, previews counted inside the caller's scope."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.segments import filters
from bankcrm.segments.repository import segments, sql
from bankcrm.segments.schemas import PreviewRead
from bankcrm.tags.filters import RuleError
from bankcrm.tags.service import catalogue as tag_catalogue

SAMPLE_SIZE = 10


def known_codes(db: Session) -> dict[str, frozenset[str]]:
    """The codes a tag or product-category condition may name: the tag catalogue's, the category code table's."""
    return {
        "has_tag": frozenset(tag_catalogue.labels(db, "en")),
        "holds_category": frozenset(catalogue_service.labels_of(db, "product_category", "en")),
    }


def checked(db: Session, data: Any, field: str = "spec") -> filters.Group:
    """The validated specification, or 422 naming the part at fault (``spec.all[1].value``, an unknown tag)."""
    try:
        return filters.parse(data, known_codes(db))
    except RuleError as exc:
        part = exc.part if exc.part.startswith("spec") else f"spec.{exc.part}"
        raise ValidationFailed(errors=[FieldError(part.replace("spec", field, 1), exc.message, exc.params)]) from exc


def stored(spec: filters.Group) -> str:
    """The canonical JSON text a segment keeps."""
    return json.dumps(filters.to_json(spec), ensure_ascii=False, sort_keys=True)


def loaded(text: str) -> filters.Group:
    """A stored specification (validated again: the catalogue may have changed since)."""
    return filters.parse(json.loads(text))


def query(db: Session, spec: filters.Group, today: date) -> Any:
    """The members query of a specification over the newest snapshot month."""
    return sql.members_query(spec, month=segments.newest_month(db), today=today)


def preview(db: Session, principal: Principal, data: Any, *, today: date) -> PreviewRead:
    """The count and a masked sample of the customers in the caller's scope the specification selects."""
    spec = checked(db, data)
    month = segments.newest_month(db)
    scoped = segments.scoped(sql.members_query(spec, month=month, today=today), principal)
    with segments.scanning(db):
        found = segments.sample(db, scoped, SAMPLE_SIZE)
        count = segments.count(db, scoped)
    return PreviewRead(count=count, sample=customer_reads.summaries(db, principal, found), month=month)
