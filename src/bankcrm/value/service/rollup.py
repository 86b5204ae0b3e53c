"""Roll-ups of one month's contribution under a unit, in the caller's scope: by branch (the unit's children), by
account manager (each customer's total split by the performance shares holding on the period's last day), by
household, by corporate group and by value tier; and the Pareto curve (share of the total from the top x % of
customers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service import units
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.errors import Forbidden
from bankcrm.insight import catalogue as tier_catalogue
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.models.org import OrgUnit
from bankcrm.segments.service import members as segment_members
from bankcrm.value import repository, schemas
from bankcrm.value.service.compute import month_end, month_start

UNASSIGNED = N_("No account manager")
NONE_HOUSEHOLD = N_("In no household")
NONE_GROUP = N_("In no corporate group")
NO_SEGMENT = N_("In no segment you see")
NO_TIER = N_("No tier this month")
HOUSEHOLD = N_("Household %(id)s")
HOMED_HERE = N_("%(unit)s (homed here)")
PARETO_STEPS = (1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


def _divide(n: int, d: int) -> int:
    """n / d rounded half away from zero, in integers."""
    q = (abs(n) * 2 + d) // (2 * d)
    return -q if n < 0 else q


def scope_unit(db: Session, principal: Principal, code: str | None) -> OrgUnit:
    """The unit asked for (by code) inside the caller's subtree; default: the caller's own root. 404 otherwise,
    audited when the unit exists."""
    if not principal.can(schemas.READ):
        raise Forbidden(audit=denied(principal, "read contribution roll-up", schemas.READ))
    return units.unit_in_scope(db, principal, code)


def _branch_of(root: OrgUnit, path: str, unit_id: int) -> int:
    rest = path[len(root.path) :].strip("/")
    return int(rest.split("/")[0]) if rest else root.id


Groups = tuple[dict[str, list[int]], dict[str, str]]  # key → amounts (one per customer, or per share); key → label
Totals = Sequence[Any]  # (id, CIF no., kind, home unit id, home unit path, total) per customer


def _by_branch(db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str) -> Groups:
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    branch = {cid: _branch_of(root, path, uid) for cid, _c, _k, uid, path, _t in totals}
    units = repository.units_by_id(db, set(branch.values()))
    zh = locale == "zh_CN"
    for cid, _c, _k, _u, _p, total in totals:
        groups[str(units[branch[cid]].code)].append(int(total))
    for u in units.values():
        name = f"{u.code} {u.name_zh if zh else u.name_en}"
        labels[u.code] = gettext_for(locale, HOMED_HERE, {"unit": name}) if u.id == root.id else name
    return groups, labels


def _by_manager(db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str) -> Groups:
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {"-": gettext_for(locale, UNASSIGNED)}
    shares: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for cid, manager, share in repository.manager_shares(db, [t[0] for t in totals], month_end(chosen)):
        shares[cid].append((manager, share))
    names = repository.names_of_users(db, {m for s in shares.values() for m, _ in s})
    for cid, _c, _k, _u, _p, total in totals:
        if not shares.get(cid):
            groups["-"].append(int(total))
            continue
        for manager, share in shares[cid]:
            groups[str(manager)].append(_divide(int(total) * share, 10_000))
            labels[str(manager)] = names.get(manager, str(manager))
    return groups, labels


def _by_household(
    db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str
) -> Groups:
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {"-": gettext_for(locale, NONE_HOUSEHOLD)}
    homes = repository.households_of(db, [t[0] for t in totals])
    for cid, _c, _k, _u, _p, total in totals:
        key = str(homes[cid]) if cid in homes else "-"
        groups[key].append(int(total))
        if cid in homes:
            labels[key] = gettext_for(locale, HOUSEHOLD, {"id": key})
    return groups, labels


def _by_group(db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str) -> Groups:
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {"-": gettext_for(locale, NONE_GROUP)}
    of = repository.groups_of(db, [t[0] for t in totals])
    names = repository.core_names(db, set(of.values()))
    for cid, _c, _k, _u, _p, total in totals:
        key = str(of[cid]) if cid in of else "-"
        groups[key].append(int(total))
        if cid in of:
            labels[key] = names.get(of[cid], key)
    return groups, labels


def _by_tier(db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str) -> Groups:
    """By the customer's value tier of the same month (the monthly snapshot); no snapshot row: "-"."""
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {"-": gettext_for(locale, NO_TIER)}
    tiers = repository.tiers_of(db, [t[0] for t in totals], chosen)
    for cid, _c, _k, _u, _p, total in totals:
        code = tiers.get(cid, "-")
        groups[code].append(int(total))
        if code != "-":
            found = tier_catalogue.tier(code)
            labels[code] = found.label(locale) if found else code
    return groups, labels


def _by_segment(db: Session, principal: Principal, root: OrgUnit, chosen: date, totals: Totals, locale: str) -> Groups:
    """By the segments (that the reader may see) each customer was in during the month: a customer in two segments
    counts in both, one in none under "-"; so the rows may add up to more than the total."""
    groups: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {"-": gettext_for(locale, NO_SEGMENT)}
    of = segment_members.segments_during(db, principal, [t[0] for t in totals], chosen, month_end(chosen))
    for cid, _c, _k, _u, _p, total in totals:
        for segment_id, name in of.get(cid, [(None, None)]):
            key = "-" if segment_id is None else str(segment_id)
            groups[key].append(int(total))
            if name is not None:
                labels[key] = name
    return groups, labels


# How each ``by`` groups the customers: a new roll-up is one function and one entry here, plus its name in
# ``schemas.RollupBy``.
GROUPERS: dict[str, Callable[[Session, Principal, OrgUnit, date, Totals, str], Groups]] = {
    "branch": _by_branch,
    "manager": _by_manager,
    "household": _by_household,
    "group": _by_group,
    "tier": _by_tier,
    "segment": _by_segment,
}


def rollup(
    db: Session,
    principal: Principal,
    unit_code: str | None,
    month: date | None,
    by: schemas.RollupBy,
    locale: str,
) -> schemas.RollupRead:
    """One month's contribution of the customers in scope homed under the unit, grouped ``by``, with the Pareto."""
    root = scope_unit(db, principal, unit_code)
    chosen = month_start(month) if month else (repository.latest_month(db) or month_start(date.today()))
    totals = repository.customer_totals(db, principal, chosen, root.path)
    per_customer = {t[0]: int(t[5]) for t in totals}
    groups, labels = GROUPERS[by](db, principal, root, chosen, totals, locale)
    rows = [
        schemas.RollupRow(key=k, label=labels.get(k, k), customers=len(v), amount=sum(v)) for k, v in groups.items()
    ]
    rows.sort(key=lambda r: (-r.amount, r.key))
    return schemas.RollupRead(
        unit=root.code,
        month=f"{chosen:%Y-%m}",
        by=by,
        customers=len(per_customer),
        total=sum(per_customer.values()),
        loss_making=sum(1 for a in per_customer.values() if a < 0),
        loss_amount=sum(a for a in per_customer.values() if a < 0),
        rows=rows,
        pareto=pareto(list(per_customer.values())),
    )


def pareto(amounts: list[int]) -> list[schemas.ParetoPoint]:
    """For each step x: the customers in the top x % by contribution (rounded up) and their share of the value
    created — the sum over customers who contribute more than they cost — in per cent. Loss-making customers
    add nothing to it (they are counted apart), so the curve rises to 100 % and stays there."""
    ordered = sorted(amounts, reverse=True)
    created = sum(a for a in ordered if a > 0)
    out = []
    for step in PARETO_STEPS:
        n = -(-len(ordered) * step // 100)
        top = sum(a for a in ordered[:n] if a > 0)
        share = round(top * 100 / created, 1) if created > 0 else None
        out.append(schemas.ParetoPoint(top_pct=step, customers=n, share_pct=share))
    return out


def record_export(db: Session, principal: Principal, read: schemas.RollupRead, fmt: str) -> None:
    """One audit event for an export of a roll-up."""
    audit_service.record(
        db,
        Actor.of(principal),
        "contribution.export",
        detail=f"{fmt}: unit {read.unit}, month {read.month}, by {read.by}, {len(read.rows)} rows",
    )
