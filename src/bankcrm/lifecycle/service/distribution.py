"""The stages of one month under a unit in the caller's scope: by branch (the unit's children), by value tier,
and the flows from the month before (the matrix and the Sankey diagram's links)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units
from bankcrm.audit import service as audit_service
from bankcrm.catalogue import service as catalogue_service
from bankcrm.insight import catalogue as insight_catalogue
from bankcrm.insight.service.compute import add_months
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.lifecycle import catalogue, repository, schemas
from bankcrm.lifecycle.service.reads import require
from bankcrm.models.org import OrgUnit

HOMED_HERE = N_("%(unit)s (homed here)")


def scope_unit(db: Session, principal: Principal, code: str | None) -> OrgUnit:
    """The unit asked for inside the caller's subtree (default: the caller's own root); 404 otherwise, audited."""
    require(principal)
    return units.unit_in_scope(db, principal, code)


def _branch_of(root: OrgUnit, path: str) -> int:
    rest = path[len(root.path) :].strip("/")
    return int(rest.split("/")[0]) if rest else root.id


def _rows(groups: dict[str, dict[str, int]], labels: dict[str, str]) -> list[schemas.DistributionRow]:
    rows = [
        schemas.DistributionRow(key=k, label=labels.get(k, k), counts=dict(v), total=sum(v.values()))
        for k, v in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.total, r.key))


def distribution(
    db: Session, principal: Principal, unit_code: str | None, month: date | None, locale: str
) -> schemas.DistributionRead:
    """Customers per stage of the month (default: the newest evaluated) by branch and tier, and the flows."""
    root = scope_unit(db, principal, unit_code)
    chosen = month or repository.latest_evaluated(db)
    labels = catalogue_service.labels_of(db, "lifecycle_stage", locale)
    stages = [schemas.StageRef(code=s, label=labels.get(s, s)) for s in catalogue.stages()]
    if chosen is None:
        return schemas.DistributionRead(
            unit=root.code,
            month=None,
            previous_month=None,
            stages=stages,
            totals={},
            by_branch=[],
            by_tier=[],
            flows=[],
        )
    rows = repository.stage_rows(db, principal, chosen, root.path)
    by_branch: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_tier: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    branch_ids = {uid: _branch_of(root, path) for uid, path, _t, _s in rows}
    units = repository.units_by_id(db, set(branch_ids.values()))
    for uid, _path, tier, stage in rows:
        by_branch[units[branch_ids[uid]].code][stage] += 1
        by_tier[tier][stage] += 1
        totals[stage] += 1
    zh = locale == "zh_CN"
    unit_labels = {}
    for u in units.values():
        name = f"{u.code} {u.name_zh if zh else u.name_en}"
        unit_labels[u.code] = gettext_for(locale, HOMED_HERE, {"unit": name}) if u.id == root.id else name
    tier_labels = {t.code: t.label_zh if zh else t.label_en for t in insight_catalogue.tiers()}
    before = add_months(chosen, -1)
    flows = [
        schemas.FlowRead(from_stage=f, to_stage=t, customers=n)
        for f, t, n in repository.flow_rows(db, principal, chosen, before, root.path)
    ]
    order = {s: i for i, s in enumerate(catalogue.stages())}
    flows.sort(key=lambda f: (order.get(f.from_stage or "", -1), order.get(f.to_stage, 99)))
    return schemas.DistributionRead(
        unit=root.code,
        month=f"{chosen:%Y-%m}",
        previous_month=f"{before:%Y-%m}",
        stages=stages,
        totals=dict(totals),
        by_branch=_rows(by_branch, unit_labels),
        by_tier=_rows(by_tier, tier_labels),
        flows=flows,
    )


def record_export(db: Session, principal: Principal, read: schemas.DistributionRead, fmt: str) -> None:
    """One audit event for an export of the distribution."""
    audit_service.record(
        db,
        Actor.of(principal),
        "lifecycle.export",
        detail=f"{fmt}: unit {read.unit}, month {read.month}, {len(read.by_branch)} branches",
    )
