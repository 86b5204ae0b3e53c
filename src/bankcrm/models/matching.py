"""One customer across the bank's source systems: source records, CIF aliases, match reviews and merges.

A source record is one customer as a source system (core banking, credit, cards, wealth) delivers
it, keyed by (source, source_customer_id) and linked to exactly one CIF customer once matched. Its
delivered values carry C2 data (ID numbers, phones), so they are stored encrypted; ``values_hash``
tells a re-delivery that changes nothing from one that does without decrypting.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class MatchMethod(StrEnum):
    """How a source record found its CIF customer (code table match_method)."""

    IDENTITY = "identity"  # equal (ID type, ID number) or USCC
    PROBABILISTIC = "probabilistic"  # score above the upper threshold
    REVIEWED = "reviewed"  # a reviewer linked it from the review queue
    CREATED = "created"  # no match: a new customer was created (or filed for approval) from it
    MERGED = "merged"  # moved to the survivor of a merge


class MatchReviewKind(StrEnum):
    """What a review decides: a delivered record against a customer, or two customers on file."""

    ARRIVAL = "arrival"
    DUPLICATE = "duplicate"


class MatchReviewStatus(StrEnum):
    """The states of the ``match_review`` workflow (workflow_state.csv; a test keeps them equal)."""

    OPEN = "open"
    MERGE_PENDING = "merge_pending"
    MERGED = "merged"
    DISTINCT = "distinct"
    LINKED = "linked"
    UNMERGED = "unmerged"


class SourceSystem(Base):
    """A system that delivers customers: its priority for survivorship and whether it may create customers."""

    __tablename__ = "source_system"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))
    # Trusted: a new customer it delivers is created at once, audited as made by the source; otherwise
    # it waits for a checker. The bank's choice after the first sync (never overwritten).
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer)  # survivorship: lower wins
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class SurvivorshipRule(Base):
    """Per field, which delivered value the CIF shows (code table survivorship_rule)."""

    __tablename__ = "survivorship_rule"

    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule: Mapped[str] = mapped_column(String(20))  # source_priority | most_recent | never | identity


class CustomerSource(Base):
    """One customer as one source system delivers it, linked to its CIF customer (客户号对照)."""

    __tablename__ = "customer_source"
    __table_args__ = (UniqueConstraint("source", "source_customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    source_customer_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # individual | corporate
    # None while the record waits for a reviewer or a checker (a new customer from an untrusted source).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("change_request.id"), index=True)
    match_method: Mapped[str | None] = mapped_column(String(20))  # MatchMethod
    match_probability: Mapped[float | None] = mapped_column(Float)
    values_enc: Mapped[str] = mapped_column(Text)  # the delivered row as JSON, encrypted (C2 inside)
    values_hash: Mapped[str] = mapped_column(String(64))
    id_no_index: Mapped[str | None] = mapped_column(String(64), index=True)  # blind index of the delivered ID
    first_seen: Mapped[date]
    last_seen: Mapped[date]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), index=True)  # last delivery
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerAlias(Base):
    """A CIF number merged into another customer: it still finds the survivor."""

    __tablename__ = "customer_alias"

    cif_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("customer_merge.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchReview(Base):
    """A possible match waiting for a reviewer: a delivered record or a second customer against a customer."""

    __tablename__ = "match_review"
    __table_args__ = (Index("ix_match_review_status_probability", "status", "probability"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # MatchReviewKind
    status: Mapped[str] = mapped_column(String(16))  # workflow match_review
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    other_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)  # duplicate
    source_record_id: Mapped[int | None] = mapped_column(ForeignKey("customer_source.id"), index=True)  # arrival
    probability: Mapped[float] = mapped_column(Float)
    comparisons: Mapped[str] = mapped_column(Text)  # JSON: per field, its comparison level and weight; no values
    merge_id: Mapped[int | None] = mapped_column(ForeignKey("customer_merge.id"))
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision_payload: Mapped[str | None] = mapped_column(Text)  # JSON: survivor and per-field choices
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class MatchDistinct(Base):
    """Two customers a reviewer decided are not the same: never proposed again (smaller id first)."""

    __tablename__ = "match_distinct"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    other_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerMerge(Base):
    """A merge of one customer into a survivor, with every row it changed as it was, so unmerge can restore it."""

    __tablename__ = "customer_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_cif_no: Mapped[str] = mapped_column(String(20))
    snapshot_enc: Mapped[str] = mapped_column(Text)  # JSON of the rows before the merge, encrypted
    status: Mapped[str] = mapped_column(String(12))  # merged | unmerged
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    unmerged_at: Mapped[datetime | None]
    unmerged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
