"""Pydantic shapes of the working calendar: one day's entry in, the year's exception days out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

FIRST_YEAR = 2001  # the first year the package carries China's schedule
LAST_YEAR = 2100


class CalendarDayWrite(BaseModel):
    """The bank's entry for one day: HOLIDAY or WORKDAY (code table calendar_day_kind) and its labels."""

    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
    label_en: Label
    label_zh: Label


class CalendarDayRead(BaseModel):
    """A day the calendar answers against the weekday rule (or names), where the answer comes from."""

    day: date
    weekday: int  # 0 Monday … 6 Sunday
    kind: str
    kind_label: str
    working: bool
    label: str  # in the reader's language
    label_en: str
    label_zh: str
    source: str  # package | bank
    overrides: str | None  # a bank entry over a package day: the package's label, in the reader's language
    changed_by: str | None
    changed_at: datetime | None


class CalendarYearRead(BaseModel):
    """One year: every exception day, and whether any source gives it make-up working days yet."""

    year: int
    has_make_up_days: bool
    days: list[CalendarDayRead]


class CalendarDayForm(CalendarDayWrite):
    """The admin page's form: the day with its entry."""

    day: date
