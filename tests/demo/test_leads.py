"""Leads in the demo: the teller's and lobby manager's referrals worked by am1 (two converted: the teller's points),
prospects in both branches, one lead back in the pool."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.access import User
from bankcrm.models.lead import Lead, ReferralPoints


def test_the_demo_has_referrals_worked_by_am1_and_the_tellers_points(demo_db: Session) -> None:
    users = {u.id: u.username for u in demo_db.scalars(select(User))}
    leads = demo_db.scalars(select(Lead).order_by(Lead.id)).all()
    referred = Counter((users[x.referrer_id], x.status) for x in leads if x.referrer_id)
    # Six referrals of Wangjing customers, all with am1 (their primary manager), at every step of the way
    assert referred == Counter(
        {
            ("teller", "CONVERTED"): 2,
            ("teller", "QUALIFIED"): 1,
            ("teller", "DISQUALIFIED"): 1,
            ("lobby", "ASSIGNED"): 2,
        }
    )
    assert {users[x.assignee_id] for x in leads if x.referrer_id and x.assignee_id} == {"am1"}
    # Six prospects: Beijing's with am1 or back in the pool, Shanghai's with am2
    prospects = [(x.unit_id, users.get(x.assignee_id or 0), x.status) for x in leads if x.customer_id is None]
    assert len(prospects) == 6 and sum(1 for p in prospects if p[2] == "NEW") == 1
    assert Counter(p[1] for p in prospects) == Counter({"am1": 3, "am2": 2, None: 1})
    # The teller earned 10 points per converted referral
    points = demo_db.scalars(select(ReferralPoints)).all()
    assert [(users[p.user_id], p.points) for p in points] == [("teller", 10), ("teller", 10)]
