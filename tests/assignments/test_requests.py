"""Manager changes: each rule's field and message, maker ≠ checker, checker scope, exact history, scope follows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from tests.assignments.helpers import (
    BJ_1,
    BJ_2,
    BJ_3,
    SH_1,
    UNKNOWN,
    approved_change,
    ask_change,
    ask_transfer,
    counts,
    decide,
    given_customers,
    given_staff,
    slot,
)
from tests.conftest import token_for, user_id


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    given_staff(db)
    given_customers(db)


def manager_of(db: Session, cif_no: str) -> int | None:
    db.expire_all()
    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    assert customer is not None
    return customer.account_manager_id


def rows(body: list[dict[str, Any]]) -> list[tuple[str, str, int, str | None, str | None]]:
    """(username, role, share, valid_from, valid_to) of assignment reads."""
    return [(a["manager_username"], a["role"], a["share_bp"], a["valid_from"], a["valid_to"]) for a in body]


@pytest.mark.parametrize(
    ("managers", "reason", "errors"),
    [
        (
            [("am1", "primary", 6000), ("am3", "co", 3000)],
            "x",
            [{"field": "managers", "message": "The shares must add up to 100% (they add up to 90%)."}],
        ),
        (
            [("am1", "primary", 5000), ("am3", "primary", 5000)],
            "x",
            [{"field": "managers", "message": "Name exactly one primary manager."}],
        ),
        (
            [("am1", "co", 7000), ("am3", "co", 3000)],
            "x",
            [{"field": "managers", "message": "Name exactly one primary manager."}],
        ),
        (
            [("am1", "primary", 7000), ("am1", "co", 3000)],
            "x",
            [{"field": "managers.1.manager_id", "message": "This manager is named twice."}],
        ),
        (
            [("am1", "primary", 7000), ("manager", "co", 3000)],
            "x",
            [{"field": "managers.1.manager_id", "message": "Choose an active account manager."}],
        ),
        (
            [("am1", "primary", 7000), ("am3", "co", 3000)],
            "   ",
            [{"field": "reason", "message": "Give a reason for the change."}],
        ),
        (
            [("am1", "primary", 10000)],
            "x",
            [{"field": "managers", "message": "This is already how the customer is managed."}],
        ),
    ],
)
def test_a_change_breaking_a_rule_is_refused_at_its_field_and_nothing_changes(
    client: TestClient, db: Session, managers: list[tuple[str, str, int]], reason: str, errors: list[dict[str, str]]
) -> None:
    token_for(client, "manager")
    before = counts(db)
    response = ask_change(client, "manager", BJ_1, [slot(db, *m) for m in managers], reason)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == errors
    assert counts(db) == before
    assert manager_of(db, BJ_1) == user_id(db, "am1")


def test_a_share_out_of_range_is_refused_by_the_schema(client: TestClient, db: Session) -> None:
    response = ask_change(client, "manager", BJ_1, [slot(db, "am1", "primary", 10001)])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["managers.0.share_bp"]


def test_co_manager_applies_only_on_approval_with_exact_rows_and_audit(
    client: TestClient, db: Session, settings: Settings
) -> None:
    today = today_in(settings.timezone).isoformat()
    filed = ask_change(client, "manager", BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    assert filed.status_code == 202, filed.text
    assert filed.json()["status"] == "submitted"
    assert filed.json()["unit"] == "BJ"
    waiting = client.get(f"/api/v1/customers/{BJ_1}/managers", headers=token_for(client, "manager")).json()
    assert rows(waiting["current"]) == [("am1", "primary", 10000, None, None)]
    assert waiting["recorded_outside"] is True
    assert waiting["pending_request_id"] == filed.json()["id"]

    decided = decide(client, "manager2", filed.json()["id"])

    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    now = client.get(f"/api/v1/customers/{BJ_1}/managers", headers=token_for(client, "manager")).json()
    assert rows(now["current"]) == [("am1", "primary", 7000, today, None), ("am3", "co", 3000, today, None)]
    assert now["recorded_outside"] is False
    assert now["pending_request_id"] is None
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "assignment_request"))]
    assert actions == ["assignment_request.submit", "assignment_request.approve"]
    approve = db.scalar(select(AuditEvent).where(AuditEvent.action == "assignment_request.approve"))
    assert approve is not None and approve.changes is not None
    assert BJ_1 in approve.changes and "am3 co 30%" in approve.changes


def test_two_transfers_leave_an_exact_history_and_the_scope_follows_the_primary(
    client: TestClient, db: Session, settings: Settings
) -> None:
    today = today_in(settings.timezone).isoformat()
    first = approved_change(client, BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    filed = ask_transfer(
        client,
        "manager",
        {
            "from_manager_id": user_id(db, "am1"),
            "to_manager_id": user_id(db, "am2"),
            "cif_nos": [BJ_1],
            "reason": "am1 leaves",
        },
    )
    assert filed.status_code == 202, filed.text
    assert filed.json()["unit"] == "HO"  # am2 works in Shanghai: only a head-office checker covers both
    assert decide(client, "manager2", filed.json()["id"]).status_code == 404

    assert decide(client, "homgr", filed.json()["id"]).status_code == 200

    second = filed.json()["id"]
    body = client.get(f"/api/v1/customers/{BJ_1}/managers", headers=token_for(client, "homgr")).json()
    assert rows(body["current"]) == [("am2", "primary", 7000, today, None), ("am3", "co", 3000, today, None)]
    assert [
        (*r, h["request_id"], h["ended_request_id"])
        for r, h in zip(rows(body["history"]), body["history"], strict=True)
    ] == [
        ("am2", "primary", 7000, today, None, second, None),
        ("am3", "co", 3000, today, None, first, None),
        ("am1", "primary", 7000, today, today, first, second),
    ]
    assert manager_of(db, BJ_1) == user_id(db, "am2")
    assert client.get(f"/api/v1/customers/{BJ_1}", headers=token_for(client, "am2")).status_code == 200
    assert client.get(f"/api/v1/customers/{BJ_1}", headers=token_for(client, "am1")).status_code == 404


def test_bulk_transfer_of_all_customers_in_scope(client: TestClient, db: Session) -> None:
    filed = ask_transfer(
        client,
        "manager",
        {"from_manager_id": user_id(db, "am1"), "to_manager_id": user_id(db, "am3"), "reason": "Reorg"},
    )
    assert filed.status_code == 202, filed.text
    assert filed.json()["customer_count"] == 3
    assert [i["cif_no"] for i in filed.json()["items"]] == [BJ_1, BJ_2, BJ_3]
    assert filed.json()["unit"] == "BJ"

    assert decide(client, "manager2", filed.json()["id"]).status_code == 200

    assert [manager_of(db, c) for c in (BJ_1, BJ_2, BJ_3)] == [user_id(db, "am3")] * 3
    assert manager_of(db, SH_1) == user_id(db, "am2")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"from": "am1", "to": "am1", "cif_nos": [BJ_1]},
            [{"field": "to_manager_id", "message": "Choose a different manager to hand over to."}],
        ),
        (
            {"from": "am1", "to": "manager", "cif_nos": [BJ_1]},
            [{"field": "to_manager_id", "message": "Choose an active account manager."}],
        ),
        (
            {"from": "am1", "to": "am3", "cif_nos": [BJ_1, SH_1, UNKNOWN]},
            [
                {"field": "cif_nos", "message": f"No customer {SH_1} among your customers."},
                {"field": "cif_nos", "message": f"No customer {UNKNOWN} among your customers."},
            ],
        ),
        (
            {"from": "am3", "to": "am1", "cif_nos": [BJ_1]},
            [{"field": "cif_nos", "message": f"Customer {BJ_1} is not managed by the manager handing over."}],
        ),
        (
            {"from": "am3", "to": "am1"},
            [{"field": "from_manager_id", "message": "This manager has no customers in your part of the bank."}],
        ),
        (
            {"from": "am1", "to": "am3", "cif_nos": [BJ_1], "reason": ""},
            [{"field": "reason", "message": "Give a reason for the change."}],
        ),
    ],
)
def test_a_transfer_breaking_a_rule_is_refused_at_its_field(
    client: TestClient, db: Session, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    token_for(client, "manager")
    before = counts(db)
    payload = {
        "from_manager_id": user_id(db, body["from"]),
        "to_manager_id": user_id(db, body["to"]),
        "reason": body.get("reason", "Reorg"),
    } | ({"cif_nos": body["cif_nos"]} if "cif_nos" in body else {})
    response = ask_transfer(client, "manager", payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == errors
    assert counts(db) == before


def test_a_second_pending_request_for_a_customer_is_refused(client: TestClient, db: Session) -> None:
    filed = ask_change(client, "manager", BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    rid = filed.json()["id"]
    before = counts(db)

    again = ask_change(client, "am1", BJ_1, [slot(db, "am3", "primary", 10000)])
    bulk = ask_transfer(
        client, "manager", {"from_manager_id": user_id(db, "am1"), "to_manager_id": user_id(db, "am3"), "reason": "x"}
    )

    assert again.status_code == 409
    assert again.json()["errors"] == [
        {
            "field": "cif_no",
            "message": f"Customer {BJ_1} already has a manager change waiting for approval (request #{rid}).",
        }
    ]
    assert bulk.status_code == 409
    assert [e["field"] for e in bulk.json()["errors"]] == ["cif_nos"]
    assert counts(db) == before


def test_the_maker_cannot_decide_and_a_rejection_needs_a_reason(client: TestClient, db: Session) -> None:
    filed = ask_change(client, "manager", BJ_1, [slot(db, "am3", "primary", 10000)])
    rid = filed.json()["id"]
    token_for(client, "manager2")
    before = counts(db)

    own = decide(client, "manager", rid)
    bare = decide(client, "manager2", rid, approve=False)
    by_am = decide(client, "am1", rid)
    elsewhere = decide(client, "shmgr", rid)

    assert (own.status_code, own.json()["detail"]) == (403, "You cannot approve or reject your own request.")
    assert bare.status_code == 422
    assert bare.json()["errors"] == [{"field": "reason", "message": "Give a reason for the rejection."}]
    assert by_am.status_code == 404  # neither the maker nor a checker of the unit: the request does not exist
    assert elsewhere.status_code == 404
    assert all(r.headers["content-type"] == "application/problem+json" for r in (own, bare, by_am, elsewhere))
    assert counts(db) == before
    assert manager_of(db, BJ_1) == user_id(db, "am1")

    rejected = decide(client, "manager2", rid, approve=False, reason="am3 is full")

    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == ("rejected", "am3 is full")
    assert manager_of(db, BJ_1) == user_id(db, "am1")
    assert counts(db)[0] == before[0]
    assert decide(client, "manager2", rid).status_code == 409


def test_an_account_manager_requests_for_their_own_customers_only(client: TestClient, db: Session) -> None:
    mine = ask_change(client, "am1", BJ_2, [slot(db, "am1", "primary", 6000), slot(db, "am3", "co", 4000)])
    theirs = ask_change(client, "am1", SH_1, [slot(db, "am1", "primary", 10000)])
    teller = ask_change(client, "teller", BJ_2, [slot(db, "am3", "primary", 10000)])

    assert mine.status_code == 202
    assert theirs.status_code == 404
    assert teller.status_code == 403
    assert decide(client, "am1", mine.json()["id"]).status_code == 403  # their own, and no assignment.approve
    assert decide(client, "manager", mine.json()["id"]).status_code == 200
    assert manager_of(db, BJ_2) == user_id(db, "am1")


def test_a_change_since_submission_blocks_approval(client: TestClient, db: Session) -> None:
    filed = ask_change(client, "manager", BJ_1, [slot(db, "am1", "primary", 7000), slot(db, "am3", "co", 3000)])
    customer = db.scalar(select(Customer).where(Customer.cif_no == BJ_1))
    assert customer is not None
    customer.account_manager_id = user_id(db, "am2")  # the customer edit form changed it meanwhile
    db.flush()

    response = decide(client, "manager2", filed.json()["id"])

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"The managers of customer {BJ_1} have changed since this request was submitted; reject it and file a new one."
    )
    assert counts(db)[0] == 0


def test_the_inbox_shows_checkers_their_units_and_makers_their_own(client: TestClient, db: Session) -> None:
    by_manager = ask_change(client, "manager", BJ_1, [slot(db, "am3", "primary", 10000)]).json()["id"]
    by_am1 = ask_change(client, "am1", BJ_2, [slot(db, "am1", "primary", 5000), slot(db, "am3", "co", 5000)]).json()[
        "id"
    ]

    def inbox(who: str) -> list[int]:
        response = client.get("/api/v1/assignment-requests", headers=token_for(client, who))
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert inbox("manager2") == [by_am1, by_manager]
    assert inbox("homgr") == [by_am1, by_manager]
    assert inbox("shmgr") == []
    assert inbox("am1") == [by_am1]
    assert inbox("am3") == []
    hidden = client.get(f"/api/v1/assignment-requests/{by_manager}", headers=token_for(client, "shmgr"))
    assert hidden.status_code == 404
    assert BJ_1 not in hidden.text
