"""Opportunities through the API: open, move with history, close lost with a reason, scope, 422s, proposed wins."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.holding import Account
from bankcrm.sales.service import wins
from tests.conftest import token_for, unit_id
from tests.factories import make_customer
from tests.sales.helpers import given_an_account

CIF = "91000000301"
SH_CIF = "91000000302"


def open_one(client: TestClient, headers: dict[str, str], cif_no: str = CIF) -> dict:  # type: ignore[type-arg]
    body = {"cif_no": cif_no, "product_code": "TD-3M", "amount": 50_000_000, "expected_close": "2027-01-31"}
    r = client.post("/api/v1/opportunities", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_an_opportunity_moves_through_the_stages_with_its_history(client: TestClient, db: Session) -> None:
    # Given a Beijing customer of am1
    make_customer(db, CIF)
    db.commit()
    am1 = token_for(client, "am1")
    # When am1 opens an opportunity, moves it to 方案 then 签约
    o = open_one(client, am1)
    client.patch(f"/api/v1/opportunities/{o['id']}", json={"stage": "PROPOSAL"}, headers=am1)
    r = client.patch(f"/api/v1/opportunities/{o['id']}", json={"stage": "SIGNING", "note": "合同已寄出"}, headers=am1)
    zh = client.get(f"/api/v1/opportunities/{o['id']}", headers=am1 | {"Accept-Language": "zh-CN"}).json()
    # Then it opened in 识别 at 10 %, now stands in 签约 at the stage's 80 %, weighted 400,000 yuan, with every move
    assert (o["stage"], o["probability_pct"]) == ("IDENTIFY", 10)
    body = r.json()
    assert (body["stage"], body["probability_pct"], body["weighted_amount"]) == ("SIGNING", 80, 40_000_000)
    assert [(h["from_stage"], h["to_stage"], h["changed_by"], h["note"]) for h in body["history"]] == [
        (None, "IDENTIFY", "李明 Li Ming", None),
        ("IDENTIFY", "PROPOSAL", "李明 Li Ming", None),
        ("PROPOSAL", "SIGNING", "李明 Li Ming", "合同已寄出"),
    ]
    assert (zh["stage_label"], [h["to_label"] for h in zh["history"]]) == ("签约", ["识别", "方案", "签约"])


def test_closing_as_lost_needs_a_reason_and_competitor_from_the_tables(client: TestClient, db: Session) -> None:
    # Given an open opportunity of am1
    make_customer(db, CIF)
    db.commit()
    am1 = token_for(client, "am1")
    o = open_one(client, am1)
    # When am1 closes it as lost without reasons, with an unknown competitor, then properly
    bare = client.patch(f"/api/v1/opportunities/{o['id']}", json={"stage": "LOST"}, headers=am1)
    bad = client.patch(
        f"/api/v1/opportunities/{o['id']}",
        json={"stage": "LOST", "lost_reason": "PRICE", "competitor": "NOBODY"},
        headers=am1,
    )
    ok = client.patch(
        f"/api/v1/opportunities/{o['id']}",
        json={"stage": "LOST", "lost_reason": "PRICE", "competitor": "CMB"},
        headers=am1,
    )
    again = client.patch(f"/api/v1/opportunities/{o['id']}", json={"stage": "CONTACT"}, headers=am1)
    # Then the first two are 422 naming the fields, the third closes it at 0 %, a closed one cannot move (409)
    assert bare.status_code == 422
    assert sorted(e["field"] for e in bare.json()["errors"]) == ["competitor", "lost_reason"]
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["competitor"])
    assert (ok.json()["stage"], ok.json()["probability_pct"], ok.json()["competitor"]) == ("LOST", 0, "CMB")
    assert again.status_code == 409


def test_bad_input_is_422_naming_the_field_and_nothing_is_written(client: TestClient, db: Session) -> None:
    # Given a customer of am1
    make_customer(db, CIF)
    db.commit()
    am1 = token_for(client, "am1")
    # When am1 posts an unknown product, a zero amount, a bad date and an unknown stage
    cases = {
        "product_code": {"product_code": "NOPE"},
        "amount": {"amount": 0},
        "expected_close": {"expected_close": "2027-13-01"},
        "stage": {"stage": "WON"},
        "cif_no": {"cif_no": "99999999999"},
    }
    base = {"cif_no": CIF, "product_code": "TD-3M", "amount": 100, "expected_close": "2027-01-31"}
    fields = {}
    for name, change in cases.items():
        r = client.post("/api/v1/opportunities", json=base | change, headers=am1)
        fields[name] = (r.status_code, [e["field"].split(".")[-1] for e in r.json()["errors"]])
    # Then each names its field and no opportunity exists
    assert fields == {name: (422, [name]) for name in cases}
    assert client.get("/api/v1/opportunities", headers=am1).json()["total"] == 0


def test_am2_gets_404_on_beijing_opportunities_and_lists_none(client: TestClient, db: Session) -> None:
    # Given an opportunity of am1 on a Beijing customer and one of am2 on a Shanghai customer
    make_customer(db, CIF)
    make_customer(db, SH_CIF, unit="SH", manager="am2")
    db.commit()
    bj = open_one(client, token_for(client, "am1"))
    am2 = token_for(client, "am2")
    sh = open_one(client, am2, SH_CIF)
    # When am2 reads, moves and lists
    read = client.get(f"/api/v1/opportunities/{bj['id']}", headers=am2)
    move = client.patch(f"/api/v1/opportunities/{bj['id']}", json={"stage": "CONTACT"}, headers=am2)
    listed = client.get("/api/v1/opportunities", headers=am2).json()
    manager = client.get("/api/v1/opportunities", headers=token_for(client, "manager")).json()
    # Then am2 gets 404 on the Beijing one and sees only their own; the Beijing branch manager sees only Beijing's
    assert (read.status_code, move.status_code) == (404, 404)
    assert [o["id"] for o in listed["items"]] == [sh["id"]]
    assert [o["id"] for o in manager["items"]] == [bj["id"]]


def test_the_product_appearing_in_the_holdings_proposes_the_win_and_the_owner_confirms(
    client: TestClient, db: Session
) -> None:
    # Given am1's opportunity for a 3-month time deposit, at 签约
    customer = make_customer(db, CIF)
    db.commit()
    am1 = token_for(client, "am1")
    o = open_one(client, am1)
    client.patch(f"/api/v1/opportunities/{o['id']}", json={"stage": "SIGNING"}, headers=am1)
    # When the holdings show the customer's new TD-3M account of 480,000.00 yuan and the step runs (twice)
    given_an_account(db, customer, "TD-3M", 48_000_000, date.today())
    first = wins.propose(db, today=date.today())
    second = wins.propose(db, today=date.today())
    db.commit()
    proposed = client.get(f"/api/v1/opportunities/{o['id']}", headers=am1).json()
    # Then it is proposed once with the actual amount and stays at 签约 until confirmed
    assert (first, second) == (1, 0)
    assert (proposed["stage"], proposed["proposed_amount"]) == ("SIGNING", 48_000_000)
    assert db.scalar(select(Account.balance).where(Account.customer_id == customer.id)) == 48_000_000


def test_a_unit_id_is_recorded_from_the_customer(client: TestClient, db: Session) -> None:
    # Given a customer homed in Beijing
    make_customer(db, CIF)
    db.commit()
    # When am1 opens an opportunity
    o = open_one(client, token_for(client, "am1"))
    # Then it belongs to the Beijing unit
    assert (o["unit"], unit_id(db, "BJ") > 0) == ("BJ", True)
