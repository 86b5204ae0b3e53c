"""Targets and performance: set a target, read targets with their actuals, attainment and rank in the branch."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL, Actor, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.audit import service as audit_service
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.org import OrgUnit
from bankcrm.models.sales import SalesTarget
from bankcrm.sales import catalogue, repository
from bankcrm.sales.schemas import RankingRow, TargetRead, TargetSet
from bankcrm.sales.service import actuals

NO_KIND = N_("No target kind has this code.")
NO_UNIT = N_("No unit in your scope has this code.")
NO_MANAGER = N_("No member of staff of this unit has this user name.")


def set_target(db: Session, principal: Principal, body: TargetSet) -> SalesTarget:
    """Set (or replace) a target in a unit of the caller's subtree, for a manager working under it or the unit."""
    errors: list[FieldError] = []
    if body.kind not in catalogue.target_kind_map():
        errors.append(FieldError("kind", NO_KIND))
    unit = repository.unit_by_code(db, body.unit)
    if unit is None or not unit_service.covers(principal, unit):
        errors.append(FieldError("unit", NO_UNIT))
    manager_id = None
    if body.manager is not None:
        user = repository.user_by_username(db, body.manager)
        if user is None or unit is None or user.org_unit_id not in {u.id for u in _subtree(db, unit)}:
            errors.append(FieldError("manager", NO_MANAGER))
        else:
            manager_id = user.id
    if errors or unit is None:
        raise ValidationFailed(errors=errors)
    row = repository.target(db, body.kind, body.period, unit.id, manager_id)
    before = row.value if row else None
    if row is None:
        row = SalesTarget(kind=body.kind, period=body.period, unit_id=unit.id, manager_id=manager_id, value=body.value)
        repository.add(db, row)
    row.value, row.set_by, row.set_at = body.value, principal.user_id, utcnow()
    db.flush()
    audit_service.record(
        db,
        Actor.of(principal),
        "target.set",
        entity_type="sales_target",
        entity_id=row.id,
        changes={"value": [before, body.value]},
        detail=f"{body.kind} {body.period} {body.unit} {body.manager or ''}".strip(),
    )
    return row


def _subtree(db: Session, unit: OrgUnit) -> list[OrgUnit]:
    return [u for u in unit_service.units_for_write(db, _wide()) if u.path.startswith(unit.path)]


def _wide() -> Principal:
    return SYSTEM_PRINCIPAL


def _attainment(target: int, actual: float) -> float | None:
    return None if target == 0 else round(actual * 100 / target, 1)


def targets(
    db: Session, principal: Principal, period: str, unit_code: str | None, locale: str, *, today: date
) -> list[TargetRead]:
    """The period's targets under a unit in scope (an account manager: their own only) with actuals and ranks."""
    unit = unit_service.unit_in_scope(db, principal, unit_code)
    units = _subtree(db, unit)
    rows = repository.targets(db, period, [u.id for u in units])
    if principal.data_scope == "own" and not principal.is_system:
        mine = [r for r in rows if r.manager_id == principal.user_id]
        # their rank reads every manager's target of the same unit and kind
        rows = [
            r for r in rows if r.manager_id is not None and (r.unit_id, r.kind) in {(m.unit_id, m.kind) for m in mine}
        ]
    else:
        mine = rows
    codes = {u.id: u.code for u in units}
    names = repository.user_names(db, {r.manager_id for r in rows if r.manager_id})
    kinds = catalogue.target_kind_map()
    out: list[TargetRead] = []
    groups: dict[tuple[str, int], list[SalesTarget]] = {}
    for r in rows:
        if r.manager_id is not None:
            groups.setdefault((r.kind, r.unit_id), []).append(r)
    got: dict[int, float] = {}
    ranks: dict[int, tuple[int, int]] = {}
    for (kind, _), members in groups.items():
        values = actuals.for_managers(db, kind, period, [m.manager_id for m in members if m.manager_id], today=today)
        for m in members:
            got[m.id] = values.get(m.manager_id or 0, 0.0)
        order = sorted(members, key=lambda m: (-(_attainment(m.value, got[m.id]) or 0), -got[m.id], m.id))
        for n, m in enumerate(order, start=1):
            ranks[m.id] = (n, len(order))
    for r in mine:
        if r.manager_id is None:
            path = next(u.path for u in units if u.id == r.unit_id)
            got[r.id] = actuals.for_unit(db, r.kind, period, path, today=today)
        k = kinds.get(r.kind)
        rank = ranks.get(r.id)
        out.append(
            TargetRead(
                kind=r.kind,
                kind_label=k.label(locale) if k else r.kind,
                unit_of_measure=k.unit if k else "count",
                period=r.period,
                unit=codes[r.unit_id],
                manager=names[r.manager_id][0] if r.manager_id else None,
                manager_name=names[r.manager_id][1] if r.manager_id else None,
                target=r.value,
                actual=got[r.id],
                attainment_pct=_attainment(r.value, got[r.id]),
                rank=rank[0] if rank else None,
                ranked=rank[1] if rank else None,
            )
        )
    ranking = {k.code: k.order for k in catalogue.target_kinds()}
    return sorted(out, key=lambda t: (ranking.get(t.kind, 0), t.unit, t.manager is not None, t.manager or ""))


def leaderboard(items: list[TargetRead], kind: str) -> list[RankingRow]:
    """The managers' targets of one kind, best attainment first."""
    rows = [t for t in items if t.kind == kind and t.manager is not None and t.rank is not None]
    return [
        RankingRow(
            rank=t.rank or 0,
            manager=t.manager or "",
            manager_name=t.manager_name or "",
            target=t.target,
            actual=t.actual,
            attainment_pct=t.attainment_pct,
        )
        for t in sorted(rows, key=lambda t: (t.rank or 0, t.manager or ""))
    ]


def check_period(period: str) -> str:
    """A period as YYYY-MM or YYYY-Qn, or a 422 naming ``period``."""
    if not re.fullmatch(r"[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])", period):
        raise ValidationFailed(errors=[FieldError("period", N_("Enter a period as YYYY-MM or YYYY-Qn."))])
    return period


def not_found() -> NotFound:
    """The 404 of a manager outside scope."""
    return NotFound(None)


def form_choices(db: Session, unit_path: str, locale: str) -> dict[str, list[tuple[str, str]]]:
    """What the target form offers: the kinds of the catalogue, and the staff working under the unit (a manager
    elsewhere would be refused)."""
    return {
        "kinds": [(k.code, k.label(locale)) for k in catalogue.target_kinds()],
        "managers": [(u.username, u.display_name) for u in repository.users_under(db, unit_path)],
    }
