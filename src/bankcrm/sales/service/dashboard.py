"""The branch sales dashboard: the funnel of open stages, conversion from each stage to the next, stage ageing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.kit.time import utcnow
from bankcrm.models.sales import Opportunity, OpportunityStageHistory
from bankcrm.sales import catalogue, repository

AGE_BUCKETS = ((0, 7), (8, 30), (31, 90), (91, None))  # days in the stage


@dataclass(frozen=True)
class StageFigures:
    """One stage: opportunities now, amount, how many ever reached it, conversion to the next, ageing buckets."""

    code: str
    label: str
    now: int
    amount: int
    reached: int
    to_next_pct: float | None
    ageing: tuple[int, ...]


def figures(db: Session, principal: Principal, unit_path: str, locale: str) -> list[StageFigures]:
    """Per stage under the unit (in the caller's scope): the funnel, conversion and ageing."""
    totals = repository.stage_totals(db, principal, unit_path=unit_path)
    o, h = Opportunity, OpportunityStageHistory
    scope = [repository.owned_scope(principal, o.owner_id, o.unit_id), o.unit_id.in_(repository.subtree_ids(unit_path))]
    reached_rows = db.execute(
        select(h.to_stage, func.count(func.distinct(h.opportunity_id)))
        .join(o, o.id == h.opportunity_id)
        .where(*scope)
        .group_by(h.to_stage)
    ).all()
    reached = {s: int(n) for s, n in reached_rows}
    ageing = _ageing(db, scope)
    stages = catalogue.stages()
    opened = [s for s in stages if s.outcome == catalogue.OPEN]
    out = []
    for i, s in enumerate(stages):
        # every opportunity that reached a later open stage or closed won passed through this one
        later = [x.code for x in opened[i + 1 :]] + [catalogue.won_code()] if s.outcome == catalogue.OPEN else []
        passed = max((reached.get(c, 0) for c in later), default=0) if later else 0
        here = reached.get(s.code, 0)
        nxt = reached.get(later[0], 0) if later else None
        out.append(
            StageFigures(
                code=s.code,
                label=s.label(locale),
                now=totals.get(s.code, (0, 0, 0))[0],
                amount=totals.get(s.code, (0, 0, 0))[1],
                reached=max(here, passed),
                to_next_pct=None if nxt is None or not max(here, passed) else round(nxt * 100 / max(here, passed), 1),
                ageing=ageing.get(s.code, (0,) * len(AGE_BUCKETS)) if s.outcome == catalogue.OPEN else (),
            )
        )
    return out


def _ageing(db: Session, scope: list[Any]) -> dict[str, tuple[int, ...]]:
    """Open stage → opportunities per ageing bucket (days in the stage)."""
    o = Opportunity
    now = utcnow()
    buckets = []
    for low, high in AGE_BUCKETS:
        cond = [o.stage_since <= now - timedelta(days=low)]
        if high is not None:
            cond.append(o.stage_since > now - timedelta(days=high + 1))
        buckets.append(func.sum(case((and_(*cond), 1), else_=0)))
    stmt = select(o.stage, *buckets).where(*scope, o.stage.in_(catalogue.open_codes())).group_by(o.stage)
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.execute(stmt)}
