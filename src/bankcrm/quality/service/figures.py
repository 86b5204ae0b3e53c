"""The quality page's figures for a principal's scope: per field, per branch, duplicates, sources, and the trend."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.errors import NotFound
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.models.org import OrgUnit
from bankcrm.quality import repository
from bankcrm.quality.catalogue import DUPLICATE_FIELD, fields
from bankcrm.quality.schemas import BranchFigureRead, FieldFigureRead, QualityRead, SourceFigureRead, TrendMonthRead
from bankcrm.quality.service import kept

TREND_MONTHS = 12


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal (None when there is nothing to count)."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class FieldFigure:
    """One checked field over the customers of its kind."""

    key: str
    kind: str
    label: str
    customers: int
    complete: int
    valid: int

    @property
    def complete_pct(self) -> float | None:
        """Complete, in per cent of the customers of the kind."""
        return pct(self.complete, self.customers)

    @property
    def valid_pct(self) -> float | None:
        """Valid, in per cent of the customers of the kind."""
        return pct(self.valid, self.customers)


@dataclass(frozen=True)
class BranchFigure:
    """One unit below the scope's root (or the root itself, for customers homed there): all fields together."""

    unit_id: int
    code: str
    name: str
    customers: int
    checks: int  # customers x the fields of their kind
    complete: int
    valid: int
    duplicates: int

    @property
    def complete_pct(self) -> float | None:
        """Complete field values, in per cent of the checks."""
        return pct(self.complete, self.checks)

    @property
    def valid_pct(self) -> float | None:
        """Valid field values, in per cent of the checks."""
        return pct(self.valid, self.checks)

    @property
    def duplicate_pct(self) -> float | None:
        """Customers in open duplicate reviews, in per cent of the customers."""
        return pct(self.duplicates, self.customers)


@dataclass(frozen=True)
class SourceFigure:
    """Customers with at least one record from a source system (code None: customers with no source record)."""

    code: str | None
    label: str
    customers: int


@dataclass(frozen=True)
class QualityFigures:
    """Everything the quality page shows for one scope."""

    root: OrgUnit
    as_of: date
    customers: int
    duplicates: int
    fields: list[FieldFigure]
    branches: list[BranchFigure]
    sources: list[SourceFigure]

    @property
    def duplicate_pct(self) -> float | None:
        """Customers in open duplicate reviews, in per cent of the customers."""
        return pct(self.duplicates, self.customers)

    @property
    def without_source(self) -> int:
        """Customers no source system delivers."""
        return next((s.customers for s in self.sources if s.code is None), 0)


@dataclass(frozen=True)
class TrendMonth:
    """One month-end of the trend: all checked fields together, and the duplicate count."""

    month_end: date
    customers: int
    checks: int
    complete: int
    valid: int
    duplicates: int

    @property
    def complete_pct(self) -> float | None:
        """Complete field values, in per cent of the checks."""
        return pct(self.complete, self.checks)

    @property
    def valid_pct(self) -> float | None:
        """Valid field values, in per cent of the checks."""
        return pct(self.valid, self.checks)


def scope_root(db: Session, principal: Principal, unit_id: int | None = None) -> OrgUnit:
    """The unit whose subtree the figures cover: the one asked for (inside the scope), else the scope's own root.

    A bank-wide reader starts at the head office; anyone else at their own unit. A unit outside the
    reader's subtree is 404, as if it did not exist.
    """
    if principal.data_scope == "all" or principal.is_system:
        roots = repository.root_units(db)
        own_root = roots[0] if roots else None
        within = "/"
    else:
        own_root = repository.unit(db, principal.unit_id)
        within = principal.unit_path
    if unit_id is not None:
        chosen = repository.unit(db, unit_id)
        if chosen is None or not chosen.path.startswith(within):
            raise NotFound(N_("No such unit."))
        return chosen
    if own_root is None:
        raise NotFound(N_("No such unit."))
    return own_root


def branch_of(root_path: str, unit_path: str, unit_id: int) -> int:
    """The unit a customer's home unit rolls up to: the root's child on its path, the root itself, or its own."""
    if not unit_path.startswith(root_path):
        return unit_id  # a co-managed customer outside the reader's subtree
    rest = unit_path[len(root_path) :].strip("/")
    if not rest:
        return int(root_path.strip("/").split("/")[-1])
    return int(rest.split("/")[0])


def compute(
    db: Session, cipher: FieldCipher, principal: Principal, today: date, locale: str, *, unit_id: int | None = None
) -> QualityFigures:
    """The figures over the served customers the principal may read under the root unit, checked as of ``today``."""
    root = scope_root(db, principal, unit_id)
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_branch: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    units = {u.id: u for u in repository.units_under(db, root.path)}
    catalogue = fields()
    customers = 0
    for (home_unit_id, kind), t in kept.tally(db, cipher, principal, today, under_path=root.path).items():
        customers += t.customers
        branch = per_branch[branch_of(root.path, units[home_unit_id].path, home_unit_id)]
        branch[0] += t.customers
        for i, f in enumerate(catalogue):
            if f.kind != kind:
                continue
            counts = per_field[f.key]
            counts[0] += t.customers
            counts[1] += t.complete[i]
            counts[2] += t.valid[i]
            branch[1] += t.customers
            branch[2] += t.complete[i]
            branch[3] += t.valid[i]
    duplicates = 0
    for home_unit_id in repository.duplicate_units(db, principal, root.path):
        duplicates += 1
        per_branch[branch_of(root.path, units[home_unit_id].path, home_unit_id)][4] += 1
    return QualityFigures(
        root=root,
        as_of=today,
        customers=customers,
        duplicates=duplicates,
        fields=[
            FieldFigure(f.key, f.kind, f.label(locale), *per_field.get(f.key, [0, 0, 0]))
            for f in catalogue
            if f.kind in _kinds(per_field)
        ],
        branches=_branches(db, root, per_branch, locale),
        sources=_sources(db, repository.source_counts(db, principal, root.path), locale),
    )


def _kinds(per_field: dict[str, list[int]]) -> set[str]:
    return {key.split(".")[0] for key in per_field} or {"individual", "corporate"}


def _branches(db: Session, root: OrgUnit, per_branch: dict[int, list[int]], locale: str) -> list[BranchFigure]:
    units = {u.id: u for u in repository.units_under(db, root.path)}
    for unit_id in per_branch.keys() - units.keys():
        other = repository.unit(db, unit_id)
        if other is not None:
            units[other.id] = other
    children = [u for u in units.values() if u.parent_id == root.id]
    order = [root.id, *(u.id for u in sorted(children, key=lambda u: u.code))]
    order += sorted(per_branch.keys() - set(order))
    out = []
    for unit_id in order:
        unit = units[unit_id]
        counts = per_branch.get(unit_id, [0, 0, 0, 0, 0])
        if unit_id == root.id and not counts[0]:
            continue  # nobody homed at the root itself: no row for it
        name = unit.name_zh if locale.startswith("zh") else unit.name_en
        out.append(BranchFigure(unit.id, unit.code, name, *counts))
    return out


def _sources(db: Session, per_source: Counter[str | None], locale: str) -> list[SourceFigure]:
    out = []
    known = set()
    for system in repository.source_systems(db):
        known.add(system.code)
        label = system.label_zh if locale.startswith("zh") else system.label_en
        out.append(SourceFigure(system.code, label, per_source.get(system.code, 0)))
    for code in sorted(c for c in per_source if c is not None and c not in known):
        out.append(SourceFigure(code, code, per_source[code]))
    out.append(SourceFigure(None, "", per_source.get(None, 0)))
    return out


def month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def trend(db: Session, principal: Principal, today: date, *, unit_id: int | None = None) -> list[TrendMonth]:
    """The last 12 month-ends of the snapshot table, summed over the root unit's subtree."""
    root = scope_root(db, principal, unit_id)
    under = None if root.parent_id is None else root.path
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    individual_customers: dict[date, int] = defaultdict(int)
    corporate_customers: dict[date, int] = defaultdict(int)
    first = {f.kind: f.key for f in reversed(fields())}  # one field per kind gives its customer count
    for month_end, key, customers, complete, valid in repository.trend(db, month_start(today, TREND_MONTHS - 1), under):
        counts = months[month_end]
        if key == DUPLICATE_FIELD:
            counts[4] += complete
            continue
        if key == first.get("individual"):
            individual_customers[month_end] += customers
        if key == first.get("corporate"):
            corporate_customers[month_end] += customers
        counts[1] += customers
        counts[2] += complete
        counts[3] += valid
    return [
        TrendMonth(m, individual_customers[m] + corporate_customers[m], c[1], c[2], c[3], c[4])
        for m, c in sorted(months.items())
    ]


def as_read(fig: QualityFigures) -> QualityRead:
    """The figures as the API gives them."""
    return QualityRead(
        unit_id=fig.root.id,
        unit_code=fig.root.code,
        as_of=fig.as_of,
        customers=fig.customers,
        duplicates=fig.duplicates,
        duplicate_pct=fig.duplicate_pct,
        without_source=fig.without_source,
        fields=[FieldFigureRead(**_props(f, FieldFigureRead)) for f in fig.fields],
        branches=[BranchFigureRead(**_props(b, BranchFigureRead)) for b in fig.branches],
        sources=[SourceFigureRead(code=s.code, label=s.label, customers=s.customers) for s in fig.sources],
    )


def trend_read(months: list[TrendMonth]) -> list[TrendMonthRead]:
    """The trend as the API gives it."""
    return [TrendMonthRead(**_props(m, TrendMonthRead)) for m in months]


def _props(obj: object, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in model.model_fields}
