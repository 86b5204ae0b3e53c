"""The bank's working calendar: Monday to Friday, less China's statutory holidays and plus its make-up working
days (调休) as the ``holidays`` package carries them, and the bank's own entries winning over both (the State
Council publishes next year's schedule late in the year; the bank enters it before the package has it).

Pure: the bank's entries are handed in (``Calendar``); the workcalendar module loads them from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from holidays import country_holidays

HOLIDAY = "HOLIDAY"
WORKDAY = "WORKDAY"
KINDS = (HOLIDAY, WORKDAY)
PACKAGE = "package"
BANK = "bank"
# The package names its holidays in both languages but not its make-up working days.
MAKE_UP_LABELS = ("Make-up working day", "调休上班")


@dataclass(frozen=True)
class CalendarDay:
    """A day the calendar answers against the weekday rule (or names, as a holiday on a weekend), and from where."""

    day: date
    kind: str  # HOLIDAY or WORKDAY
    label_en: str
    label_zh: str
    source: str  # package or bank


@cache
def package_days(year: int) -> dict[date, CalendarDay]:
    """The package's China holidays (day-off substitutions included) and make-up working days of one year."""
    english = country_holidays("CN", years=year, language="en_US")
    chinese = country_holidays("CN", years=year, language="zh_CN")
    out = {d: CalendarDay(d, HOLIDAY, english[d], chinese[d], PACKAGE) for d in sorted(english)}
    for d in sorted(english.weekend_workdays):
        if d.year == year:
            out[d] = CalendarDay(d, WORKDAY, *MAKE_UP_LABELS, PACKAGE)
    return out


@dataclass(frozen=True)
class Calendar:
    """The package's calendar with the bank's entries (day → entry) laid over it."""

    bank: Mapping[date, CalendarDay] = field(default_factory=dict)

    def day(self, day: date) -> CalendarDay | None:
        """The entry that decides ``day``: the bank's, else the package's, else None (the weekday rule)."""
        return self.bank.get(day) or package_days(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a weekend day made a working day."""
        entry = self.day(day)
        return day.weekday() < 5 if entry is None else entry.kind == WORKDAY

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def year(self, year: int) -> list[CalendarDay]:
        """Every entry of one year, the bank's winning over the package's, in day order."""
        merged = package_days(year) | {d: e for d, e in self.bank.items() if d.year == year}
        return [merged[d] for d in sorted(merged)]

    def has_make_up_days(self, year: int) -> bool:
        """Whether any source gives the year a make-up working day (none: its schedule is not entered yet)."""
        return any(e.kind == WORKDAY and e.day.weekday() >= 5 for e in self.year(year))


PACKAGE_ONLY = Calendar()  # without the bank's entries: for code that has no database at hand


def is_working_day(day: date, calendar: Calendar = PACKAGE_ONLY) -> bool:
    """Whether ``day`` is a working day in ``calendar``."""
    return calendar.is_working_day(day)


def add_working_days(start: date, days: int, calendar: Calendar = PACKAGE_ONLY) -> date:
    """The ``days``-th working day after ``start`` in ``calendar``."""
    return calendar.add_working_days(start, days)


def working_days_between(start: date, end: date, calendar: Calendar = PACKAGE_ONLY) -> int:
    """Working days in ``calendar`` after ``start`` up to and including ``end``."""
    return calendar.working_days_between(start, end)
