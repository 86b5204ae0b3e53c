"""What matching answers: where a delivered record without an identity match goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, Filter, ListSpec, Page


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
    and its delivered values masked as the customer's own are. A record still waiting in an open arrival
    review against this customer is listed too, with ``review_id`` and no match method."""

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
    # Not linked yet: the open arrival review that asks whether the record is this customer (None: linked).
    review_id: int | None = None


class MergeInForce(BaseModel):
    """A customer merged into this one and not unmerged: its former CIF number and when."""

    merged_cif_no: str
    merged_at: datetime


class ReviewCustomer(BaseModel):
    """One side of a review: the customer as the reader may see it (name by the name rule, ID masked)."""

    cif_no: str
    kind: str
    status: str
    name: str
    id_no: str | None
    uscc: str | None
    home_unit: str


class MatchReviewRead(BaseModel):
    """A review in the queue: the pair (or the delivered record and the customer), its probability and state."""

    id: int
    kind: str
    status: str
    probability: float
    customer: ReviewCustomer
    other: ReviewCustomer | None
    source: str | None = None  # arrival: the delivering system and its customer number
    source_customer_id: str | None = None
    merge_id: int | None
    maker_id: int | None
    checker_id: int | None
    created_at: datetime
    decided_at: datetime | None


class MatchReviewPage(Page[MatchReviewRead]):
    """One page of the review queue."""


class ComparedField(BaseModel):
    """One field side by side: its label, both values as the reader may see them, and how they compared."""

    field: str
    label: str
    value: str | None
    other_value: str | None
    level: str | None  # the scorer's comparison level for the field (None: not compared)
    weight: float | None


class MatchReviewDetail(MatchReviewRead):
    """A review with every field side by side, the proposed merge (if any) and what the reader may do."""

    fields: list[ComparedField]
    survivor: str | None  # the proposed survivor's CIF number (merge_pending)
    choices: dict[str, str]  # field → survivor | other (merge_pending)
    moves: list[str]  # the states the reader may move this review to


class MatchDecision(BaseModel):
    """A decision on a review.

    ``merge`` (with ``survivor``, a CIF number of the pair, and per field ``survivor`` or ``other``) files a
    merge for approval; ``distinct`` remembers the two are different customers; ``link`` attaches a
    delivered record to the customer. A checker answers a filed merge with ``approve`` or ``reject``.
    """

    model_config = ConfigDict(extra="forbid")

    decision: Literal["merge", "distinct", "link", "approve", "reject"]
    survivor: Annotated[str, StringConstraints(pattern=r"^[0-9]{11}$")] | None = None
    fields: dict[Annotated[str, StringConstraints(max_length=40)], Literal["survivor", "other"]] = Field(
        default_factory=dict, max_length=60
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class UnmergeResult(BaseModel):
    """What an unmerge gave back: both customers' CIF numbers and the rows put back."""

    survivor: str
    restored: str
    rows: int


MATCH_REVIEW_LIST = ListSpec(
    name="match-reviews",
    columns=(
        Column("id", N_("#")),
        Column("probability", N_("Match probability")),
        Column("customer", N_("Customer"), sortable=False),
        Column("other", N_("Possible duplicate"), sortable=False),
        Column("kind", N_("Review kind")),
        Column("status", N_("Status")),
        Column("created_at", N_("Found on")),
    ),
    default_sort="-probability",
    tie_breaker="id",
    filters=(Filter("status", max_length=20), Filter("kind", max_length=20)),
)
