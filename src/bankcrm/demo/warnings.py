"""The demo's early warnings: the nightly step over the demo's snapshot, then a bank's few weeks of working them —
warnings waiting for am1, one nobody acted on escalated to the branch manager, one lost to another bank with a
win-back plan, one retained."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.earlywarning import schemas
from bankcrm.earlywarning.service import raising, signals, work
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.models.earlywarning import EarlyWarning
from bankcrm.workcalendar.service import days as working_days

WAITING = 3  # open warnings am1 should find
VISIT = "VISIT"  # code_item warning_action


def _top_up(db: Session, today: date, am1: int) -> None:
    """When the generated history leaves am1 fewer than WAITING warnings, raise the next highest scorers of am1's
    customers from their own signals (the demo's paths are random; the page should not be empty)."""
    have = db.scalars(select(EarlyWarning.customer_id).where(EarlyWarning.assignee_id == am1)).all()
    if len(have) >= WAITING:
        return
    found = signals.evaluate(db, today)
    mine = [c for c, ctx in found.context.items() if ctx["manager_id"] == am1 and c not in set(have)]
    for cid in sorted(mine, key=lambda c: -signals.score(found.hits[c]))[: WAITING - len(have)]:
        hits = found.hits[cid]
        raising.new_warning(
            db,
            customer_id=cid,
            context=found.context[cid],
            month=found.month or today,
            today=today,
            reasons=[{"signal": h.signal, "figures": h.figures} for h in hits],
            leading=signals.leading(hits),
            score=signals.score(hits),
        )


def build(db: Session, settings: Settings) -> int:
    """Run the step, then work some warnings as staff would have; the number of warnings."""
    today = today_in(settings.timezone)
    raising.raise_from_signals(db, today)
    users = {u.username: u for u in db.scalars(select(User))}
    am1 = users["am1"]
    _top_up(db, today, am1.id)
    db.flush()
    mine = list(db.scalars(select(EarlyWarning).where(EarlyWarning.assignee_id == am1.id).order_by(EarlyWarning.id)))
    if not mine:
        return 0
    # The oldest: raised two weeks ago and left alone, so tonight's run escalates it to the branch manager.
    ignored = mine[0]
    ignored.raised_on = today - timedelta(days=14)
    ignored.due_on = working_days.current(db).add_working_days(ignored.raised_on, 3)
    raising.escalate_due(db, today)
    others = list(
        db.scalars(
            select(EarlyWarning)
            .where(EarlyWarning.id.not_in([w.id for w in mine[:WAITING]]), EarlyWarning.assignee_id.is_not(None))
            .order_by(EarlyWarning.id)
            .limit(2)
        )
    )
    for w, (outcome, reason, bank) in zip(
        others, (("LOST", "RATE", "招商银行 China Merchants Bank"), ("RETAINED", None, None)), strict=False
    ):
        owner = auth_service.principal_for(db.get(User, w.assignee_id))  # type: ignore[arg-type]
        work.record_action(db, owner, w.id, schemas.ActionCreate(action=VISIT, contact_on=today, note="上门拜访"))
        work.record_outcome(
            db, owner, w.id, schemas.OutcomeCreate(outcome=outcome, lost_reason=reason, lost_to_bank=bank), today
        )
        if outcome == "LOST":
            work.set_plan(
                db, owner, w.id, "三个月后大额存单到期前回访，提供利率优惠 / Call before the CD offer in 3 months"
            )
    db.flush()
    return db.query(EarlyWarning).count()
