"""What matching answers: where a delivered record without an identity match goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class Outcome(StrEnum):
    """A delivered record's fate against the thresholds: above the upper, between the two, below the lower."""

    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True)
class Placement:
    """The best candidate customer for a delivered record, its match probability and each field's comparison."""

    outcome: Outcome
    customer_id: int | None = None
    probability: float = 0.0
    comparisons: dict[str, Any] = field(default_factory=dict)


class SourceRecordRead(BaseModel):
    """One source record of a customer (客户号对照): who delivered it under which number, how it was linked,
    and its delivered values masked as the customer's own are."""

    source: str
    source_label: str
    source_customer_id: str
    kind: str
    match_method: str | None
    match_method_label: str | None
    match_probability: float | None
    first_seen: date
    last_seen: date
    values: dict[str, str]
