"""Status badges, tabs and decision forms on the pages come from the workflow catalogue, not from the templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from bankcrm.models.task import Task
from bankcrm.models.workflow import WorkflowState
from tests.assignments.helpers import BJ_1, ask_change, decide, given_customers, given_staff, slot
from tests.conftest import signed_in, token_for, user_id
from tests.customers.helpers import individual
from tests.holdings.helpers import make_customer

BADGE = re.compile(r'<span class="badge ([\w-]+) ms-2" id="request-status">([^<]*)</span>')


def _tabs(html: str, path: str) -> list[tuple[str, str]]:
    """(status, label) of the status buttons above a request list."""
    return re.findall(rf'href="{path}\?status=(\w+)">([^<]*)</a>', html)


def test_a_manager_change_shows_its_catalogue_label_colour_and_form_while_waiting(
    client: TestClient, make_client: Callable[[], TestClient], db: Session
) -> None:
    # Given a manager change filed by the BJ manager, and the waiting state relabelled in the catalogue table
    given_staff(db)
    given_customers(db)
    rid = ask_change(client, "manager", BJ_1, [slot(db, "am3", "primary", 10000)]).json()["id"]
    states = WorkflowState.__table__
    db.execute(
        update(states)
        .where(states.c.workflow == "assignment_request", states.c.code == "submitted")
        .values(label_en="Pending", label_zh="待定")
    )
    db.flush()
    checker = signed_in(make_client(), "manager2")

    # When the checker opens the request and the list
    page = checker.get(f"/assignments/requests/{rid}").text
    inbox = checker.get("/assignments/requests").text
    chinese = checker.get("/assignments/requests", headers={"Accept-Language": "zh-CN"}).text

    # Then the badge and the tabs carry the catalogue's labels in its order, and the decision form shows
    assert BADGE.findall(page) == [("bg-yellow-lt", "Pending")]
    assert 'id="decision-form"' in page
    assert _tabs(inbox, "/assignments/requests") == [
        ("submitted", "Pending"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
    ]
    assert _tabs(chinese, "/assignments/requests") == [
        ("submitted", "待定"),
        ("approved", "已批准"),
        ("rejected", "已拒绝"),
    ]

    # When it is rejected
    assert decide(client, "manager2", rid, approve=False, reason="am3 is full").status_code == 200

    # Then the page shows the rejected badge and no decision form
    decided = checker.get(f"/assignments/requests/{rid}").text
    assert BADGE.findall(decided) == [("bg-red-lt", "Rejected")]
    assert 'id="decision-form"' not in decided


def test_a_change_request_page_shows_its_catalogue_label_colour_and_tabs(
    client: TestClient, make_client: Callable[[], TestClient], db: Session
) -> None:
    # Given a new customer filed by am1, and the rejected state relabelled in the catalogue table
    filed = client.post("/api/v1/customers/individual", json=individual(db), headers=token_for(client, "am1"))
    rid = filed.json()["id"]
    states = WorkflowState.__table__
    db.execute(
        update(states)
        .where(states.c.workflow == "change_request", states.c.code == "rejected")
        .values(label_en="Declined")
    )
    db.flush()
    maker, checker = signed_in(make_client(), "am1"), signed_in(make_client(), "manager")

    # When the maker and the checker open the request, and the maker the list
    as_maker = maker.get(f"/approvals/{rid}").text
    as_checker = checker.get(f"/approvals/{rid}").text
    inbox = maker.get("/approvals").text

    # Then both see the waiting badge; only the checker gets the decision form; the tabs follow the catalogue
    assert BADGE.findall(as_maker) == BADGE.findall(as_checker) == [("bg-yellow-lt", "Waiting")]
    assert ('id="decision-form"' in as_maker, 'id="decision-form"' in as_checker) == (False, True)
    assert _tabs(inbox, "/approvals") == [("submitted", "Waiting"), ("approved", "Approved"), ("rejected", "Declined")]

    # When the checker rejects it
    rejected = client.post(
        f"/api/v1/change-requests/{rid}/decision",
        json={"approve": False, "reason": "证件不清"},
        headers=token_for(client, "manager"),
    )

    # Then the page shows the catalogue's label for rejected in red, and no decision form
    assert rejected.status_code == 200, rejected.text
    page = checker.get(f"/approvals/{rid}").text
    assert BADGE.findall(page) == [("bg-red-lt", "Declined")]
    assert 'id="decision-form"' not in page


def test_the_task_tabs_and_badges_follow_the_workflow_catalogue(
    make_client: Callable[[], TestClient], db: Session
) -> None:
    # Given one open and one done task of am1's, and the done state relabelled in the catalogue table
    customer = make_customer(db, "90000000014")
    made = {}
    for status in ("OPEN", "DONE"):
        made[status] = Task(
            kind="MATURITY",
            customer_id=customer.id,
            assignee_id=user_id(db, "am1"),
            due_date=date(2026, 12, 31),
            status=status,
        )
        db.add(made[status])
    states = WorkflowState.__table__
    db.execute(update(states).where(states.c.workflow == "task", states.c.code == "DONE").values(label_en="Finished"))
    db.flush()
    am1 = signed_in(make_client(), "am1")

    # When am1 opens every task
    page = am1.get("/tasks?status=all").text

    # Then the tabs are the task workflow's states (keys in lower case), then all, with the catalogue's labels;
    # the open task has its outcome form and the done one (no outcome recorded) the done label
    tabs = re.findall(r'data-testid="task-filter-(\w+)"\s*(?:aria-current="page")?>([^<]*)</a>', page)
    assert tabs == [("open", "Open"), ("done", "Finished"), ("all", "All")]
    open_id, done_id = made["OPEN"].id, made["DONE"].id
    assert f'data-testid="task-{open_id}-form"' in page and f'data-testid="task-{done_id}-form"' not in page
    label = re.findall(rf'data-testid="task-{done_id}-outcome-label">([^<]*)</span>', page)
    assert label == ["Finished"]
