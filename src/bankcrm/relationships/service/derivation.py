"""Derive corporate groups and guarantee circles from today's links and store them in bulk.

The same function serves the nightly batch and the on-demand button. Membership changes are never
applied silently: a group whose member set is new, or differs from the accepted group with the same
core, is stored as PROPOSED for a risk manager. A member set exactly as derived before is matched
(fingerprint) and only its figures and paths are refreshed, so re-deriving creates nothing new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.kit.time import utcnow
from bankcrm.models.group import CorporateGroup, GroupStatus
from bankcrm.relationships import repository
from bankcrm.relationships.schemas import DeriveReport
from bankcrm.relationships.service.derive import DerivedCircle, DerivedGroup, LinkArrays, circles_from, groups_from
from bankcrm.relationships.service.groups import WORKFLOW
from bankcrm.workflow import service as workflow_service

PROPOSED, ACCEPTED, OUTDATED = GroupStatus.PROPOSED, GroupStatus.ACCEPTED, GroupStatus.OUTDATED
CURRENT, ENDED = "CURRENT", "ENDED"


@dataclass
class _GroupCounts:
    proposed: int = 0
    unchanged: int = 0
    outdated: int = 0
    not_reproposed: int = 0


def derive(
    db: Session, principal: Principal, *, today: date, threshold_bp: int, requested_by: int | None = None
) -> DeriveReport:
    """Read the active links in one query, derive groups and circles, store what changed, audit once.

    ``requested_by``: the user whose queued request the batch is running (named on new proposals).
    """
    started = time.perf_counter()
    repository.lock_derivation(db)
    links = LinkArrays.from_rows(repository.derivation_rows(db, today))
    groups = groups_from(links, threshold_bp)
    circles = circles_from(links)
    triggered_by = requested_by if requested_by is not None else (None if principal.is_system else principal.user_id)
    counts = _store_groups(db, principal, groups, triggered_by)
    new, ended = _store_circles(db, circles)
    report = DeriveReport(
        links=len(links.src),
        groups=len(groups),
        proposed=counts.proposed,
        unchanged=counts.unchanged,
        outdated=counts.outdated,
        not_reproposed=counts.not_reproposed,
        circles=len(circles),
        circles_new=new,
        circles_ended=ended,
        seconds=round(time.perf_counter() - started, 3),
    )
    audit_service.record(
        db,
        Actor.of(principal),
        "relationships.derived",
        detail=(
            f"{report.links} links active on {today.isoformat()}: {report.groups} groups "
            f"({report.proposed} proposed, {report.unchanged} unchanged, {report.outdated} proposals outdated, "
            f"{report.not_reproposed} rejected before); {report.circles} guarantee circles "
            f"({report.circles_new} new, {report.circles_ended} ended)"
        ),
    )
    return report


def _store_groups(
    db: Session, principal: Principal, groups: list[DerivedGroup], triggered_by: int | None
) -> _GroupCounts:
    now = utcnow()
    open_groups = repository.open_groups(db)
    accepted = {g.core_customer_id: g for g in open_groups if g.status == ACCEPTED}
    proposed = {(g.core_customer_id, g.fingerprint): g for g in open_groups if g.status == PROPOSED}
    rejected = repository.rejected_member_sets(db)
    figures = repository.figures(db, sorted({m for g in groups for m in g.member_ids}))
    counts = _GroupCounts()
    matched: set[int] = set()
    updates: list[dict[str, Any]] = []
    reshaped: list[tuple[int, DerivedGroup]] = []
    new: list[tuple[dict[str, Any], DerivedGroup]] = []
    for group in groups:
        fingerprint, shape = group.fingerprint, group.shape
        totals = _totals(group, figures)
        current = accepted.get(group.core_customer_id)
        target = current if current is not None and current.fingerprint == fingerprint else None
        target = target or proposed.get((group.core_customer_id, fingerprint))
        if target is not None:
            matched.add(target.id)
            counts.unchanged += 1
            stored = (target.loan_balance, target.guarantees_given, target.deposit_balance)
            if target.shape != shape:
                reshaped.append((target.id, group))
                updates.append(
                    {"id": target.id, "refreshed_at": now, "shape": shape, "controller_count": _controllers(group)}
                    | totals
                )
            elif stored != tuple(totals.values()):
                updates.append({"id": target.id, "refreshed_at": now, **totals})
        elif (group.core_customer_id, fingerprint) in rejected:
            counts.not_reproposed += 1
        else:
            counts.proposed += 1
            row = {
                "core_customer_id": group.core_customer_id,
                "status": PROPOSED,
                "fingerprint": fingerprint,
                "shape": shape,
                "member_count": len(group.member_ids),
                "controller_count": _controllers(group),
                "replaces_id": current.id if current is not None else None,
                "triggered_by": triggered_by,
                "derived_at": now,
                "refreshed_at": now,
                **totals,
            }
            new.append((row, group))
    stale = [g for g in open_groups if g.status == PROPOSED and g.id not in matched]
    for old in stale:
        counts.outdated += 1
        updates.append({"id": old.id, "status": OUTDATED, "ended_at": now})
    # Checked against the workflow (and the caller's right) before any row is written; history in bulk.
    moves: list[tuple[object, str, str]] = [(g.id, g.status, OUTDATED) for g in stale]
    workflow_service.record_moves(db, principal, WORKFLOW, CorporateGroup.__tablename__, moves)
    repository.update_groups(db, updates)
    ids = repository.insert_groups(db, [row for row, _ in new])
    placed = list(zip(ids, [g for _, g in new], strict=True)) + reshaped
    repository.replace_members(db, [i for i, _ in reshaped], [m for i, g in placed for m in _member_rows(i, g)])
    db.expire_all()
    return counts


def _controllers(group: DerivedGroup) -> int:
    return sum(1 for n in group.nodes if n.role == "CONTROLLER")


def _totals(group: DerivedGroup, figures: dict[int, tuple[int, int]]) -> dict[str, int]:
    """Loans outstanding, guarantees given and deposits of the corporate members (fen)."""
    loans = sum(figures.get(m, (0, 0))[0] for m in group.member_ids)
    deposits = sum(figures.get(m, (0, 0))[1] for m in group.member_ids)
    return {"loan_balance": loans, "guarantees_given": group.guarantees_given, "deposit_balance": deposits}


def _member_rows(group_id: int, group: DerivedGroup) -> list[dict[str, Any]]:
    return [
        {
            "group_id": group_id,
            "customer_id": n.customer_id,
            "role": n.role,
            "depth": n.depth,
            "parent_customer_id": n.parent_customer_id,
            "via_link_type": n.via_link_type,
            "via_forward": n.via_forward,
        }
        for n in group.nodes
    ]


def _store_circles(db: Session, circles: list[DerivedCircle]) -> tuple[int, int]:
    """Match circles by member set: refresh the amount of known ones, add new ones, end vanished ones."""
    now = utcnow()
    current = repository.current_circles(db)
    updates: list[dict[str, Any]] = []
    new_rows: list[dict[str, Any]] = []
    new_members: list[list[int]] = []
    seen: set[str] = set()
    for found in circles:
        fingerprint = found.fingerprint
        known = current.get(fingerprint)
        seen.add(fingerprint)
        if known is not None:
            if known[1] != found.total_amount:
                updates.append({"id": known[0], "total_amount": found.total_amount, "refreshed_at": now})
            continue
        new_rows.append(
            {
                "status": CURRENT,
                "fingerprint": fingerprint,
                "member_count": len(found.member_ids),
                "total_amount": found.total_amount,
                "derived_at": now,
                "refreshed_at": now,
            }
        )
        new_members.append(found.member_ids)
    ended = [circle_id for fp, (circle_id, _) in current.items() if fp not in seen]
    updates += [{"id": circle_id, "status": ENDED, "ended_at": now} for circle_id in ended]
    repository.update_circles(db, updates)
    repository.insert_circles(db, new_rows, new_members)
    db.expire_all()
    return len(new_rows), len(ended)
