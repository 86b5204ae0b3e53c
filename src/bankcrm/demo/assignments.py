"""Co-managers for a few demo customers: filed by their account manager and approved, through the real path."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import users as user_service
from bankcrm.assignments.schemas import ChangeCreate, Decision, ManagerShare
from bankcrm.assignments.service import reads, requests
from bankcrm.kit.pagination import PageRequest

CO_MANAGED = 5  # am1's first customers by CIF number get am2 as co-manager
SHARES = (7000, 3000)  # primary 70 %, co-manager 30 %
REASON = "Joint coverage with the Shanghai branch"


def build(db: Session, today: date) -> int:
    """Give am1's first customers am2 as co-manager (70/30), each request approved by the system; returns how many."""
    managers = {u.username: u for u in user_service.account_managers(db, SYSTEM_PRINCIPAL)}
    maker = auth_service.principal_for(managers["am1"])
    first = reads.portfolio(db, maker, managers["am1"].id, PageRequest(1, CO_MANAGED), today=today).items
    for item in first:
        body = ChangeCreate(
            managers=[
                ManagerShare(manager_id=managers["am1"].id, role="primary", share_bp=SHARES[0]),
                ManagerShare(manager_id=managers["am2"].id, role="co", share_bp=SHARES[1]),
            ],
            reason=REASON,
        )
        request = requests.submit_change(db, maker, item.cif_no, body, today=today)
        requests.decide(db, SYSTEM_PRINCIPAL, request.id, Decision(approve=True), today=today)
    return len(first)
