"""The bank's working calendar: Monday to Friday, less the statutory holidays, plus the make-up working days
(调休) of reference_data/catalogue/working_calendar.csv, which the bank keeps as data (the State Council
publishes next year's schedule late in the year). Escalations count in these days."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from pathlib import Path

CALENDAR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue" / "working_calendar.csv"


@cache
def exceptions() -> dict[date, bool]:
    """Day → whether it is a working day, for the days the calendar file names (a bad row raises naming it)."""
    out: dict[date, bool] = {}
    with CALENDAR.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if row["kind"] not in ("HOLIDAY", "WORKDAY"):
                raise ValueError(f"working_calendar.csv line {n}: kind must be HOLIDAY or WORKDAY")
            out[date.fromisoformat(row["day"])] = row["kind"] == "WORKDAY"
    return out


def is_working_day(day: date) -> bool:
    """A weekday that is not a holiday, or a weekend day the calendar makes a working day."""
    return exceptions().get(day, day.weekday() < 5)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
