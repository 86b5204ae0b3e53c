"""Query parameters shared by the audit page and API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_


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
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationFailed(errors=[FieldError(name, N_("Enter a date as YYYY-MM-DD."))]) from exc

    def window(self, zone: str) -> tuple[datetime | None, datetime | None]:
        """The [since, until) UTC window the dates describe."""
        tz = ZoneInfo(zone)
        start, end = self._day("date_from", self.date_from), self._day("date_to", self.date_to)
        since = datetime.combine(start, time(), tz) if start else None
        until = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
        return since, until
