"""Queries for the bank's calendar entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.models.workcalendar import CalendarDay


def stamp(db: Session) -> tuple[int, datetime | None]:
    """How many entries and the latest change: changes whenever an entry is added, changed or removed."""
    count, latest = db.execute(select(func.count(), func.max(CalendarDay.changed_at)).select_from(CalendarDay)).one()
    return int(count), latest


def entries(db: Session, year: int | None = None) -> list[CalendarDay]:
    """The bank's entries in day order (of one year, if given)."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return list(db.scalars(query))


def entry(db: Session, day: date) -> CalendarDay | None:
    """The bank's entry for one day, if any."""
    return db.get(CalendarDay, day)
