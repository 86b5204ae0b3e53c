"""A lifecycle playbook task (welcome call, cross-sell, retention visit) is worked with a follow-up outcome."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.models.task import Task
from tests.conftest import login, token_for, user_id
from tests.factories import make_customer


def given_a_welcome_call(db: Session) -> int:
    """am1's welcome call to a new Beijing customer, due in a week."""
    customer = make_customer(db, "90000000077")
    task = Task(
        kind="WELCOME_CALL", customer_id=customer.id, assignee_id=user_id(db, "am1"), due_date=date(2026, 12, 10)
    )
    db.add(task)
    db.commit()
    return task.id


def test_a_welcome_call_ends_with_a_followup_outcome_and_no_amount(client: TestClient, db: Session) -> None:
    task_id = given_a_welcome_call(db)
    headers = token_for(client, "am1")
    # When am1 gives it a maturity outcome and an amount, Then both fields are refused, named
    wrong = client.post(
        f"/api/v1/tasks/{task_id}/outcome", json={"outcome": "RENEWED", "amount_kept": 100}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [
        {"field": "outcome", "message": "Choose how the follow-up went: a maturity outcome does not apply."},
        {"field": "amount_kept", "message": "A follow-up call or visit keeps no amount."},
    ]
    # When am1 records that the customer was reached but took nothing up
    done = client.post(
        f"/api/v1/tasks/{task_id}/outcome", json={"outcome": "CONTACTED", "note": "回访完成"}, headers=headers
    )
    # Then the task is done with that outcome and no amount
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["outcome"], body["amount_kept"], body["note"]) == (
        "DONE",
        "CONTACTED",
        None,
        "回访完成",
    )


def test_the_tasks_page_offers_followup_outcomes_for_a_playbook_task(client: TestClient, db: Session) -> None:
    task_id = given_a_welcome_call(db)
    login(client, "am1")
    page = client.get("/tasks")
    assert page.status_code == 200
    form = page.text.split(f'data-testid="task-{task_id}-form"')[1].split("</form>")[0]
    assert 'value="CONTACTED"' in form and 'value="NOT_REACHED"' in form
    assert 'value="RENEWED"' not in form and "amount_kept" not in form
