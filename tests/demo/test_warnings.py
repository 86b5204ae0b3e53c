"""The demo's early warnings: some waiting for am1, one escalated to the branch manager, one lost with a win-back
plan and one retained, each with its reasons and timeline."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.access import User
from bankcrm.models.earlywarning import EarlyWarning, EarlyWarningEvent


def test_am1_has_warnings_waiting_and_manager_an_escalation(demo_db: Session) -> None:
    users = {u.username: u.id for u in demo_db.scalars(select(User))}
    warnings = demo_db.scalars(select(EarlyWarning)).all()
    waiting = [w for w in warnings if w.assignee_id == users["am1"] and w.status == "OPEN"]
    escalated = [w for w in warnings if w.escalated_to_id == users["manager"] and w.status == "ESCALATED"]
    assert len(waiting) >= 2
    assert len(escalated) == 1
    assert all(json.loads(w.reasons) for w in warnings)
    kinds = demo_db.scalars(
        select(EarlyWarningEvent.kind)
        .where(EarlyWarningEvent.warning_id == escalated[0].id)
        .order_by(EarlyWarningEvent.id)
    ).all()
    assert kinds == ["RAISED", "ESCALATED"]


def test_one_customer_was_lost_to_another_bank_with_a_plan_and_one_retained(demo_db: Session) -> None:
    closed = demo_db.scalars(select(EarlyWarning).where(EarlyWarning.status == "CLOSED")).all()
    assert sorted(w.outcome for w in closed) == ["LOST", "RETAINED"]
    lost = next(w for w in closed if w.outcome == "LOST")
    assert (lost.lost_reason, lost.lost_to_bank) == ("RATE", "招商银行 China Merchants Bank")
    assert lost.winback_plan
