"""The round-robin page: a branch manager sees and sets the unit's rotas (who, in what order), audited, scoped."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, token_for, user_id
from tests.factories import make_user


def _save(browser: TestClient, unit: str, interest: str, picks: dict[int, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(browser.get(f"/leads/rota?unit={unit}").text)
    data = {"csrf_token": token, "unit": unit, "interest": interest}
    for uid, pos in picks.items():
        data |= {f"on.{uid}": "on", f"pos.{uid}": pos}
    return browser.post("/leads/rota", data=data, follow_redirects=False)


def test_a_branch_manager_sets_the_loan_rota_in_order_and_leads_follow_it(
    client: TestClient, db: Session, make_client
) -> None:
    # Given a second Beijing account manager, am3
    make_user(db, "am3", "BJ", "account_manager")
    db.commit()
    am1, am3 = user_id(db, "am1"), user_id(db, "am3")
    browser = signed_in(make_client(), "manager")
    # When the branch manager puts am3 first and am1 second on Beijing's loan rota, then two loan prospects arrive
    saved = _save(browser, "BJ", "LOAN", {am1: "2", am3: "1"})
    page = browser.get("/leads/rota?unit=BJ")
    zh = browser.get("/leads/rota?unit=BJ", headers={"Accept-Language": "zh-CN"})
    h = token_for(client, "manager")
    body = {"source": "WEB", "interest": "LOAN", "name": "王小二", "amount": 50_000_000}
    got = [client.post("/api/v1/leads", json=body | {"phone": f"1390000555{i}"}, headers=h).json() for i in range(2)]
    # Then it is saved and shown with both ticked in that order, audited; the leads go am3 then am1
    assert (saved.status_code, saved.headers["location"]) == (303, "/leads/rota?unit=BJ")
    card = page.text.split('data-rota="LOAN"')[1].split("</form>")[0]
    assert all(f'name="on.{u}" aria-label="On it" checked' in card for u in (am1, am3))
    assert f'name="pos.{am3}" inputmode="numeric" aria-label="Turn order" value="1"' in card
    assert "轮派名单 · BJ" in zh.text and "贷款" in zh.text.split('data-rota="LOAN"')[1][:300]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "lead.rota_set")).one()
    assert (event.actor_username, json.loads(event.changes or "")) == ("manager", {"users": [[], ["am3", "am1"]]})
    assert [g["assignee"] for g in got] == ["am3", "am1"]


def test_bad_positions_staff_elsewhere_units_outside_and_tellers_are_refused(db: Session, make_client) -> None:
    # Given the Beijing branch manager and the teller signed in
    manager, teller = signed_in(make_client(), "manager"), signed_in(make_client(), "teller")
    am1, am2 = user_id(db, "am1"), user_id(db, "am2")
    # When the manager types a bad position, puts Shanghai's am2 on Beijing's rota, opens Shanghai's rotas,
    # and the teller opens the page
    bad = _save(manager, "BJ", "", {am1: "x"})
    elsewhere = _save(manager, "BJ", "", {am2: "1"})
    shanghai = manager.get("/leads/rota?unit=SH")
    denied = teller.get("/leads/rota")
    # Then 422 naming the position's field, 422 naming the users, 404 outside the subtree, 403 for the teller,
    # and nothing was written
    assert bad.status_code == 422 and f'data-field-error="pos.{am1}"' in bad.text
    assert elsewhere.status_code == 422 and 'data-field-error="users"' in elsewhere.text
    assert (shanghai.status_code, denied.status_code) == (404, 403)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "lead.rota_set")).all() == []
