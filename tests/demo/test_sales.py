"""Sales in the demo: am1's pipeline over the stages, a week of activities, this month's targets."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.sales import Activity, Opportunity, OpportunityStageHistory, SalesTarget


def test_am1_has_a_pipeline_a_week_of_activities_and_targets(demo_db: Session) -> None:
    opps = demo_db.scalars(select(Opportunity)).all()
    # Eight opportunities of am1: open ones in five stages, one won, one lost to a competitor with its reason;
    # and two more just identified, opened by the two referrals am1 converted (demo/leads.py)
    assert Counter(o.stage for o in opps) == Counter(
        {"PROPOSAL": 2, "SIGNING": 1, "APPROVAL": 1, "CONTACT": 1, "IDENTIFY": 3, "WON": 1, "LOST": 1}
    )
    assert len([o for o in opps if o.lead_id is not None]) == 2
    lost = next(o for o in opps if o.stage == "LOST")
    assert (lost.lost_reason, lost.competitor) == ("CHOSE_COMPETITOR", "CMB")
    # each with its moves recorded (the signing one moved four times after opening)
    signing = next(o for o in opps if o.stage == "SIGNING")
    moves = demo_db.scalars(
        select(OpportunityStageHistory.to_stage).where(OpportunityStageHistory.opportunity_id == signing.id)
    )
    assert list(moves) == ["IDENTIFY", "CONTACT", "PROPOSAL", "APPROVAL", "SIGNING"]
    # Six activities this week (three done, three planned) and twelve targets (am1's and Beijing's six kinds)
    assert Counter(a.status for a in demo_db.scalars(select(Activity))) == Counter({"DONE": 3, "PLANNED": 3})
    assert len(demo_db.scalars(select(SalesTarget)).all()) == 12
