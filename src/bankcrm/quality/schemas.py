"""The quality page's figures, its trend and the gaps list as the API gives them; the gaps list declared once."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page

READ = "quality.read"
GAPS_OWN = "quality.gaps.own"


class FieldFigureRead(BaseModel):
    """One checked field over the customers of its kind (percentages with one decimal; None: no customers)."""

    key: str
    kind: str
    label: str
    customers: int
    complete: int
    valid: int
    complete_pct: float | None
    valid_pct: float | None


class BranchFigureRead(BaseModel):
    """One unit below the root, all checked fields together, and its customers in open duplicate reviews."""

    unit_id: int
    code: str
    name: str
    customers: int
    checks: int
    complete: int
    valid: int
    complete_pct: float | None
    valid_pct: float | None
    duplicates: int
    duplicate_pct: float | None


class SourceFigureRead(BaseModel):
    """Customers with a record from one source system (``code`` null: customers with no source record)."""

    code: str | None
    label: str
    customers: int


class QualityRead(BaseModel):
    """The quality figures of one scope, as of a day."""

    unit_id: int
    unit_code: str
    as_of: date
    customers: int
    duplicates: int
    duplicate_pct: float | None
    without_source: int
    fields: list[FieldFigureRead]
    branches: list[BranchFigureRead]
    sources: list[SourceFigureRead]


class TrendMonthRead(BaseModel):
    """One month-end of the trend (the nightly snapshot), all checked fields together."""

    month_end: date
    customers: int
    checks: int
    complete: int
    valid: int
    complete_pct: float | None
    valid_pct: float | None
    duplicates: int


class GapRead(BaseModel):
    """A customer with at least one field missing or invalid (name as the reader may see it)."""

    id: int
    cif_no: str
    name: str
    kind: str
    unit: str
    unit_name: str
    manager_id: int | None
    manager: str | None
    gaps: int
    missing: list[str]
    invalid: list[str]


class GapPage(Page[GapRead]):
    """One page of customers with gaps."""


def _joined(values: list[str]) -> str:
    return "; ".join(values)


# Customers with gaps: names come as the reader may see them (masked without customer.name.read).
GAP_LIST = ListSpec(
    name="data-quality-gaps",
    columns=(
        Column("cif_no", N_("CIF no.")),
        Column("name", N_("Name")),
        Column("unit", N_("Home unit")),
        Column("manager", N_("Account manager")),
        Column("gaps", N_("Gaps")),
        Column("missing", N_("Missing"), sortable=False),
        Column("invalid", N_("Invalid"), sortable=False),
    ),
    default_sort="-gaps",
    tie_breaker="id",
    filters=(Filter("manager", "int"), Filter("field", max_length=60), Filter("unit", "int")),
    export=(
        ExportColumn(N_("CIF no."), lambda g: g.cif_no),
        ExportColumn(N_("Name"), lambda g: g.name),
        ExportColumn(N_("Kind"), lambda g: g.kind),
        ExportColumn(N_("Home unit"), lambda g: g.unit),
        ExportColumn(N_("Account manager"), lambda g: g.manager or ""),
        ExportColumn(N_("Gaps"), lambda g: g.gaps),
        ExportColumn(N_("Missing"), lambda g: _joined(g.missing)),
        ExportColumn(N_("Invalid"), lambda g: _joined(g.invalid)),
    ),
    audit_event="quality.gaps_export",
)
