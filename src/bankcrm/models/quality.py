"""Data quality by month: per month-end, home unit and checked field, how many customers had it complete and valid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String
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
