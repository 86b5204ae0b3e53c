"""Segments (客户分群): saved sets of customers, by a rule (a validated specification) or an uploaded list.

``segment_member`` is one period a customer was in a segment: ``left_on`` None while they are; the nightly
``segments`` step opens and closes periods, so who entered and left when stays. ``segment_size`` is the
member count per day, drawn as the size trend.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class Segment(Base):
    """One saved segment: a rule segment keeps its specification, a static one its uploaded members."""

    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(400), default="")
    kind: Mapped[str] = mapped_column(String(10))  # rule | static
    spec: Mapped[str | None] = mapped_column(Text)  # JSON specification (kind rule)
    visibility: Mapped[str] = mapped_column(String(10))  # private | unit | bank
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the owner's unit: who "unit" shows it to
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentMember(Base):
    """One period a customer was a member of a segment."""

    __tablename__ = "segment_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: derived rows, rewritten in bulk by the nightly (migration 0030); deleting a segment deletes
    # them in its repository, and customers are never deleted.
    segment_id: Mapped[int]
    customer_id: Mapped[int] = mapped_column(index=True)
    entered_on: Mapped[date]
    left_on: Mapped[date | None]

    __table_args__ = (Index("ix_segment_member_segment", "segment_id", "left_on", "customer_id"),)


class SegmentSize(Base):
    """How many members a segment had at the end of one day's run."""

    __tablename__ = "segment_size"

    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    members: Mapped[int]
