"""The sales pages: board, list and export, detail, the week's plan with activities, the ICS feed, the dashboard."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import make_customer

CIF = "91000000501"


def given_an_opportunity_and_a_visit(client: TestClient, db: Session) -> int:
    make_customer(db, CIF, name="周拜访")
    db.commit()
    am1 = token_for(client, "am1")
    body = {"cif_no": CIF, "product_code": "TD-3M", "amount": 12_345_600, "expected_close": "2027-02-28"}
    opp = client.post("/api/v1/opportunities", json=body, headers=am1).json()
    visit = {
        "cif_no": CIF,
        "kind": "VISIT",
        "status": "PLANNED",
        "starts_at": "2026-12-08T10:00:00+08:00",
        "duration_min": 60,
        "opportunity_id": opp["id"],
    }
    r = client.post("/api/v1/activities", json=visit, headers=am1)
    assert r.status_code == 201, r.text
    return int(opp["id"])


def test_board_list_export_and_detail_show_the_opportunity(client: TestClient, db: Session) -> None:
    # Given am1's opportunity of 123,456.00 yuan with a planned visit
    opp = given_an_opportunity_and_a_visit(client, db)
    browser = signed_in(client, "am1")
    # When am1 opens the board, the list, the CSV export and the opportunity
    board = browser.get("/opportunities/board")
    listing = browser.get("/opportunities?stage=IDENTIFY")
    csv = browser.get("/opportunities/export.csv?stage=IDENTIFY")
    detail = browser.get(f"/opportunities/{opp}")
    # Then each shows it: the card in 识别's column, one row, the CSV line, the detail with the visit
    assert board.status_code == 200 and f'data-testid="card-{opp}"' in board.text
    assert 'data-testid="weighted-pipeline">12,345.60<' in board.text  # 10 % of 123,456.00
    assert listing.status_code == 200 and f'<tr data-id="{opp}">' in listing.text
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert (len(lines), lines[1].split(",")[:5]) == (2, [str(opp), CIF, "周拜访", "Time deposit 3 months", "123456.00"])
    assert detail.status_code == 200 and "Visit" in detail.text and "Planned" in detail.text


def test_the_week_page_plans_and_the_feed_serves_ics_until_revoked(client: TestClient, db: Session) -> None:
    # Given am1's planned visit on Tuesday 8 December 2026
    given_an_opportunity_and_a_visit(client, db)
    browser = signed_in(client, "am1")
    # When am1 opens the week, makes a feed address and reads it, then revokes it
    week = browser.get("/activities/week?week=2026-12-07")
    token = csrf_from(week.text)
    made = browser.post("/activities/feed", data={"csrf_token": token}, follow_redirects=False)
    secret = made.headers["location"].split("fresh=")[1]
    feed = client.get(f"/calendar/{secret}.ics")
    browser.post("/activities/feed/revoke", data={"csrf_token": token})
    gone = client.get(f"/calendar/{secret}.ics")
    # Then the week shows the visit, the feed is an iCalendar with the visit (UTC), and after revoking it is 404
    assert week.status_code == 200 and "周拜访" in week.text
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20261208T020000Z" in feed.text and f"SUMMARY:拜访 {CIF}" in feed.text
    assert gone.status_code == 404


def test_a_bad_activity_is_422_naming_the_fields(client: TestClient, db: Session) -> None:
    # Given a customer of am1
    make_customer(db, CIF)
    db.commit()
    # When am1 posts an activity of an unknown kind and outcome
    body = {"cif_no": CIF, "kind": "FAX", "outcome": "MAYBE", "starts_at": "2026-12-08T10:00:00+08:00"}
    r = client.post("/api/v1/activities", json=body, headers=token_for(client, "am1"))
    # Then it is 422 naming both and nothing is listed
    assert (r.status_code, sorted(e["field"] for e in r.json()["errors"])) == (422, ["kind", "outcome"])
    assert client.get("/api/v1/activities", headers=token_for(client, "am1")).json()["total"] == 0


def test_the_branch_dashboard_shows_the_funnel(client: TestClient, db: Session) -> None:
    # Given am1's opportunity in 识别
    given_an_opportunity_and_a_visit(client, db)
    # When the branch manager opens the dashboard and its chart data
    browser = signed_in(client, "manager")
    page = browser.get("/sales/dashboard?unit=BJ&period=2026-12")
    chart = browser.get("/sales/dashboard.json?unit=BJ").json()
    # Then the funnel counts it in the first stage, ever reached once
    assert page.status_code == 200 and 'id="funnel"' in page.text
    assert (chart["now"][0], chart["reached"][0], len(chart["stages"])) == (1, 1, 5)
