"""What matching answers: where a delivered record without an identity match goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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
