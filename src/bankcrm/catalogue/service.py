"""Code tables for forms and pages: items in display order, and code → label in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from bankcrm.catalogue import repository
from bankcrm.kit.i18n import label
from bankcrm.models.customer import CodeItem


def code_table(db: Session, category: str) -> list[CodeItem]:
    """One code table in display order."""
    return repository.codes(db, category)


def code_tables(db: Session, categories: Iterable[str]) -> dict[str, list[CodeItem]]:
    """category → its code table in display order, for the given categories (one query for all)."""
    wanted = list(categories)
    out: dict[str, list[CodeItem]] = {category: [] for category in wanted}
    for item in repository.codes_of(db, wanted):
        out[item.category].append(item)
    return out


def labels_of(db: Session, category: str, locale: str) -> dict[str, str]:
    """code → label in the reader's language, for one code table."""
    return {c.code: label(c, locale) for c in code_table(db, category)}


def code_labels(db: Session, categories: Iterable[str], locale: str) -> dict[str, dict[str, str]]:
    """category → code → label in the reader's language, for showing coded fields."""
    return {
        category: {c.code: label(c, locale) for c in items} for category, items in code_tables(db, categories).items()
    }
