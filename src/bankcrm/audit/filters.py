"""Query parameters shared by the audit page and API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.time import parse_day
from bankcrm.kit.validators import InvalidValue


@dataclass(frozen=True)
class AuditFilters:
    """Filters as typed by a user: dates are days in the bank's zone, inclusive."""

    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    outcome: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def _day(self, name: str, value: str | None) -> date | None:
        try:
            return parse_day(value or "")
        except InvalidValue as exc:
            raise ValidationFailed(errors=[FieldError(name, exc.msgid)]) from exc

    def window(self, zone: str) -> tuple[datetime | None, datetime | None]:
        """The [since, until) UTC window the dates describe."""
        tz = ZoneInfo(zone)
        start, end = self._day("date_from", self.date_from), self._day("date_to", self.date_to)
        since = datetime.combine(start, time(), tz) if start else None
        until = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
        return since, until
