"""Customer fields and values as the reader reads them: field labels, code labels, unit and manager names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.fields import FIELD_CODES, FIELD_LABELS
from bankcrm.errors import NotFound
from bankcrm.kit.i18n import gettext_for

# List fields kept as "code: text; code: text": the code table of each part's leading code.
LIST_CODES = {"family_members": "family_relation", "addresses": "address_type", "contact_persons": "contact_role"}
CATEGORIES = sorted({*FIELD_CODES.values(), *LIST_CODES.values()})


@dataclass
class Labeller:
    """Labels for one reader's language; unit and manager names are looked up once each."""

    db: Session
    locale: str
    codes: dict[str, dict[str, str]]

    def field(self, name: str) -> str:
        """The field's label; a field missing from the table keeps its name rather than vanish."""
        return gettext_for(self.locale, FIELD_LABELS[name]) if name in FIELD_LABELS else name

    def value(self, field: str, value: Any) -> str | None:
        """A stored or requested value as the reader reads it (None when empty)."""
        if value is None or value == "":
            return None
        if isinstance(value, bool) or value in ("True", "False"):
            return gettext_for(self.locale, "Yes" if value in (True, "True") else "No")
        text = str(value)
        if field in FIELD_CODES:
            return self.codes.get(FIELD_CODES[field], {}).get(text, text)
        if field in LIST_CODES:
            return "; ".join(self._part(LIST_CODES[field], part) for part in text.split("; "))
        if field in ("nationality", "id_country"):  # ISO 3166 country codes: Babel has their names in both languages
            names = Locale.parse("zh_Hans_CN" if self.locale == "zh_CN" else "en").territories
            return str(names.get(text, text))
        if field == "home_unit_id" and text.isdigit():
            return self._unit(int(text))
        if field == "account_manager_id" and text.isdigit():
            return user_service.display_names(self.db, {int(text)}).get(int(text), text)
        return text

    def _part(self, category: str, part: str) -> str:
        code, sep, rest = part.partition(": ")
        return f"{self.codes.get(category, {}).get(code, code)}{sep}{rest}" if sep else part

    def _unit(self, unit_id: int) -> str:
        try:
            unit = unit_service.get_unit(self.db, SYSTEM_PRINCIPAL, unit_id)
        except NotFound:
            return str(unit_id)
        return f"{unit.code} · {unit.name(self.locale)}"


def labeller(db: Session, locale: str) -> Labeller:
    """A labeller for the reader's language (one query for every code table it needs)."""
    return Labeller(db, locale, catalogue.code_labels(db, CATEGORIES, locale))
