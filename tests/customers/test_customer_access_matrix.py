"""am2 (Shanghai) against a Beijing customer on every route: 404 or absent, audited, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import ChangeRequest, Customer, FieldChange
from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import approved, individual


@pytest.fixture
def bj_customer(client, db):  # type: ignore[no-untyped-def]
    """An approved Beijing customer with a pending name change (so there is a request to decide)."""
    cif_no = approved(client, db, individual(db))
    change = client.patch(f"/api/v1/customers/{cif_no}", json={"name": "张三丰"}, headers=token_for(client, "am1"))
    return cif_no, change.json()["change_request"]["id"]


def _snapshot(db, cif_no):  # type: ignore[no-untyped-def]
    db.expire_all()
    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    history = db.scalar(select(func.count()).select_from(FieldChange).where(FieldChange.customer_id == customer.id))
    requests = [(r.id, r.status) for r in db.scalars(select(ChangeRequest).order_by(ChangeRequest.id))]
    return (customer.name, customer.status, customer.updated_at, history, requests)


def _out_of_scope_events(db, cif_no):  # type: ignore[no-untyped-def]
    return db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "authz.out_of_scope", AuditEvent.actor_username == "am2")
    )


def test_api_routes_answer_404_and_change_nothing(client, db, bj_customer):
    cif_no, request_id = bj_customer
    headers = token_for(client, "am2")
    before, audited = _snapshot(db, cif_no), _out_of_scope_events(db, cif_no)
    calls = [
        ("GET", f"/api/v1/customers/{cif_no}", None),
        ("GET", f"/api/v1/customers/{cif_no}/history", None),
        ("PATCH", f"/api/v1/customers/{cif_no}", {"employer": "x"}),
        ("POST", f"/api/v1/customers/{cif_no}/unmask?field=id_no", None),
        ("GET", f"/api/v1/change-requests/{request_id}", None),
        ("POST", f"/api/v1/change-requests/{request_id}/decision", {"approve": True}),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
    # search finds nothing, by any key
    for q in (cif_no, "张三", "zs"):
        assert client.get("/api/v1/customers", params={"q": q}, headers=headers).json()["total"] == 0
    # every attempt is audited, and nothing changed
    assert _out_of_scope_events(db, cif_no) - audited == len(calls)
    assert _snapshot(db, cif_no) == before


def test_pages_answer_404_search_and_export_leave_the_customer_out(client, db, bj_customer):
    cif_no, request_id = bj_customer
    am2 = signed_in(client, "am2")
    before = _snapshot(db, cif_no)
    token = csrf_from(am2.get("/customers").text)
    for path in (f"/customers/{cif_no}", f"/customers/{cif_no}/edit", f"/approvals/{request_id}"):
        assert am2.get(path).status_code == 404, path
    posts = [
        (f"/customers/{cif_no}/edit", {"employer": "x"}),
        (f"/customers/{cif_no}/unmask?field=id_no", {}),
        (f"/approvals/{request_id}", {"decision": "approve"}),
    ]
    for path, data in posts:
        assert am2.post(path, data=data | {"csrf_token": token}).status_code == 404, path
    # (the search box echoes the typed query, so look for the result link, not the number)
    assert f'href="/customers/{cif_no}"' not in am2.get(f"/customers?q={cif_no}").text
    assert f'href="/customers/{cif_no}"' not in am2.get(f"/search?q={cif_no}").text
    assert cif_no not in am2.get("/customers/export.csv").text
    assert _snapshot(db, cif_no) == before
