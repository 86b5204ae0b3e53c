"""Corporate groups: derivation (threshold, cycle, core, paths, totals), review, idempotence, scope, the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.group import CorporateGroup, CorporateGroupMember
from bankcrm.models.relationship import CustomerLink
from bankcrm.relationships import jobs
from tests.conftest import token_for
from tests.factories import make_customer
from tests.relationships.groups_fixtures import (
    CYC_A,
    CYC_B,
    HALF,
    HOLD,
    LEAF,
    MID,
    PERSON,
    SH_CO,
    SUB,
    add_link,
    derive,
    given_figures,
    given_group_customers,
    given_shareholdings,
)


def given_case(db: Session) -> dict[str, Any]:
    made = given_group_customers(db)
    given_shareholdings(db, made)
    given_figures(db, made)
    return made


def groups_by_core(client: TestClient, headers: dict[str, str], status: str = "proposed") -> dict[str, Any]:
    listed = client.get("/api/v1/groups", params={"status": status}, headers=headers)
    assert listed.status_code == 200, listed.text
    return {g["core_cif_no"]: g for g in listed.json()["items"]}


def statuses(db: Session) -> list[tuple[int, str]]:
    db.expire_all()
    return [(g.id, g.status) for g in db.scalars(select(CorporateGroup).order_by(CorporateGroup.id))]


def path_of(member: dict[str, Any]) -> list[tuple[str | None, str | None, bool | None]]:
    return [(s["cif_no"], s["link_type"], s["forward"]) for s in member["path"]]


def test_derivation_finds_both_groups_with_exact_cores_paths_and_totals(client: TestClient, db: Session) -> None:
    # Given the three-level shareholding (with a share of exactly 50 %) and the ownership cycle
    given_case(db)
    risk = token_for(client, "risk")
    # When the risk manager derives groups
    report = derive(client, risk)
    # Then two groups are proposed and no guarantee circle exists
    assert {k: report[k] for k in ("groups", "proposed", "unchanged", "outdated", "circles")} == {
        "groups": 2,
        "proposed": 2,
        "unchanged": 0,
        "outdated": 0,
        "circles": 0,
    }
    proposed = groups_by_core(client, risk)
    assert sorted(proposed) == [HOLD, CYC_A]
    # And HOLD's group: HALF (exactly 50 %) is not a member, PERSON is its controller
    group = client.get(f"/api/v1/groups/{proposed[HOLD]['id']}", headers=risk).json()
    assert (group["status"], group["member_count"], group["controller_count"]) == ("PROPOSED", 4, 1)
    assert group["triggered_by"] == "周强 Zhou Qiang"  # the risk manager who queued the derivation
    assert [(m["cif_no"], m["role"], m["depth"]) for m in group["members"]] == [
        (HOLD, "CORE", 0),
        (PERSON, "CONTROLLER", 1),
        (MID, "MEMBER", 1),
        (LEAF, "MEMBER", 2),
        (SUB, "MEMBER", 2),
    ]
    paths = {m["cif_no"]: path_of(m) for m in group["members"]}
    assert paths[LEAF] == [(HOLD, None, None), (MID, "SHAREHOLDER_OF", True), (LEAF, "SHAREHOLDER_OF", True)]
    assert paths[SUB] == [(HOLD, None, None), (MID, "SHAREHOLDER_OF", True), (SUB, "SUBSIDIARY_OF", True)]
    assert paths[PERSON] == [(HOLD, None, None), (PERSON, "ACTUAL_CONTROLLER_OF", False)]
    # And the totals: loans 10,000,000 + 20,000,000 + 0; guarantees given by MID only; deposits
    assert (group["loan_balance"], group["guarantees_given"], group["deposit_balance"]) == (
        30_000_000,
        3_000_000,
        1_200_000,
    )
    assert (group["credit_exposure"], group["totals_hidden"]) == (33_000_000, False)
    # And the cycle's core is the lower customer id; it does not loop
    cycle = client.get(f"/api/v1/groups/{proposed[CYC_A]['id']}", headers=risk).json()
    assert [(m["cif_no"], m["role"], m["depth"]) for m in cycle["members"]] == [
        (CYC_A, "CORE", 0),
        (CYC_B, "MEMBER", 1),
        (SH_CO, "MEMBER", 2),
    ]
    assert path_of(cycle["members"][2]) == [
        (CYC_A, None, None),
        (CYC_B, "SHAREHOLDER_OF", True),
        (SH_CO, "SHAREHOLDER_OF", True),
    ]
    # And the graph of the group has a node per customer and its control links
    assert len(group["graph"]["nodes"]) == 5
    assert sorted((e["link_type"], e["control"]) for e in group["graph"]["edges"]) == [
        ("ACTUAL_CONTROLLER_OF", True),
        ("SHAREHOLDER_OF", True),
        ("SHAREHOLDER_OF", True),
        ("SUBSIDIARY_OF", True),
    ]
    # And the risk manager's request is audited as queueing the step, which ran as the system, audited once
    queued = db.scalars(select(AuditEvent).where(AuditEvent.action == "job.queued")).one()
    assert (queued.actor_username, queued.entity_type, queued.detail) == ("risk", "job_run", "groups")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "relationships.derived")).one()
    assert event.actor_username == "system" and "2 groups (2 proposed" in (event.detail or "")


def test_a_higher_threshold_setting_changes_what_counts_as_control(db: Session, settings: Settings) -> None:
    # Given the case and a threshold of 60 % (so the 60 % holdings are no longer control)
    made = given_case(db)
    strict = settings.model_copy(update={"group_control_share_bp": 6000})
    # When the nightly job derives
    report = jobs.nightly(db, strict)
    # Then HOLD's group shrinks to MID with LEAF (80 %) and SUB; the cycle leaves CYC_B with SH_CO (70 %)
    assert (report.groups, report.proposed) == (2, 2)
    groups = db.scalars(select(CorporateGroup).order_by(CorporateGroup.core_customer_id)).all()
    assert [(g.core_customer_id, g.member_count, g.controller_count) for g in groups] == [
        (made[MID].id, 3, 0),
        (made[CYC_B].id, 2, 0),
    ]
    roles = db.scalars(select(CorporateGroupMember.role).where(CorporateGroupMember.group_id == groups[0].id)).all()
    assert sorted(roles) == ["CORE", "MEMBER", "MEMBER"]


def test_rederiving_without_change_creates_nothing_and_refreshes_totals(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given derived proposals
    made = given_case(db)
    risk = token_for(client, "risk")
    derive(client, risk)
    before = statuses(db)
    # When the nightly job derives again, and once more on demand
    again = jobs.nightly(db, settings)
    third = derive(client, risk)
    # Then nothing new is proposed and the same two proposals remain
    assert (again.proposed, again.unchanged, third["proposed"], third["unchanged"]) == (0, 2, 0, 2)
    assert statuses(db) == before
    # And a new guarantee by a member only refreshes the totals of the same proposal
    add_link(db, made, SUB, "GUARANTOR_FOR", HALF, amount=500)
    assert derive(client, risk)["proposed"] == 0
    group = groups_by_core(client, risk)[HOLD]
    assert (group["guarantees_given"], group["credit_exposure"]) == (3_000_500, 33_000_500)
    assert statuses(db) == before


def test_accept_reject_and_a_changed_group_proposed_beside_the_accepted_one(client: TestClient, db: Session) -> None:
    # Given the two proposals
    made = given_case(db)
    risk = token_for(client, "risk")
    derive(client, risk)
    ids = {core: g["id"] for core, g in groups_by_core(client, risk).items()}
    # When the risk manager accepts HOLD's group
    accepted = client.post(f"/api/v1/groups/{ids[HOLD]}/accept", headers=risk)
    # Then it is current, with the decision recorded and audited
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("ACCEPTED", "周强 Zhou Qiang")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "corporate_group.accepted")).one()
    assert (event.entity_id, event.actor_username) == (str(ids[HOLD]), "risk")
    # And accepting it again is a 409 that changes nothing
    again = client.post(f"/api/v1/groups/{ids[HOLD]}/accept", headers=risk)
    assert again.status_code == 409
    assert again.json()["detail"] == "Only a proposed group can be accepted or rejected."
    # When the cycle's group is rejected without a reason
    blank = client.post(f"/api/v1/groups/{ids[CYC_A]}/reject", json={"reason": "  "}, headers=risk)
    # Then it is a 422 naming the reason, and the group is still proposed
    assert blank.status_code == 422
    assert blank.headers["content-type"].startswith("application/problem+json")
    assert blank.json()["errors"] == [{"field": "reason", "message": "Give the reason for rejecting the group."}]
    assert dict(statuses(db))[ids[CYC_A]] == "PROPOSED"
    # When it is rejected with a reason
    rejected = client.post(f"/api/v1/groups/{ids[CYC_A]}/reject", json={"reason": "交叉持股已解除"}, headers=risk)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("REJECTED", "交叉持股已解除")
    # And re-deriving does not propose the rejected member set again
    report = derive(client, risk)
    assert (report["proposed"], report["unchanged"], report["not_reproposed"]) == (0, 1, 1)
    # When LEAF acquires 70 % of a new company
    new_co = "91000000106"
    made[new_co] = make_customer(db, new_co, name="北京新叶科技有限公司", kind="corporate")
    add_link(db, made, LEAF, "SHAREHOLDER_OF", new_co, share=7000)
    report = derive(client, risk)
    # Then a new proposal with five members replaces nothing yet: the accepted group stays current
    assert report["proposed"] == 1
    proposal = groups_by_core(client, risk)[HOLD]
    assert (proposal["member_count"], proposal["replaces_id"]) == (5, ids[HOLD])
    assert groups_by_core(client, risk, "accepted")[HOLD]["id"] == ids[HOLD]
    # When the risk manager accepts the proposal
    assert client.post(f"/api/v1/groups/{proposal['id']}/accept", headers=risk).status_code == 200
    # Then the old group is superseded (audited) and the new one is the accepted group
    assert dict(statuses(db)) == {
        ids[HOLD]: "SUPERSEDED",
        ids[CYC_A]: "REJECTED",
        proposal["id"]: "ACCEPTED",
    }
    superseded = db.scalars(select(AuditEvent).where(AuditEvent.action == "corporate_group.superseded")).one()
    assert superseded.entity_id == str(ids[HOLD])


def test_a_proposal_no_longer_derived_becomes_outdated(client: TestClient, db: Session) -> None:
    # Given the proposals, then CYC_B's links (60 % of CYC_A, 70 % of SH_CO) end yesterday
    made = given_case(db)
    risk = token_for(client, "risk")
    derive(client, risk)
    for row in db.scalars(select(CustomerLink).where(CustomerLink.from_customer_id == made[CYC_B].id)):
        row.valid_to = date.today() - timedelta(days=1)
    db.flush()
    # When groups are derived again
    report = derive(client, risk)
    # Then the cycle's proposal (A → B is still 60 %, so a group of two remains) is outdated and a new one proposed
    assert (report["groups"], report["proposed"], report["outdated"], report["unchanged"]) == (2, 1, 1, 1)
    assert groups_by_core(client, risk, "outdated")[CYC_A]["member_count"] == 3
    assert groups_by_core(client, risk)[CYC_A]["member_count"] == 2


def test_others_may_read_but_not_derive_or_decide(client: TestClient, db: Session) -> None:
    # Given the proposals
    given_case(db)
    derive(client, token_for(client, "risk"))
    group_id = db.scalars(select(CorporateGroup.id).order_by(CorporateGroup.id)).first()
    count = db.scalar(select(func.count()).select_from(CorporateGroup))
    # When am1 (group.read only) and the product manager (neither) try
    am1, product = token_for(client, "am1"), token_for(client, "product")
    # Then am1 reads but may not derive, accept or reject; the product manager may not even read
    assert client.get(f"/api/v1/groups/{group_id}", headers=am1).status_code == 200
    assert client.post("/api/v1/groups/derive", headers=am1).status_code == 403
    assert client.post(f"/api/v1/groups/{group_id}/accept", headers=am1).status_code == 403
    assert client.post(f"/api/v1/groups/{group_id}/reject", json={"reason": "x"}, headers=am1).status_code == 403
    assert client.get("/api/v1/groups", headers=product).status_code == 403
    assert client.get("/api/v1/guarantee-circles", headers=product).status_code == 403
    # And nothing changed
    assert statuses(db) == [(group_id, "PROPOSED"), (group_id + 1, "PROPOSED")]
    assert db.scalar(select(func.count()).select_from(CorporateGroup)) == count


def test_am2_sees_the_cycle_group_masked_and_not_the_beijing_group(client: TestClient, db: Session) -> None:
    # Given the proposals (the cycle's group holds SH_CO, a Shanghai customer of am2)
    given_case(db)
    risk = token_for(client, "risk")
    derive(client, risk)
    ids = {core: g["id"] for core, g in groups_by_core(client, risk).items()}
    am2 = token_for(client, "am2")
    # When am2 lists groups
    listed = client.get("/api/v1/groups", headers=am2).json()
    # Then only the cycle's group is listed, its core masked and its totals hidden
    assert [
        (g["id"], g["core_cif_no"], g["core_name"], g["totals_hidden"], g["credit_exposure"]) for g in listed["items"]
    ] == [(ids[CYC_A], None, None, True, None)]
    # And reading it shows SH_CO in full and the Beijing members as masked nodes without names or CIF numbers
    group = client.get(f"/api/v1/groups/{ids[CYC_A]}", headers=am2).json()
    assert [(m["masked"], m["cif_no"], m["name"], m["kind"], m["role"]) for m in group["members"]] == [
        (True, None, None, "corporate", "CORE"),
        (True, None, None, "corporate", "MEMBER"),
        (False, SH_CO, "上海丙环制造有限公司", "corporate", "MEMBER"),
    ]
    text = str(group)
    assert CYC_A not in text and CYC_B not in text and "北京" not in text
    # And masked-to-masked links carry no share
    assert sorted((e["share_pct_bp"] is None) for e in group["graph"]["edges"]) == [False, True, True]
    # And the Beijing group is a 404, audited as out of scope
    hidden = client.get(f"/api/v1/groups/{ids[HOLD]}", headers=am2)
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == "No such corporate group."
    denied = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope", AuditEvent.entity_type == "corporate_group")
    ).one()
    assert (denied.entity_id, denied.actor_username) == (str(ids[HOLD]), "am2")


def test_bad_input_is_problem_json_naming_the_field(client: TestClient, db: Session) -> None:
    risk = token_for(client, "risk")
    bad_status = client.get("/api/v1/groups", params={"status": "maybe"}, headers=risk)
    assert bad_status.status_code == 422
    assert bad_status.headers["content-type"].startswith("application/problem+json")
    assert bad_status.json()["errors"] == [
        {"field": "status", "message": "Choose one of: proposed, accepted, rejected, superseded, outdated."}
    ]
    assert client.get("/api/v1/groups/0", headers=risk).status_code == 422
    assert client.get("/api/v1/groups", params={"size": 500}, headers=risk).status_code == 422
    missing = client.get("/api/v1/groups/999999", headers=risk)
    assert (missing.status_code, missing.json()["detail"]) == (404, "No such corporate group.")
    assert client.post("/api/v1/groups/999999/accept", headers=risk).status_code == 404
    long_reason = client.post("/api/v1/groups/999999/reject", json={"reason": "x" * 2001}, headers=risk)
    assert long_reason.status_code == 422
    assert [e["field"] for e in long_reason.json()["errors"]] == ["reason"]
