"""Staff, customers and request round trips shared by the assignment tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.models.assignment import AssignmentRequest, ManagerAssignment
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import CustomerFigure
from tests.conftest import token_for, user_id
from tests.factories import make_customer, make_user

BJ_1 = "92000000001"  # BJ individual of am1
BJ_2 = "92000000002"  # BJ corporate of am1
BJ_3 = "92000000003"  # BJ individual of am1, dormant, no figures
SH_1 = "92000000021"  # SH individual of am2
UNKNOWN = "92000000099"
# (username, unit, role) beside the demo staff: a second BJ checker, a BJ manager, SH and head-office checkers.
EXTRA_STAFF = (
    ("manager2", "BJ", "management"),
    ("am3", "BJ-CY", "account_manager"),
    ("shmgr", "SH", "management"),
    ("homgr", "HO", "management"),
)


def given_staff(db: Session) -> None:
    """The extra staff (password demo1234)."""
    for username, unit, role in EXTRA_STAFF:
        make_user(db, username, unit, role)


def given_customers(db: Session) -> None:
    """Three Beijing customers of am1 (two with figures), one Shanghai customer of am2 (with figures)."""
    make_customer(db, BJ_1, name="王小明")
    make_customer(db, BJ_2, name="北京星河科技有限公司", kind="corporate")
    make_customer(db, BJ_3, name="李四").status = "DORMANT"
    make_customer(db, SH_1, unit="SH", manager="am2", name="陈静")
    for cif_no, aum, deposit, loan in ((BJ_1, 1_000_000, 800_000, 0), (BJ_2, 500_003, 500_003, 300_000)):
        figure(db, cif_no, aum, deposit, loan)
    figure(db, SH_1, 9_000_000, 9_000_000, 7_000_000)
    db.flush()


def figure(db: Session, cif_no: str, aum: int, deposit: int, loan: int) -> None:
    """Nightly figures of a customer (fen)."""
    from bankcrm.models.customer import Customer

    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    assert customer is not None
    db.add(
        CustomerFigure(
            customer_id=customer.id,
            as_of=date(2026, 11, 29),
            aum=aum,
            deposit_balance=deposit,
            loan_balance=loan,
            monthly_avg_balance=aum,
            product_count=1,
            balance_series="[]",
        )
    )


def slot(db: Session, username: str, role: str, share_bp: int) -> dict[str, Any]:
    """One manager row of a change request."""
    return {"manager_id": user_id(db, username), "role": role, "share_bp": share_bp}


def ask_change(
    client: TestClient, maker: str, cif_no: str, managers: list[dict[str, Any]], reason: str = "Better coverage"
) -> Any:
    """POST a change of one customer's managers."""
    body = {"managers": managers, "reason": reason}
    return client.post(f"/api/v1/customers/{cif_no}/managers/requests", json=body, headers=token_for(client, maker))


def ask_transfer(client: TestClient, maker: str, body: dict[str, Any]) -> Any:
    """POST a hand-over."""
    return client.post("/api/v1/assignment-requests/transfers", json=body, headers=token_for(client, maker))


def decide(client: TestClient, checker: str, request_id: int, approve: bool = True, reason: str | None = None) -> Any:
    """POST a decision."""
    body: dict[str, Any] = {"approve": approve} | ({"reason": reason} if reason is not None else {})
    return client.post(
        f"/api/v1/assignment-requests/{request_id}/decision", json=body, headers=token_for(client, checker)
    )


def approved_change(
    client: TestClient, cif_no: str, managers: list[dict[str, Any]], checker: str = "manager2", maker: str = "manager"
) -> int:
    """A change filed (by the BJ manager unless told) and approved; its request id."""
    filed = ask_change(client, maker, cif_no, managers)
    assert filed.status_code == 202, filed.text
    done = decide(client, checker, filed.json()["id"])
    assert done.status_code == 200, done.text
    return int(filed.json()["id"])


def counts(db: Session) -> tuple[int, int, int]:
    """(assignment rows, requests, audit events): nothing may change on a refusal."""
    return (
        db.scalar(select(func.count()).select_from(ManagerAssignment)) or 0,
        db.scalar(select(func.count()).select_from(AssignmentRequest)) or 0,
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.startswith("assignment"))) or 0,
    )
