"""Tags in the demo: managers' manual tags on their own customers, and every shipped rule tag with carriers."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.tag import CustomerTag


def test_the_managers_tagged_their_customers_and_the_nightly_computed_the_rule_tags(demo_db: Session) -> None:
    users = {u.id: u.username for u in demo_db.scalars(select(User))}
    rows = demo_db.scalars(select(CustomerTag).where(CustomerTag.removed_at.is_(None))).all()
    by_hand = Counter((users[r.applied_by], r.tag_code) for r in rows if r.source == "manual" and r.applied_by)
    # Six manual tags, each by the manager of the customer (the branch manager's sensitive one in its branch)
    assert by_hand == Counter(
        {
            ("am1", "KEY_FOLLOW"): 2,
            ("am1", "WEALTH_PROSPECT"): 1,
            ("am2", "KEY_FOLLOW"): 1,
            ("am2", "WEALTH_PROSPECT"): 1,
            ("manager", "COMPLAINT_RISK"): 1,
        }
    )
    managed = {c.id: c.account_manager_id for c in demo_db.scalars(select(Customer))}
    for r in rows:
        if r.source == "manual" and users[r.applied_by or 0] in ("am1", "am2"):
            assert managed[r.customer_id] == r.applied_by
    # Every shipped rule tag has customers, applied by the batch
    rule = Counter(r.tag_code for r in rows if r.source == "rule")
    assert {"SALARY", "HNW", "DORMANT_180", "MATURING_30", "SENIOR"} <= {c for c, n in rule.items() if n > 0}, rule
    assert all(r.applied_by is None for r in rows if r.source == "rule")
