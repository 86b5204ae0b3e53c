"""Leads: assignment rules, acceptance timeout in business hours, duplicates named in scope only, conversion through
maker-checker, referrer credit, scope and bad input — through the API, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.leads.jobs import leads_job
from bankcrm.leads.service import assign, rota
from bankcrm.models.lead import Lead, LeadAssignment, ReferralPoints
from tests.conftest import token_for, user_id
from tests.factories import approved, individual, make_customer, make_user, resident_id

FRIDAY_4PM_SHANGHAI = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # Friday 16:00 in Asia/Shanghai


def prospect(**over: object) -> dict[str, object]:
    """A prospect lead from the website form."""
    return {"source": "WEB", "interest": "LOAN", "name": "王小二", "phone": "13900001111", "amount": 50_000_000} | over


def post(client: TestClient, user: str, path: str, body: dict[str, object]) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = client.post(path, json=body, headers=token_for(client, user))
    return r.status_code, r.json()


def test_a_referral_of_a_managed_customer_goes_to_the_primary_manager(client: TestClient, db: Session) -> None:
    # Given a Wangjing customer whose primary manager is am1
    make_customer(db, "90000000101", unit="BJ-CY-01", manager="am1")

    # When the teller refers them for wealth
    status, lead = post(
        client, "teller", "/api/v1/referrals", {"cif_no": "90000000101", "interest": "WEALTH", "note": "问理财"}
    )

    # Then the lead is am1's by the primary-manager rule, credited to the teller, with the acceptance clock running
    assert status == 201
    assert (lead["status"], lead["assignee"], lead["referrer"], lead["source"]) == (
        "ASSIGNED",
        "am1",
        "teller",
        "TELLER",
    )
    row = db.get(Lead, lead["id"])
    assert row is not None and row.assigned_by_rule == "PRIMARY_MANAGER" and row.accept_due_at is not None


def test_round_robin_by_branch_and_product_then_by_branch_then_the_pool(client: TestClient, db: Session) -> None:
    # Given Beijing's loan rota (am1, am3) and its any-interest rota (am3); nothing for Shanghai
    make_user(db, "am3", "BJ", "account_manager")
    rota.put(db, "BJ", "LOAN", ["am1", "am3"])
    rota.put(db, "BJ", None, ["am3"])

    # When three loan prospects arrive at a Beijing outlet, a card prospect in Beijing and one in Shanghai
    got = [
        post(client, "manager", "/api/v1/leads", prospect(phone=f"1390000111{i}", unit="BJ-CY-01"))[1] for i in range(3)
    ]
    card = post(client, "manager", "/api/v1/leads", prospect(phone="13900002222", interest="CARD"))[1]
    make_user(db, "bmsh", "SH", "management")
    shanghai = post(client, "bmsh", "/api/v1/leads", prospect(phone="13900003333", unit="SH"))[1]

    # Then the loan rota takes turns, the card lead falls to the branch rota and Shanghai's stays in the pool
    assert [g["assignee"] for g in got] == ["am1", "am3", "am1"]
    assert [db.get(Lead, g["id"]).assigned_by_rule for g in got] == ["ROTA_PRODUCT"] * 3  # type: ignore[union-attr]
    assert (card["assignee"], db.get(Lead, card["id"]).assigned_by_rule) == ("am3", "ROTA_BRANCH")  # type: ignore[union-attr]
    assert (shanghai["status"], shanghai["assignee"]) == ("NEW", None)
    pool = post(client, "manager", "/api/v1/leads", prospect(phone="13900004444", interest="CARD", unit="BJ-XC"))[1]
    assert pool["assignee"] == "am3"  # Xicheng climbs to Beijing's branch rota


def test_a_lead_no_rule_places_stays_in_the_pool(client: TestClient, db: Session) -> None:
    # Given no rota anywhere
    # When a prospect arrives in Beijing
    status, lead = post(client, "manager", "/api/v1/leads", prospect())

    # Then it waits in the pool, unassigned
    assert (status, lead["status"], lead["assignee"]) == (201, "NEW", None)


def test_an_unaccepted_lead_returns_to_the_pool_after_eight_business_hours(
    db: Session, settings: Settings, client: TestClient
) -> None:
    # Given a loan lead given to am1 by the rota on Friday at 16:00 (Shanghai)
    rota.put(db, "BJ", "LOAN", ["am1"])
    made = post(client, "manager", "/api/v1/leads", prospect())[1]
    lead = db.get(Lead, made["id"])
    assert lead is not None
    lead.status, lead.assignee_id = "NEW", None
    db.flush()
    assert assign.by_rules(db, [lead], FRIDAY_4PM_SHANGHAI, settings.timezone) == 1

    # Then it is due on Monday at 16:00 (one hour on Friday, seven on Monday; the weekend does not count)
    assert lead.accept_due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    # When the step runs a minute before, and then at the due time
    leads_job(db, settings, now=datetime(2026, 12, 7, 7, 59, tzinfo=UTC))
    before = (lead.status, lead.assignee_id)
    leads_job(db, settings, now=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))

    # Then it was still am1's, and now it is back in the pool, the spell ended EXPIRED, and the branch manager's
    # "returned to the pool" list names it
    assert before == ("ASSIGNED", user_id(db, "am1"))
    assert (lead.status, lead.assignee_id) == ("NEW", None)
    spells = db.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lead.id)).all()
    assert [s.ended_how for s in spells][-1] == "EXPIRED"
    returned = client.get("/api/v1/leads?returned=true", headers=token_for(client, "manager")).json()
    assert [x["id"] for x in returned["items"]] == [lead.id]


def test_an_accepted_lead_does_not_return_to_the_pool(db: Session, settings: Settings, client: TestClient) -> None:
    # Given am1's rota lead, accepted by am1
    rota.put(db, "BJ", "LOAN", ["am1"])
    made = post(client, "manager", "/api/v1/leads", prospect())[1]
    status, accepted = post(client, "am1", f"/api/v1/leads/{made['id']}/accept", {})
    assert (status, accepted["accepted_at"] is not None) == (200, True)

    # When the step runs a month later
    leads_job(db, settings, now=datetime(2027, 1, 30, tzinfo=UTC))

    # Then it is still am1's
    assert client.get(f"/api/v1/leads/{made['id']}", headers=token_for(client, "am1")).json()["assignee"] == "am1"


def test_a_duplicate_open_lead_is_named_only_inside_scope(client: TestClient, db: Session) -> None:
    # Given am1's own prospect lead
    status, first = post(client, "am1", "/api/v1/leads", prospect(source="OWN"))
    assert status == 201

    # When am1 enters the same phone again, and am2 (Shanghai) does too
    again = post(client, "am1", "/api/v1/leads", prospect(source="OWN", name="王二"))
    elsewhere = post(client, "am2", "/api/v1/leads", prospect(source="OWN"))

    # Then both are refused; am1 is told which lead, am2 is not
    assert again[0] == 409 and f"#{first['id']}" in again[1]["detail"]
    assert elsewhere[0] == 409 and f"#{first['id']}" not in elsewhere[1]["detail"]
    assert "another part of the bank" in elsewhere[1]["detail"]


def test_a_prospect_who_is_already_a_customer_is_refused_naming_the_cif_in_scope(
    client: TestClient, db: Session
) -> None:
    # Given a Beijing customer on file with mobile 138 1234 5678 (through maker-checker)
    cif_no = approved(client, db, individual(db))

    # When am1's manager and am2 enter that phone as a prospect
    here = post(client, "manager", "/api/v1/leads", prospect(phone="13812345678"))
    there = post(client, "am2", "/api/v1/leads", prospect(phone="+86 138 1234 5678", source="OWN"))

    # Then both are refused; only the Beijing reader is told the CIF number
    assert here[0] == 409 and cif_no in here[1]["detail"]
    assert there[0] == 409 and cif_no not in there[1]["detail"]


def test_conversion_files_a_new_customer_for_a_checker_and_credits_the_referrer(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given a qualified loan prospect of am1's
    rota.put(db, "BJ", "LOAN", ["am1"])
    made = post(client, "manager", "/api/v1/leads", prospect(phone="13712345678"))[1]
    lead_id = made["id"]
    assert post(client, "am1", f"/api/v1/leads/{lead_id}/accept", {})[0] == 200
    assert post(client, "am1", f"/api/v1/leads/{lead_id}/status", {"status": "CONTACTED"})[0] == 200
    assert post(client, "am1", f"/api/v1/leads/{lead_id}/status", {"status": "QUALIFIED"})[0] == 200

    # When am1 converts it with the new customer's details
    data = individual(
        db, name="王小二", id_no=resident_id(seq="457"), phones=[{"number": "13712345678", "purpose": "mobile"}]
    )
    status, filed = post(client, "am1", f"/api/v1/leads/{lead_id}/convert", {"customer": data})

    # Then a change request waits for a checker and the lead stays qualified
    assert (status, filed["status"], filed["cif_no"]) == (200, "QUALIFIED", None)
    request_id = filed["change_request_id"]
    waiting = post(client, "am1", f"/api/v1/leads/{lead_id}/convert", {})
    assert waiting[0] == 409 and str(request_id) in waiting[1]["detail"]

    # When the branch manager approves it and the nightly step runs
    decided = client.post(
        f"/api/v1/change-requests/{request_id}/decision", json={"approve": True}, headers=token_for(client, "manager")
    )
    assert decided.status_code == 200
    leads_job(db, settings)

    # Then the lead is converted to the new customer, with its history
    after = client.get(f"/api/v1/leads/{lead_id}", headers=token_for(client, "am1")).json()
    assert (after["status"], after["cif_no"]) == ("CONVERTED", decided.json()["cif_no"])
    assert [e["kind"] for e in after["history"] if e["kind"] == "status"] == ["status"] * 4
    # And an opportunity for a consumer loan (the LOAN interest's product) opened for am1, linked to the lead
    opened = client.get(f"/api/v1/opportunities/{after['opportunity_id']}", headers=token_for(client, "am1")).json()
    assert (opened["product_code"], opened["stage"], opened["lead_id"], opened["cif_no"]) == (
        "PL-CONS",
        "IDENTIFY",
        lead_id,
        decided.json()["cif_no"],
    )


def test_a_converted_referral_credits_the_referrer_and_tops_the_leaderboard(client: TestClient, db: Session) -> None:
    # Given the teller's wealth referral of am1's customer, qualified by am1
    make_customer(db, "90000000102", unit="BJ-CY-01", manager="am1")
    lead = post(client, "teller", "/api/v1/referrals", {"cif_no": "90000000102", "interest": "WEALTH"})[1]
    post(client, "am1", f"/api/v1/leads/{lead['id']}/status", {"status": "QUALIFIED"})

    # When am1 converts it (an existing customer)
    status, done = post(client, "am1", f"/api/v1/leads/{lead['id']}/convert", {})

    # Then it is converted, the teller has 10 points and leads the Beijing board for the month
    assert (status, done["status"]) == (200, "CONVERTED")
    points = db.scalars(select(ReferralPoints.points).where(ReferralPoints.lead_id == lead["id"])).all()
    assert list(points) == [10]
    board = client.get("/api/v1/referrals/leaderboard", headers=token_for(client, "teller")).json()
    assert [(b["rank"], b["username"], b["points"], b["referrals"]) for b in board] == [(1, "teller", 10, 1)]
    progress = client.get(f"/api/v1/leads/{lead['id']}", headers=token_for(client, "teller")).json()
    assert progress["status"] == "CONVERTED"


def test_am2_gets_404_on_a_beijing_lead(client: TestClient, db: Session) -> None:
    # Given a Beijing lead of am1's
    rota.put(db, "BJ", "LOAN", ["am1"])
    made = post(client, "manager", "/api/v1/leads", prospect())[1]

    # When am2 (Shanghai) reads, accepts and converts it
    read = client.get(f"/api/v1/leads/{made['id']}", headers=token_for(client, "am2"))
    accept = post(client, "am2", f"/api/v1/leads/{made['id']}/accept", {})
    listed = client.get("/api/v1/leads", headers=token_for(client, "am2")).json()

    # Then every answer is 404 and the list does not show it
    assert (read.status_code, accept[0]) == (404, 404)
    assert made["id"] not in [x["id"] for x in listed["items"]]


def test_bad_input_is_a_422_naming_the_field(client: TestClient, db: Session) -> None:
    # When leads arrive with a lower-case interest, an unknown source, no phone, a bad phone, a referral of nobody
    cases = [
        ("/api/v1/leads", prospect(interest="wealth")),
        ("/api/v1/leads", prospect(source="NOPE")),
        ("/api/v1/leads", prospect(phone=None)),
        ("/api/v1/leads", prospect(phone="12345")),
        ("/api/v1/referrals", {"cif_no": "123", "interest": "WEALTH"}),
        ("/api/v1/referrals", {"cif_no": "90000000101", "interest": "NOPE"}),
    ]
    answers = [post(client, "manager" if "leads" in p else "teller", p, b) for p, b in cases]

    # Then each is a 422 naming its field
    assert [a[0] for a in answers] == [422] * 6
    assert [a[1]["errors"][0]["field"].split(".")[-1] for a in answers] == [
        "interest",
        "source",
        "phone",
        "phone",
        "cif_no",
        "interest",
    ]
    assert db.scalars(select(Lead)).all() == []
