"""Data quality by month: per month-end, home unit and checked field, how many customers had it complete and valid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class DataQualitySnapshot(Base):
    """One month's figures of one checked field for the customers of one home unit (the trend's raw numbers).

    ``field`` is ``kind.field`` of the quality field catalogue; the pseudo-field ``all.duplicate`` counts
    customers in open duplicate reviews (``complete`` holds that count, ``valid`` is unused and 0).
    """

    __tablename__ = "data_quality_snapshot"

    month_end: Mapped[date] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer)
    complete: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerQuality(Base):
    """One customer's checks as the quality page counts them: a bit per checked field (the catalogue's order).

    Kept so that the page and the trend sum bits in SQL instead of decrypting and checking every customer on
    each visit. A row stands for the customer as it was at ``customer_updated_at``: when the customer changes
    (every change path sets ``customer.updated_at``), on ``recheck_on`` (a date a check can change by itself: an
    expiry passing, a future date arriving, a contact's validity ending; at most 30 days on), or when the
    catalogue's ``version`` changes, the row is stale and the customer is checked again.
    """

    __tablename__ = "customer_quality"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    complete_mask: Mapped[int] = mapped_column(BigInteger)
    valid_mask: Mapped[int] = mapped_column(BigInteger)
    recheck_on: Mapped[date]
    version: Mapped[str] = mapped_column(String(16))
    customer_updated_at: Mapped[datetime]
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
