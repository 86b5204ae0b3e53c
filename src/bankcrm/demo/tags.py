"""Tags in the demo: account managers tag some of their customers by hand, then the nightly computes the rule tags."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.tags.schemas import TagApply
from bankcrm.tags.service import manual, rules

# (user, tag, note) applied to that user's first customers in CIF order, one customer each, in turn.
MANUAL = (
    ("am1", "KEY_FOLLOW", "年底定期到期，跟进续存"),
    ("am1", "WEALTH_PROSPECT", "咨询过稳健型理财"),
    ("am1", "KEY_FOLLOW", None),
    ("am2", "WEALTH_PROSPECT", None),
    ("am2", "KEY_FOLLOW", "新开户，重点维护"),
    ("manager", "COMPLAINT_RISK", "曾投诉排队时间过长"),
)


def build(db: Session, settings: Settings) -> tuple[int, int]:
    """Manual tags by the managers, then the rule tags as the nightly computes them; (manual, rule) rows."""
    today = today_in(settings.timezone)
    applied = 0
    used: set[str] = set()
    for username, code, note in MANUAL:
        user = db.scalars(select(User).where(User.username == username)).one()
        principal = principal_for(user)
        managed = select(Customer.cif_no).where(Customer.status == "ACTIVE").order_by(Customer.cif_no)
        if username != "manager":
            managed = managed.where(Customer.account_manager_id == user.id)
        cif_no = next((c for c in db.scalars(managed.limit(20)) if c not in used), None)
        if cif_no is None:
            continue
        used.add(cif_no)
        manual.apply(db, principal, cif_no, TagApply(code=code, note=note), today=today, locale="en")
        applied += 1
    report = rules.recompute(db, today=today)
    return applied, report.carriers
