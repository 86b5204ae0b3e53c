"""Saved segments: visibility (private, unit, bank), owner-only changes, static lists with unknown CIF numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from tests.conftest import token_for
from tests.segments.plant import A, B, C, D, E, plant

VIP = {"feature": "tier", "op": "=", "value": "VIP"}


def save(client: TestClient, user: str, name: str, visibility: str = "private") -> dict:  # type: ignore[type-arg]
    body = {"name": name, "description": "贵宾客户", "visibility": visibility, "spec": VIP}
    answer = client.post("/api/v1/segments", json=body, headers=token_for(client, user))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_saved_segment_has_its_members_at_once_and_counts_only_those_in_the_readers_scope(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given the customers (A, B VIPs in Beijing; E a VIP in Shanghai)
    plant(db, today_in(settings.timezone))
    # When the branch manager saves "VIP customers" for the bank... refused without segment.publish? No: management
    # holds it. The bank sees it.
    saved = save(client, "manager", "VIP customers", "bank")
    # Then it reads back with its words, and counts the members the reader may see
    assert (saved["kind"], saved["visibility"], saved["owner"], saved["members"]) == (
        "rule",
        "bank",
        "王经理 Wang (Branch manager)",
        2,
    )
    assert saved["words"] == "Value tier is VIP"
    am2 = token_for(client, "am2")
    seen = client.get(f"/api/v1/segments/{saved['id']}", headers=am2).json()
    assert (seen["members"], seen["editable"]) == (1, False)
    # And am2's members list holds only E, masked, with the day E entered
    members = client.get(f"/api/v1/segments/{saved['id']}/members", headers=am2).json()
    assert (members["total"], [m["cif_no"] for m in members["items"]]) == (1, [E])
    assert members["items"][0]["entered_on"] == today_in(settings.timezone).isoformat()
    # And the whole bank's size was recorded for the day
    sizes = client.get(f"/api/v1/segments/{saved['id']}/sizes", headers=am2).json()
    assert sizes == [{"day": today_in(settings.timezone).isoformat(), "members": 3}]


def test_private_and_unit_segments_are_seen_only_by_their_owner_and_unit(client: TestClient) -> None:
    # Given am1 (Beijing) saves a private and a unit segment; am1 cannot share with the bank
    private = save(client, "am1", "私有")
    unit = save(client, "am1", "支行共享", "unit")
    body = {"name": "全行", "visibility": "bank", "spec": VIP}
    refused = client.post("/api/v1/segments", json=body, headers=token_for(client, "am1"))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["visibility"]
    # Then the Beijing manager sees the unit one only, am2 (Shanghai) neither; the private one is 404 to others
    names = {
        u: [s["name"] for s in client.get("/api/v1/segments", headers=token_for(client, u)).json()]
        for u in ("am1", "manager", "am2")
    }
    assert names == {"am1": ["支行共享", "私有"], "manager": ["支行共享"], "am2": []}
    hidden = client.get(f"/api/v1/segments/{private['id']}", headers=token_for(client, "manager"))
    assert hidden.status_code == 404
    assert client.get(f"/api/v1/segments/{unit['id']}/members", headers=token_for(client, "am2")).status_code == 404


def test_only_the_owner_changes_or_deletes_a_segment(client: TestClient, db: Session) -> None:
    # Given am1's unit segment
    unit = save(client, "am1", "支行共享", "unit")
    body = {"name": "改名", "visibility": "unit", "spec": {"feature": "tier", "op": "=", "value": "MASS"}}
    # When ops (same unit, segment.manage, not the owner) changes or deletes it: refused, audited
    ops = token_for(client, "ops")
    assert client.put(f"/api/v1/segments/{unit['id']}", json=body, headers=ops).status_code == 403
    assert client.delete(f"/api/v1/segments/{unit['id']}", headers=ops).status_code == 403
    # When the owner changes it: saved, the words follow the new specification
    changed = client.put(f"/api/v1/segments/{unit['id']}", json=body, headers=token_for(client, "am1"))
    assert (changed.status_code, changed.json()["name"], changed.json()["words"]) == (200, "改名", "Value tier is MASS")
    # When the owner deletes it: gone
    assert client.delete(f"/api/v1/segments/{unit['id']}", headers=token_for(client, "am1")).status_code == 204
    assert client.get(f"/api/v1/segments/{unit['id']}", headers=token_for(client, "am1")).status_code == 404
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "segment")).all()
    assert sorted(set(actions)) == ["segment.changed", "segment.created", "segment.deleted"]


def test_a_static_segment_keeps_the_known_customers_and_lists_the_unknown_numbers_back(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given the customers (E in Shanghai is outside am1's scope)
    plant(db, today_in(settings.timezone))
    am1 = token_for(client, "am1")
    body = {"name": "名单", "cif_nos": [A, C, "88249999999", E, A]}
    # When am1 uploads a list with an unknown number, a customer outside scope and a repeat
    answer = client.post("/api/v1/segments/static", json=body, headers=am1)
    # Then the known ones are members, the unknown and the out-of-scope listed back alike
    assert answer.status_code == 201, answer.text
    assert (answer.json()["segment"]["kind"], answer.json()["segment"]["members"]) == ("static", 2)
    assert answer.json()["unknown"] == [E, "88249999999"]
    members = client.get(f"/api/v1/segments/{answer.json()['segment']['id']}/members", headers=am1).json()
    assert [m["cif_no"] for m in members["items"]] == [A, C]
    # And a line that is no CIF number is refused naming it, nothing saved
    bad = client.post("/api/v1/segments/static", json={"name": "坏", "cif_nos": [A, "12AB"]}, headers=am1)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "cif_nos")
    assert [s["name"] for s in client.get("/api/v1/segments", headers=am1).json()] == ["名单"]
    assert B and D  # the rest of the planted customers are not on the list
