"""The bank's own working-calendar entries (工作日历): days it closes or opens, over the ``holidays`` package."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class CalendarDay(Base):
    """One day the bank decides itself: a HOLIDAY or a WORKDAY (code table calendar_day_kind), winning over the
    package; removing the row gives the day back to the package."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    label_en: Mapped[str] = mapped_column(String(100))
    label_zh: Mapped[str] = mapped_column(String(100))
    changed_by: Mapped[str] = mapped_column(String(100))  # the user's name, or "system" for the CLI
    # Indexed: every request reads max(changed_at) as the cache's version stamp.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
