"""Business hours: add N working hours to a moment, on the bank's working days and hours, in the bank's zone.

A working day is Monday to Friday unless the calendar closes it (a holiday), plus any weekend day the calendar
opens (调休 make-up day). The calendar is data handed in by the caller; this module knows no dates itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bankcrm.kit.time import as_utc


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours each working day and the days the bank closes or opens against the weekday rule."""

    zone: str
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    closed: frozenset[date] = field(default_factory=frozenset)
    opened: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday unless closed; a weekend day only when opened."""
        if day in self.closed:
            return False
        return day.weekday() < 5 or day in self.opened

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """The moment (UTC) when ``hours`` working hours have passed since ``start``."""
        zone = ZoneInfo(self.zone)
        now = as_utc(start).astimezone(zone)
        left = timedelta(hours=hours)
        day = now.date()
        for _ in range(3660):  # ten years of days: a calendar closing everything must not loop forever
            if self.is_working_day(day):
                opens = datetime.combine(day, self.day_start, zone)
                closes = datetime.combine(day, self.day_end, zone)
                begin = max(now, opens)
                if begin < closes:
                    if begin + left <= closes:
                        return (begin + left).astimezone(ZoneInfo("UTC"))
                    left -= closes - begin
            day += timedelta(days=1)
            now = datetime.combine(day, time(0, 0), zone)
        raise ValueError("the calendar has no working hours in the next ten years")
