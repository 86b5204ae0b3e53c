"""The pages: groups list with the derive button, a group's review, circles, a customer's relationship graph."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.group import CorporateGroup
from tests.conftest import csrf_from, signed_in
from tests.relationships.groups_fixtures import (
    HOLD,
    MID,
    G,
    given_figures,
    given_group_customers,
    given_guarantees,
    given_shareholdings,
    run_queued_groups,
)


def graph_block(html: str, key: str) -> dict:  # type: ignore[type-arg]
    match = re.search(rf'<script type="application/json" id="{key}-graph-data">(.*?)</script>', html, re.S)
    assert match, f"no {key} graph block"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_a_risk_manager_derives_then_rejects_without_and_with_a_reason_then_accepts(
    client: TestClient, db: Session
) -> None:
    # Given the shareholding case and the risk manager on the groups page
    made = given_group_customers(db)
    given_shareholdings(db, made)
    given_figures(db, made)
    risk = signed_in(client, "risk")
    page = risk.get("/groups")
    assert page.status_code == 200
    assert (
        'id="derive-groups"' in page.text and 'href="/groups"' in page.text and 'href="/guarantee-circles"' in page.text
    )
    # When the derive button is pressed
    derived = risk.post("/groups/derive", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    # Then the derivation is queued (not run in the request) and the page says so
    assert (derived.status_code, derived.headers["location"]) == (303, "/groups?status=proposed&queued=1")
    waiting = risk.get(derived.headers["location"])
    assert "Derivation queued: groups and circles are derived by the next batch run" in waiting.text
    assert "北京控股集团有限公司" not in waiting.text
    assert "A derivation is queued and runs with the next batch." in risk.get("/groups").text
    # When the batch runs the queued step
    assert run_queued_groups(client)["proposed"] == 2
    # Then the proposals are listed and nothing is queued any more
    listed = risk.get("/groups?status=proposed")
    assert "北京控股集团有限公司" in listed.text and "330,000.00" in listed.text
    assert "is queued" not in listed.text
    hold_group = db.scalars(select(CorporateGroup).where(CorporateGroup.core_customer_id == made[HOLD].id)).one()
    # When the group's page is opened
    group_page = risk.get(f"/groups/{hold_group.id}")
    # Then it shows the figures, the review forms and the graph's data block (five nodes)
    assert 'data-figure="exposure">330,000.00<' in group_page.text
    assert 'id="accept-group"' in group_page.text and 'id="reject-group"' in group_page.text
    assert len(graph_block(group_page.text, "group")["nodes"]) == 5
    # When it is rejected without a reason
    token = csrf_from(group_page.text)
    blank = risk.post(f"/groups/{hold_group.id}/reject", data={"csrf_token": token, "reason": ""})
    # Then the page says why and the group is still proposed
    assert blank.status_code == 422
    assert 'data-field-error="reason">Give the reason for rejecting the group.</div>' in blank.text
    db.refresh(hold_group)
    assert hold_group.status == "PROPOSED"
    # When it is accepted
    accepted = risk.post(f"/groups/{hold_group.id}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"/groups/{hold_group.id}?saved=accepted")
    shown = risk.get(accepted.headers["location"])
    assert "The group is accepted." in shown.text and 'id="accept-group"' not in shown.text
    db.refresh(hold_group)
    assert hold_group.status == "ACCEPTED"
    # And a second accept (an old tab) re-renders the page with the conflict
    again = risk.post(f"/groups/{hold_group.id}/accept", data={"csrf_token": token})
    assert again.status_code == 409
    assert "Only a proposed group can be accepted or rejected." in again.text


def test_an_account_manager_reads_groups_but_has_no_review_buttons(client: TestClient, db: Session) -> None:
    made = given_group_customers(db)
    given_shareholdings(db, made)
    risk = signed_in(client, "risk")
    risk.post("/groups/derive", data={"csrf_token": csrf_from(risk.get("/groups").text)})
    run_queued_groups(client)
    group_id = db.scalars(select(CorporateGroup.id).order_by(CorporateGroup.id)).first()
    client.cookies.clear()
    am1 = signed_in(client, "am1")
    page = am1.get("/groups")
    assert page.status_code == 200 and 'id="derive-groups"' not in page.text
    group = am1.get(f"/groups/{group_id}")
    assert group.status_code == 200 and 'id="accept-group"' not in group.text
    refused = am1.post(f"/groups/{group_id}/accept", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(CorporateGroup, group_id).status == "PROPOSED"  # type: ignore[union-attr]


def test_circles_pages_and_a_customers_graph_page(client: TestClient, db: Session) -> None:
    made = given_group_customers(db)
    given_shareholdings(db, made)
    given_guarantees(db, made)
    risk = signed_in(client, "risk")
    risk.post("/groups/derive", data={"csrf_token": csrf_from(risk.get("/groups").text)})
    run_queued_groups(client)
    listed = risk.get("/guarantee-circles")
    assert listed.status_code == 200
    ids = re.findall(r'href="/guarantee-circles/(\d+)"', listed.text)
    assert len(ids) == 2
    circle = risk.get(f"/guarantee-circles/{ids[1]}")
    assert "A guarantee circle of 3 customers" in circle.text and "6.00" in circle.text
    assert [n["cif_no"] for n in graph_block(circle.text, "circle")["nodes"]] == [G[0], G[1], G[2]]
    assert risk.get("/guarantee-circles?status=ended").status_code == 200
    # and the links page leads to the customer's graph, which carries its data block
    client.cookies.clear()
    am1 = signed_in(client, "am1")
    assert f'href="/customers/{MID}/relationships"' in am1.get(f"/customers/{MID}/links").text
    graph_page = am1.get(f"/customers/{MID}/relationships")
    assert graph_page.status_code == 200
    assert len(graph_block(graph_page.text, "customer")["nodes"]) == 6
