"""A year of the calendar for the admin page and the API: every exception day, where it comes from, and the months."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.kit.workdays import BANK, WORKDAY, CalendarDay, package_days
from bankcrm.workcalendar import repository
from bankcrm.workcalendar.schemas import CalendarDayRead, CalendarYearRead
from bankcrm.workcalendar.service import days
from bankcrm.workcalendar.service.edit import KIND_TABLE, require


@dataclass(frozen=True)
class Cell:
    """One day of a month's grid: None outside the month."""

    day: date
    entry: CalendarDayRead | None
    working: bool


def _label(entry: CalendarDay, locale: str) -> str:
    return entry.label_zh if locale.startswith("zh") else entry.label_en


def year(db: Session, principal: Principal, year: int, *, locale: str) -> CalendarYearRead:
    """Every day of ``year`` the calendar answers against the weekday rule (needs calendar.manage)."""
    require(principal, f"read calendar {year}")
    cal = days.current(db)
    rows = {r.day: r for r in repository.entries(db, year)}
    package = package_days(year)
    kinds = catalogue.labels_of(db, KIND_TABLE, locale)
    out = []
    for e in cal.year(year):
        row = rows.get(e.day) if e.source == BANK else None
        under = package.get(e.day) if e.source == BANK else None
        out.append(
            CalendarDayRead(
                day=e.day,
                weekday=e.day.weekday(),
                kind=e.kind,
                kind_label=kinds.get(e.kind, e.kind),
                working=e.kind == WORKDAY,
                label=_label(e, locale),
                label_en=e.label_en,
                label_zh=e.label_zh,
                source=e.source,
                overrides=_label(under, locale) if under else None,
                changed_by=row.changed_by if row else None,
                changed_at=row.changed_at if row else None,
            )
        )
    return CalendarYearRead(year=year, has_make_up_days=cal.has_make_up_days(year), days=out)


def months(found: CalendarYearRead) -> list[tuple[int, list[list[Cell | None]]]]:
    """The twelve months as weeks Monday to Sunday, each day with its entry (if any) and whether it is worked."""
    entries = {d.day: d for d in found.days}
    out = []
    for month in range(1, 13):
        weeks = []
        for week in stdlib_calendar.monthcalendar(found.year, month):
            cells: list[Cell | None] = []
            for n in week:
                if n == 0:
                    cells.append(None)
                    continue
                day = date(found.year, month, n)
                entry = entries.get(day)
                cells.append(Cell(day, entry, entry.working if entry else day.weekday() < 5))
            weeks.append(cells)
        out.append((month, weeks))
    return out


def one(db: Session, principal: Principal, day: date, *, locale: str) -> CalendarDayRead | None:
    """The calendar's entry for one day as the year's read shows it (None: the weekday rule decides it)."""
    return next((d for d in year(db, principal, day.year, locale=locale).days if d.day == day), None)
