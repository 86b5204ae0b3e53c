"""The value dashboard of a month under a unit: the tier pyramid, the month-to-month tier moves, AUM by branch and
tier, and the contribution Pareto of the value module. Customers are those in the caller's scope homed (now) under
the unit."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.errors import Forbidden
from bankcrm.insight import catalogue
from bankcrm.insight.repository import dashboard as repository
from bankcrm.insight.repository import newest_month
from bankcrm.insight.schemas import (
    AumCell,
    DashboardRead,
    MigrationCell,
    MigrationMatrix,
    PyramidRow,
    TierRead,
    UnitRead,
)
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models.org import OrgUnit
from bankcrm.value.schemas import READ as VALUE_READ
from bankcrm.value.service import rollup

READ = "insight.dashboard"
HOMED_HERE = N_("%(unit)s (homed here)")


def scope_unit(db: Session, principal: Principal, code: str | None) -> OrgUnit:
    """The unit asked for (by code) inside the caller's subtree; default: the caller's own root. 404 otherwise,
    audited when the unit exists."""
    if not principal.can(READ):
        raise Forbidden(audit=denied(principal, "read value dashboard", READ))
    return units.unit_in_scope(db, principal, code)


def previous_month(month: date) -> date:
    """The first day of the month before."""
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def tiers_of(kind: str) -> list[catalogue.Tier]:
    """The catalogue's tiers of a kind, highest first (the pyramid's top)."""
    return sorted((t for t in catalogue.tiers() if t.kind == kind), key=lambda t: -t.rank)


def _label(code: str, locale: str) -> str:
    found = catalogue.tier(code)
    return found.label(locale) if found else code


def dashboard(
    db: Session, principal: Principal, unit_code: str | None, month: date | None, locale: str
) -> DashboardRead:
    """The month's (default: the snapshot's newest) pyramid, tier moves against the month before, AUM by branch."""
    root = scope_unit(db, principal, unit_code)
    chosen = month or newest_month(db)
    if chosen is None:
        return DashboardRead(
            unit=root.code,
            month=None,
            previous_month=None,
            pyramid=[],
            migration=[],
            branches=[],
            aum_by_branch_tier=[],
        )
    before = previous_month(chosen)
    totals = {(k, t): (n, e, a) for k, t, n, e, a in repository.tier_totals(db, principal, chosen, root.path)}
    pyramid = []
    for kind in catalogue.KINDS:
        known = tiers_of(kind)
        extra = sorted(t for k, t in totals if k == kind and catalogue.tier(t) is None)  # a tier since retired
        for code in [t.code for t in known] + extra:
            n, e, a = totals.get((kind, code), (0, 0, 0))
            pyramid.append(
                PyramidRow(kind=kind, tier=code, label=_label(code, locale), customers=n, aum_end=e, aum_avg=a)
            )
    moves: dict[str, list[MigrationCell]] = {kind: [] for kind in catalogue.KINDS}
    for kind, was, now, n in sorted(
        repository.tier_moves(db, principal, chosen, before, root.path), key=lambda r: (r[0], r[1] or "", r[2] or "")
    ):
        moves.setdefault(kind, []).append(MigrationCell(from_tier=was, to_tier=now, customers=n))
    migration = [
        MigrationMatrix(
            kind=kind, tiers=[TierRead(code=t.code, label=t.label(locale)) for t in tiers_of(kind)], cells=cells
        )
        for kind, cells in moves.items()
    ]
    branches, cells = _by_branch(db, principal, root, chosen, locale)
    return DashboardRead(
        unit=root.code,
        month=f"{chosen:%Y-%m}",
        previous_month=f"{before:%Y-%m}",
        pyramid=pyramid,
        migration=migration,
        branches=branches,
        aum_by_branch_tier=cells,
        pareto=rollup.rollup(db, principal, root.code, chosen, "branch", locale).pareto
        if principal.can(VALUE_READ)
        else None,
    )


def _by_branch(
    db: Session, principal: Principal, root: OrgUnit, month: date, locale: str
) -> tuple[list[UnitRead], list[AumCell]]:
    """Each customer counts under the child of ``root`` their home unit lies in (``root`` itself when homed there)."""
    sums: dict[tuple[int, str], list[int]] = {}
    for _unit, path, tier, n, aum in repository.unit_tier_aum(db, principal, month, root.path):
        rest = path[len(root.path) :].strip("/")
        branch = int(rest.split("/")[0]) if rest else root.id
        cell = sums.setdefault((branch, tier), [0, 0])
        cell[0] += n
        cell[1] += aum
    units = repository.units_by_id(db, {b for b, _ in sums})
    zh = locale == "zh_CN"

    def label(u: OrgUnit) -> str:
        name = f"{u.code} {u.name_zh if zh else u.name_en}"
        return gettext_for(locale, HOMED_HERE, {"unit": name}) if u.id == root.id else name

    ordered = sorted(units.values(), key=lambda u: (u.id == root.id, u.code))
    rank = {t.code: i for i, t in enumerate(tiers_of("individual") + tiers_of("corporate"))}
    cells = [
        AumCell(unit=units[b].code, tier=t, customers=n, aum_end=aum)
        for (b, t), (n, aum) in sorted(sums.items(), key=lambda i: (units[i[0][0]].code, rank.get(i[0][1], 99)))
    ]
    return [UnitRead(code=u.code, label=label(u)) for u in ordered], cells


def record_export(db: Session, principal: Principal, read: DashboardRead, part: str, fmt: str, rows: int) -> None:
    """One audit event for an export of a dashboard table."""
    audit_service.record(
        db,
        Actor.of(principal),
        "insight.dashboard_export",
        detail=f"{fmt}: {part}, unit {read.unit}, month {read.month}, {rows} rows",
    )
