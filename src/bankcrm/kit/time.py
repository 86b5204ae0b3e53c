"""UTC time for storage, the bank's zone for display."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


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
