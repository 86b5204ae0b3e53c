"""The checked fields as shipped (reference_data/catalogue/quality_field.csv): per customer kind, the rule that
says a field is valid. A field is complete when a value is present; it is valid when it is complete and its rule
(the customer form's own validation) accepts it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue" / "quality_field.csv"
KINDS = ("individual", "corporate")
# The rules a field may name; each is applied by bankcrm.quality.service.rules with the form's validators.
RULES = frozenset(
    {"present", "code", "id_document", "not_expired", "not_future", "birth_date", "phones", "emails", "uscc"}
)
# Customers no longer served are left out of every figure (customer_status codes).
LEFT_OUT_STATUSES = ("CLOSED", "MERGED")
# The pseudo-field of the trend table that counts customers in open duplicate reviews.
DUPLICATE_FIELD = "all.duplicate"


@dataclass(frozen=True)
class QualityField:
    """One checked field of one customer kind."""

    kind: str
    field: str
    label_en: str
    label_zh: str
    rule: str
    sort_order: int

    @property
    def key(self) -> str:
        """``kind.field``: how a list filter and the trend table name it."""
        return f"{self.kind}.{self.field}"

    def label(self, locale: str) -> str:
        """The label in the reader's language."""
        return self.label_zh if locale.startswith("zh") else self.label_en


@cache
def fields() -> tuple[QualityField, ...]:
    """Every checked field, individuals first, each kind in display order; a bad row raises ValueError."""
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as fh:
        rows = [
            QualityField(r["kind"], r["field"], r["label_en"], r["label_zh"], r["rule"], int(r["sort_order"]))
            for r in csv.DictReader(fh)
        ]
    for row in rows:
        if row.kind not in KINDS or row.rule not in RULES or not row.label_en or not row.label_zh:
            raise ValueError(f"quality_field.csv: bad row {row}")
    if len({r.key for r in rows}) != len(rows):
        raise ValueError("quality_field.csv: a field appears twice")
    return tuple(sorted(rows, key=lambda r: (KINDS.index(r.kind), r.sort_order)))


def by_key() -> dict[str, QualityField]:
    """``kind.field`` → the field."""
    return {f.key: f for f in fields()}


def field_choices(locale: str) -> list[tuple[str, str]]:
    """(``kind.field``, label with its kind) for a filter's pick list, in display order."""
    kinds = {"individual": ("Individual", "个人"), "corporate": ("Corporate", "对公")}
    zh = locale.startswith("zh")
    return [(f.key, f"{kinds[f.kind][1 if zh else 0]} · {f.label(locale)}") for f in fields()]
