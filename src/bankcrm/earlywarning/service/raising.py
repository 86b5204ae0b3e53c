"""Raising warnings: the nightly step from the signals, and escalation of warnings nobody acted on in time to the
branch manager (the nearest user with the management role at or above the customer's home unit)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.audit import service as audit_service
from bankcrm.earlywarning import catalogue
from bankcrm.earlywarning.repository import warnings as repository
from bankcrm.earlywarning.service import signals
from bankcrm.kit.time import utcnow
from bankcrm.kit.workdays import Calendar
from bankcrm.models.earlywarning import EarlyWarning, EarlyWarningEvent
from bankcrm.workcalendar.service import days as working_days

BATCH = "system"


@dataclass(frozen=True)
class SignalRun:
    """What one evaluation did."""

    month: date | None
    customers: int
    flagged: int  # customers with a signal fired
    raised: int
    already_open: int
    escalated: int


def new_warning(
    db: Session,
    *,
    customer_id: int,
    context: dict[str, Any],
    month: date,
    today: date,
    reasons: list[dict[str, Any]],
    leading: str,
    score: int | None = None,
    probability: float | None = None,
    model_id: str | None = None,
    calendar: Calendar | None = None,
) -> EarlyWarning:
    """A warning, open, due in the configured working days of the bank's calendar (``calendar``: loaded once by a
    caller raising many), with its RAISED step (flushed)."""
    calendar = calendar or working_days.current(db)
    warning = EarlyWarning(
        customer_id=customer_id,
        source="MODEL" if model_id else "SIGNAL",
        model_id=model_id,
        month=month,
        raised_on=today,
        score=score,
        probability=probability,
        severity=catalogue.severity_of(score, probability),
        reasons=json.dumps(reasons, ensure_ascii=False, sort_keys=True),
        leading_factor=leading,
        status="OPEN",
        assignee_id=context["manager_id"],
        unit_id=context["unit_id"],
        tier=context["tier"] or "",
        aum=context["aum"] or 0,
        value_before=context.get("value_before") or context["aum"] or 0,
        due_on=calendar.add_working_days(today, int(catalogue.setting("escalate_business_days"))),
    )
    db.add(warning)
    db.flush()
    db.add(EarlyWarningEvent(warning_id=warning.id, actor_name=BATCH, kind="RAISED", at=utcnow()))
    return warning


def raise_from_signals(db: Session, today: date, month: date | None = None) -> SignalRun:
    """Evaluate the signals; a customer scoring at least ``raise_score`` without an open warning gets one."""
    found = signals.evaluate(db, today, month)
    threshold = catalogue.setting("raise_score")
    already = repository.open_customers(db)
    due = {c: h for c, h in found.hits.items() if signals.score(h) >= threshold}
    managers = repository.managers(db, list(due))
    raised = skipped = 0
    calendar = working_days.current(db)
    for cid, hits in sorted(due.items()):
        if cid in already:
            skipped += 1
            continue
        order = {s.code: s.order for s in catalogue.signals()}
        weight = {s.code: s.weight for s in catalogue.signals()}
        hits = sorted(hits, key=lambda h: (-weight[h.signal], order[h.signal]))
        context = found.context[cid] | {"manager_id": managers.get(cid, found.context[cid]["manager_id"])}
        new_warning(
            db,
            customer_id=cid,
            context=context,
            month=found.month or today,
            today=today,
            reasons=[{"signal": h.signal, "figures": h.figures} for h in hits],
            leading=signals.leading(hits),
            score=signals.score(hits),
            calendar=calendar,
        )
        raised += 1
    escalated = escalate_due(db, today)
    return SignalRun(found.month, found.customers, len(found.hits), raised, skipped, escalated)


def branch_manager(db: Session, unit_id: int, paths: dict[int, str], heads: list[Any]) -> int | None:
    """The management user at the nearest unit at or above ``unit_id`` (None: nobody)."""
    path = paths.get(unit_id, "")
    best: tuple[int, int] | None = None
    for user in heads:
        at = paths.get(user.org_unit_id, "\0")
        if path.startswith(at) and (best is None or len(at) > best[0]):
            best = (len(at), user.id)
    return best[1] if best else None


def escalate_due(db: Session, today: date) -> int:
    """Escalate every open warning past its due day with no action: to the branch manager, on the timeline."""
    due = repository.due_for_escalation(db, today)
    if not due:
        return 0
    paths = repository.unit_paths(db)
    heads = repository.users_with_roles(db, (catalogue.ESCALATE_TO_ROLE,))
    now = utcnow()
    for w in due:
        w.status = "ESCALATED"
        w.escalated_to_id = branch_manager(db, w.unit_id, paths, heads)
        w.escalated_on = today
        note = f"due {w.due_on.isoformat()}"
        db.add(EarlyWarningEvent(warning_id=w.id, actor_name=BATCH, kind="ESCALATED", at=now, note=note))
        audit_service.record(db, SYSTEM, "warning.escalated", entity_type="early_warning", entity_id=w.id, detail=note)
    db.flush()
    return len(due)
