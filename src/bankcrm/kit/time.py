"""UTC time for storage, the bank's zone for display."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from bankcrm.kit.i18n import N_
from bankcrm.kit.validators import InvalidValue


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive values as UTC (SQLite returns them naive) and convert aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime, zone: str) -> datetime:
    """Convert a stored UTC time to the bank's display zone."""
    return as_utc(value).astimezone(ZoneInfo(zone))


def today_in(zone: str) -> date:
    """Today's date in the bank's zone (what "today" means on a form)."""
    return datetime.now(ZoneInfo(zone)).date()


@dataclass(frozen=True)
class BankDay:
    """A day of the bank's calendar and the moment it began (local midnight, in UTC): what "today" means to a card."""

    day: date
    midnight: datetime

    @classmethod
    def of(cls, day: date, zone: str) -> BankDay:
        """The bank's ``day`` in ``zone``."""
        return cls(day, datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC))

    @classmethod
    def now(cls, zone: str) -> BankDay:
        """Today in the bank's zone."""
        return cls.of(today_in(zone), zone)


# Dates a user may type: beyond these years date arithmetic (a day after, a time zone) overflows,
# and no bank record is dated there.
FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(2999, 12, 31)
BAD_DAY = N_("Enter a date as YYYY-MM-DD.")
DAY_OUT_OF_RANGE = N_("Enter a date between the years 1000 and 2999.")
DAY_OUT_OF_RANGE_ERROR = "date_out_of_range"  # the pydantic error type, mapped to DAY_OUT_OF_RANGE


def check_day(value: date) -> date:
    """A date within the years 1000 to 2999, else a pydantic error of type ``date_out_of_range``."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(DAY_OUT_OF_RANGE_ERROR, DAY_OUT_OF_RANGE)
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(value: object) -> object:
    """Only YYYY-MM-DD text (OpenAPI's `format: date`): pydantic alone would read "0" as 1970-01-01."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")
    return value


# The schema says what the validators enforce (years 1000-2999), so clients and fuzzers know it up front.
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": "^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$"}
# Every date given as input (query parameter or body field) is this type.
Day = Annotated[date, BeforeValidator(iso_day), AfterValidator(check_day), WithJsonSchema(DAY_SCHEMA)]


def parse_day(text: str) -> date | None:
    """A date typed on a page as YYYY-MM-DD (None when blank); raises InvalidValue naming the problem."""
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(BAD_DAY) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidValue(DAY_OUT_OF_RANGE)
    return day
