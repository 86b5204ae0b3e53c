"""Business hours: add N working hours to a moment, on the bank's working days and hours, in the bank's zone.

Which days are working days is the bank's working calendar (kit.workdays.Calendar), handed in by the caller with
the bank's entries loaded; this module knows only the hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bankcrm.kit.time import as_utc
from bankcrm.kit.workdays import PACKAGE_ONLY, Calendar


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours on each working day of the bank's calendar."""

    zone: str
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    days: Calendar = field(default=PACKAGE_ONLY)

    def is_working_day(self, day: date) -> bool:
        """The calendar's answer for ``day``."""
        return self.days.is_working_day(day)

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
