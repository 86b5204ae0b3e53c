"""From a task to the customer and to a call: the phone is masked in the list and revealed (audited) as a tel: link."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bankcrm.kit.crypto import aad_for
from bankcrm.kit.masking import mask_phone
from bankcrm.models.access import Role, role_permission
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer, CustomerContact
from bankcrm.models.task import Task
from tests.conftest import csrf_from, signed_in, user_id
from tests.factories import make_customer

WITH_PHONE = "93000000001"
WITHOUT_PHONE = "93000000002"
PHONE = "+8613912345678"


def add_phone(client: TestClient, db: Session, customer: Customer, e164: str, **extra: Any) -> CustomerContact:
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    contact = CustomerContact(
        customer_id=customer.id, channel="phone", purpose="mobile", value_masked=mask_phone(e164), **extra
    )
    db.add(contact)
    db.flush()
    contact.value_enc = cipher.encrypt(e164, aad_for("customer_contact", "value", contact.id))
    db.flush()
    return contact


def add_task(db: Session, customer: Customer) -> Task:
    due = date.today() + timedelta(days=5)
    task = Task(
        kind="MATURITY",
        customer_id=customer.id,
        assignee_id=user_id(db, "am1"),
        holding_kind="account",
        holding_id=customer.id,
        product_code="TD-1Y",
        maturity_date=due,
        window_days=7,
        due_date=due,
        amount_due=5_000_000,
        status="OPEN",
    )
    db.add(task)
    db.flush()
    return task


def test_a_task_row_links_to_the_customer_and_reveals_the_phone_as_a_tel_link(client: TestClient, db: Session) -> None:
    # Given two tasks of am1: one customer with an ended and a current phone, one with no phone
    called = make_customer(db, WITH_PHONE, name="周一")
    silent = make_customer(db, WITHOUT_PHONE, name="吴二")
    add_phone(client, db, called, "+8613800000000", valid_to=date.today() - timedelta(days=1))
    add_phone(client, db, called, PHONE)
    first, second = add_task(db, called), add_task(db, silent)
    am1 = signed_in(client, "am1")
    # When am1 opens the task page
    page = am1.get("/tasks").text
    # Then each row links to its customer, and the phone is shown masked with a Call button (only where one exists)
    for task, cif_no in ((first, WITH_PHONE), (second, WITHOUT_PHONE)):
        assert f'<a href="/customers/{cif_no}/360" data-testid="task-{task.id}-customer">' in page
    assert f'data-testid="task-{first.id}-call"' in page and f'hx-post="/tasks/{first.id}/call"' in page
    assert mask_phone(PHONE) in page and PHONE not in page and "13800000000" not in page
    assert f'data-testid="task-{second.id}-phone"' not in page and f'data-testid="task-{second.id}-call"' not in page
    # When am1 presses Call
    before = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    answer = am1.post(f"/tasks/{first.id}/call", headers={"X-CSRF-Token": csrf_from(page)})
    # Then the answer is a tel: link with the current phone in clear, and the reveal is audited as "Show" is
    assert answer.status_code == 200, answer.text
    assert f'href="tel:{PHONE}" data-testid="task-{first.id}-tel">Call {PHONE}</a>' in answer.text
    events = db.scalars(select(AuditEvent).where(AuditEvent.seq > before)).all()
    contact_id = db.scalars(select(CustomerContact.id).where(CustomerContact.customer_id == called.id)).all()[1]
    assert [(e.action, e.entity_id, e.detail) for e in events] == [("pii.unmask", WITH_PHONE, f"contact {contact_id}")]
    # And pressing Call on the task without a phone says so
    assert am1.post(f"/tasks/{second.id}/call", headers={"X-CSRF-Token": csrf_from(page)}).status_code == 404


def test_without_pii_unmask_the_phone_stays_masked_and_cannot_be_called(client: TestClient, db: Session) -> None:
    # Given account managers lose pii.unmask, and am1's task on a customer with a phone
    role = db.scalars(select(Role).where(Role.code == "account_manager")).one()
    db.execute(
        delete(role_permission).where(
            role_permission.c.role_id == role.id, role_permission.c.permission_code == "pii.unmask"
        )
    )
    called = make_customer(db, WITH_PHONE, name="周一")
    add_phone(client, db, called, PHONE)
    task = add_task(db, called)
    am1 = signed_in(client, "am1")
    # When am1 opens the task page
    page = am1.get("/tasks").text
    # Then the masked phone is shown with no Call button, and calling directly is refused and reveals nothing
    assert mask_phone(PHONE) in page and f'data-testid="task-{task.id}-call"' not in page
    refused = am1.post(f"/tasks/{task.id}/call", headers={"X-CSRF-Token": csrf_from(page)})
    assert refused.status_code == 403 and PHONE not in refused.text
