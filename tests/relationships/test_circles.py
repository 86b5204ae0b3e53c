"""Guarantee circles: a 3-cycle and a 2-cycle found, a chain not; amounts inside; re-derivation; scope; 360° flag."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.group import GuaranteeCircle
from bankcrm.models.relationship import CustomerLink
from tests.conftest import signed_in, token_for
from tests.relationships.groups_fixtures import G, add_link, derive, given_group_customers, given_guarantees


def given_circles(client: TestClient, db: Session) -> tuple[dict[str, Any], dict[str, str]]:
    made = given_group_customers(db)
    given_guarantees(db, made)
    risk = token_for(client, "risk")
    derive(client, risk)
    return made, risk


def members(client: TestClient, headers: dict[str, str], circle_id: int) -> list[str | None]:
    body = client.get(f"/api/v1/guarantee-circles/{circle_id}", headers=headers).json()
    return [m["cif_no"] for m in body["members"]]


def test_the_three_cycle_and_the_two_cycle_are_circles_and_the_chain_is_not(client: TestClient, db: Session) -> None:
    # Given the guarantees, derived
    _, risk = given_circles(client, db)
    # When the circles are listed
    listed = client.get("/api/v1/guarantee-circles", headers=risk)
    # Then the 2-cycle (3,000 inside) and the 3-cycle (600 inside; the 50,000 to the chain is outside)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(c["member_count"], c["total_amount"], c["status"]) for c in items] == [
        (2, 3_000, "CURRENT"),
        (3, 600, "CURRENT"),
    ]
    assert members(client, risk, items[0]["id"]) == [G[3], G[4]]
    assert members(client, risk, items[1]["id"]) == [G[0], G[1], G[2]]
    # And the circle's graph holds exactly its guarantees
    graph = client.get(f"/api/v1/guarantee-circles/{items[1]['id']}", headers=risk).json()["graph"]
    assert sorted(e["amount"] for e in graph["edges"]) == [100, 200, 300]
    assert len(graph["nodes"]) == 3


def test_rederiving_keeps_circle_ids_and_a_broken_cycle_ends(client: TestClient, db: Session) -> None:
    # Given the circles
    made, risk = given_circles(client, db)
    before = {c.id for c in db.scalars(select(GuaranteeCircle))}
    # When derived again
    again = derive(client, risk)
    # Then nothing is new and nothing ended
    assert (again["circles"], again["circles_new"], again["circles_ended"]) == (2, 0, 0)
    assert {c.id for c in db.scalars(select(GuaranteeCircle))} == before
    # When G5's guarantee for G4 ends and the chain closes (G8 guarantees G6)
    g5 = db.scalars(select(CustomerLink).where(CustomerLink.from_customer_id == made[G[4]].id)).one()
    g5.valid_to = date.today() - timedelta(days=1)
    add_link(db, made, G[7], "GUARANTOR_FOR", G[5], amount=30)
    db.flush()
    report = derive(client, risk)
    # Then the 2-cycle ended and the chain is a new circle of three (10 + 20 + 30 inside)
    assert (report["circles"], report["circles_new"], report["circles_ended"]) == (2, 1, 1)
    ended = client.get("/api/v1/guarantee-circles", params={"status": "ended"}, headers=risk).json()["items"]
    assert [(c["member_count"], c["ended_at"] is not None) for c in ended] == [(2, True)]
    current = client.get("/api/v1/guarantee-circles", headers=risk).json()["items"]
    assert [(c["member_count"], c["total_amount"]) for c in current] == [(3, 600), (3, 60)]


def test_the_360_view_flags_a_member_with_a_link_to_the_circle(client: TestClient, db: Session) -> None:
    # Given the circles
    _, risk = given_circles(client, db)
    circle_id = client.get("/api/v1/guarantee-circles", headers=risk).json()["items"][1]["id"]
    am1 = signed_in(client, "am1")
    # When am1 opens the 360° view of G2 (in the 3-cycle) and of G7 (only in the chain)
    member = am1.get(f"/customers/{G[1]}/360")
    outsider = am1.get(f"/customers/{G[6]}/360")
    # Then G2's page says so and links to the circle; G7's does not
    assert member.status_code == 200
    assert "In a guarantee circle of 3 customers" in member.text
    assert f'href="/guarantee-circles/{circle_id}"' in member.text
    assert "data-guarantee-circle" not in outsider.text
    # And the 360° API carries the flag
    api = client.get(f"/api/v1/customers/{G[1]}/view", headers=token_for(client, "am1")).json()
    assert api["guarantee_circles"] == [{"circle_id": circle_id, "member_count": 3}]


def test_am2_cannot_see_a_beijing_circle_and_bad_input_is_refused(client: TestClient, db: Session) -> None:
    # Given the Beijing circles
    _, risk = given_circles(client, db)
    circle_id = client.get("/api/v1/guarantee-circles", headers=risk).json()["items"][0]["id"]
    am2 = token_for(client, "am2")
    # Then am2 lists none and reading one is a 404
    assert client.get("/api/v1/guarantee-circles", headers=am2).json()["total"] == 0
    hidden = client.get(f"/api/v1/guarantee-circles/{circle_id}", headers=am2)
    assert (hidden.status_code, hidden.json()["detail"]) == (404, "No such guarantee circle.")
    # And a bad status filter or id is a problem+json 422
    bad = client.get("/api/v1/guarantee-circles", params={"status": "all"}, headers=risk)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"] == [{"field": "status", "message": "Choose one of: current, ended."}]
    assert client.get("/api/v1/guarantee-circles/0", headers=risk).status_code == 422
