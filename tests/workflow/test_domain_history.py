"""Change requests, corporate groups and tasks move through the engine: each decision leaves its history row."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.relationship import CustomerLink
from bankcrm.models.task import Task
from bankcrm.models.workflow import StatusHistory
from tests.assignments.helpers import BJ_1, BJ_2, ask_change, decide, given_customers, given_staff, slot
from tests.conftest import token_for, user_id
from tests.customers.helpers import individual, resident_id
from tests.holdings.helpers import make_customer
from tests.relationships.groups_fixtures import (
    CYC_A,
    CYC_B,
    HOLD,
    derive,
    given_figures,
    given_group_customers,
    given_shareholdings,
)


def history(db: Session, entity_type: str) -> list[tuple[str, str, str, str, str, str | None]]:
    rows = db.scalars(select(StatusHistory).where(StatusHistory.entity_type == entity_type).order_by(StatusHistory.id))
    return [(h.workflow, h.entity_id, h.from_state, h.to_state, h.actor_name, h.reason) for h in rows]


def test_approving_and_rejecting_change_requests_is_recorded(client: TestClient, db: Session) -> None:
    # Given two customers submitted by am1
    am1, manager = token_for(client, "am1"), token_for(client, "manager")
    first = client.post("/api/v1/customers/individual", json=individual(db), headers=am1).json()["id"]
    other = individual(db, name="李四", id_no=resident_id(seq="135"))
    second = client.post("/api/v1/customers/individual", json=other, headers=am1).json()["id"]

    # When the manager approves the first and rejects the second with a reason
    approved = client.post(f"/api/v1/change-requests/{first}/decision", json={"approve": True}, headers=manager)
    rejected = client.post(
        f"/api/v1/change-requests/{second}/decision", json={"approve": False, "reason": "证件不清"}, headers=manager
    )

    # Then each decision is exactly one history row by the manager, the rejection with its reason
    assert (approved.status_code, rejected.status_code) == (200, 200), rejected.text
    assert history(db, "change_request") == [
        ("change_request", str(first), "submitted", "approved", "manager", None),
        ("change_request", str(second), "submitted", "rejected", "manager", "证件不清"),
    ]


def test_group_decisions_and_outdated_proposals_are_recorded(client: TestClient, db: Session) -> None:
    # Given the two derived proposals
    made = given_group_customers(db)
    given_shareholdings(db, made)
    given_figures(db, made)
    risk = token_for(client, "risk")
    derive(client, risk)
    ids = {g["core_cif_no"]: g["id"] for g in client.get("/api/v1/groups", headers=risk).json()["items"]}

    # When HOLD's group is accepted and the cycle's rejected with a reason
    assert client.post(f"/api/v1/groups/{ids[HOLD]}/accept", headers=risk).status_code == 200
    rejected = client.post(f"/api/v1/groups/{ids[CYC_A]}/reject", json={"reason": "交叉持股已解除"}, headers=risk)
    assert rejected.status_code == 200, rejected.text

    # Then each decision is one history row by the risk manager, the rejection with its reason
    assert history(db, "corporate_group") == [
        ("corporate_group", str(ids[HOLD]), "PROPOSED", "ACCEPTED", "risk", None),
        ("corporate_group", str(ids[CYC_A]), "PROPOSED", "REJECTED", "risk", "交叉持股已解除"),
    ]


def test_a_proposal_outdated_by_a_derivation_is_recorded(client: TestClient, db: Session) -> None:
    # Given the proposals, then CYC_B's links end yesterday
    made = given_group_customers(db)
    given_shareholdings(db, made)
    given_figures(db, made)
    risk = token_for(client, "risk")
    derive(client, risk)
    ids = {g["core_cif_no"]: g["id"] for g in client.get("/api/v1/groups", headers=risk).json()["items"]}
    for row in db.scalars(select(CustomerLink).where(CustomerLink.from_customer_id == made[CYC_B].id)):
        row.valid_to = date.today() - timedelta(days=1)
    db.flush()

    # When groups are derived again
    derive(client, risk)

    # Then the cycle's old proposal has one history row: outdated by the batch step that derived (the request
    # only queued it)
    assert history(db, "corporate_group") == [
        ("corporate_group", str(ids[CYC_A]), "PROPOSED", "OUTDATED", "system", None),
    ]


def test_completing_a_task_is_recorded(client: TestClient, db: Session) -> None:
    # Given an open maturity task of am1's
    customer = make_customer(db, "90000000013")
    task = Task(
        kind="MATURITY",
        customer_id=customer.id,
        assignee_id=user_id(db, "am1"),
        due_date=date(2026, 12, 31),
        amount_due=100_000,
        status="OPEN",
    )
    db.add(task)
    db.flush()

    # When am1 records the outcome
    done = client.post(
        f"/api/v1/tasks/{task.id}/outcome",
        json={"outcome": "RENEWED", "amount_kept": 100_000},
        headers=token_for(client, "am1"),
    )

    # Then the task is done and one history row records the move by am1
    assert done.status_code == 200, done.text
    assert history(db, "task") == [("task", str(task.id), "OPEN", "DONE", "am1", None)]


def test_approving_and_rejecting_manager_changes_is_recorded(client: TestClient, db: Session) -> None:
    # Given two manager changes filed by the BJ manager
    given_staff(db)
    given_customers(db)
    first = ask_change(client, "manager", BJ_1, [slot(db, "am3", "primary", 10000)]).json()["id"]
    second = ask_change(client, "manager", BJ_2, [slot(db, "am3", "primary", 10000)]).json()["id"]

    # When manager2 approves the first and rejects the second with a reason
    approved = decide(client, "manager2", first)
    rejected = decide(client, "manager2", second, approve=False, reason="am3 is full")

    # Then each decision is exactly one history row by manager2, the rejection with its reason
    assert (approved.status_code, rejected.status_code) == (200, 200), rejected.text
    assert history(db, "assignment_request") == [
        ("assignment_request", str(first), "submitted", "approved", "manager2", None),
        ("assignment_request", str(second), "submitted", "rejected", "manager2", "am3 is full"),
    ]

    # When manager2 tries to decide the first again
    again = decide(client, "manager2", first, approve=False, reason="changed my mind")

    # Then it is refused as already decided and no history row is added
    assert (again.status_code, again.json()["detail"]) == (409, "This request has already been decided.")
    assert len(history(db, "assignment_request")) == 2
