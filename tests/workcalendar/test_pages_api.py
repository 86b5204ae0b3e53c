"""The working calendar over HTTP: the admin page and the JSON API, for the admin only, 422s naming the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.models.workcalendar import CalendarDay
from tests.conftest import csrf_from, signed_in, token_for

ENTRY = {"kind": "HOLIDAY", "label_en": "Spring Festival", "label_zh": "春节"}


def test_the_api_lists_a_year_sets_and_removes_a_day(client: TestClient, db: Session) -> None:
    admin = token_for(client, "admin")
    # Given 2027 as the package has it: no make-up working days
    year = client.get("/api/v1/working-calendar?year=2027", headers=admin).json()
    assert year["has_make_up_days"] is False
    first = [(d["day"], d["kind"], d["source"], d["label_en"]) for d in year["days"][:2]]
    assert first == [
        ("2027-01-01", "HOLIDAY", "package", "New Year's Day"),
        ("2027-02-05", "HOLIDAY", "package", "Chinese New Year's Eve"),
    ]
    # When the admin enters Thursday 11 February 2027 as a holiday
    put = client.put("/api/v1/working-calendar/2027-02-11", json=ENTRY, headers=admin)
    assert put.status_code == 200, put.text
    got = put.json()
    assert (got["day"], got["kind"], got["source"], got["label_en"], got["label_zh"], got["working"]) == (
        "2027-02-11",
        "HOLIDAY",
        "bank",
        "Spring Festival",
        "春节",
        False,
    )
    listed = client.get("/api/v1/working-calendar?year=2027", headers=admin).json()["days"]
    assert [d["source"] for d in listed if d["day"] == "2027-02-11"] == ["bank"]
    # When it is removed: 204, the day leaves the list, and removing it again is a 404
    assert client.delete("/api/v1/working-calendar/2027-02-11", headers=admin).status_code == 204
    listed = client.get("/api/v1/working-calendar?year=2027", headers=admin).json()["days"]
    assert [d for d in listed if d["day"] == "2027-02-11"] == []
    assert client.delete("/api/v1/working-calendar/2027-02-11", headers=admin).status_code == 404


def test_bad_input_is_a_422_naming_the_field(client: TestClient, db: Session) -> None:
    admin = token_for(client, "admin")
    cases = [
        ("put", "/api/v1/working-calendar/2027-02-30", ENTRY, "day"),
        ("put", "/api/v1/working-calendar/1999-02-01", ENTRY, "day"),
        ("put", "/api/v1/working-calendar/2027-02-11", ENTRY | {"kind": "HALF_DAY"}, "kind"),
        ("put", "/api/v1/working-calendar/2027-02-11", ENTRY | {"label_zh": " "}, "label_zh"),
        ("get", "/api/v1/working-calendar?year=1800", None, "year"),
    ]
    for method, url, body, field in cases:
        answer = client.request(method.upper(), url, json=body, headers=admin)
        assert answer.status_code == 422, (url, answer.text)
        assert [e["field"].split(".")[-1] for e in answer.json()["errors"]] == [field], answer.text
    assert db.query(CalendarDay).count() == 0


def test_only_whoever_manages_the_calendar_may_read_or_change_it(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given an account manager and a branch manager, neither holding calendar.manage
    for user in ("am1", "manager"):
        token = token_for(client, user)
        assert client.get("/api/v1/working-calendar?year=2027", headers=token).status_code == 403
        assert client.put("/api/v1/working-calendar/2027-02-11", json=ENTRY, headers=token).status_code == 403
        assert client.delete("/api/v1/working-calendar/2027-02-11", headers=token).status_code == 403
        page = signed_in(make_client(), user)
        assert page.get("/admin/calendar").status_code == 403
        assert "/admin/calendar" not in page.get("/").text
    assert db.query(CalendarDay).count() == 0


def test_the_admin_page_marks_the_year_warns_of_a_missing_schedule_and_edits_a_day(
    client: TestClient,
    make_client,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    admin = signed_in(make_client(), "admin")
    # Given 2026, which the package carries in full: holidays and make-up days marked, no warning
    page = admin.get("/admin/calendar?year=2026")
    assert page.status_code == 200 and 'href="/admin/calendar"' in page.text
    assert 'data-day="2026-02-14" data-working="yes" data-source="package"' in page.text
    assert 'data-day="2026-02-16" data-working="no" data-source="package"' in page.text
    assert 'id="calendar-no-schedule"' not in page.text
    # Given 2027, which has no make-up days yet: the notice, in Chinese too
    assert 'id="calendar-no-schedule"' in admin.get("/admin/calendar?year=2027").text
    zh = admin.get("/admin/calendar?year=2027", headers={"Accept-Language": "zh-CN"}).text
    assert "下一年的放假安排尚未录入" in zh and "工作日历" in zh
    token = csrf_from(page.text)
    # When the form names an impossible day and no label: the page again, each field's error shown
    bad = admin.post("/admin/calendar", data={"csrf_token": token, "day": "2027-02-30", "kind": "WORKDAY"})
    assert bad.status_code == 422
    assert 'data-field-error="day"' in bad.text and 'data-field-error="label_en"' in bad.text
    # When the admin enters Saturday 20 February 2027 as a make-up working day
    form = {"csrf_token": token, "day": "2027-02-20", "kind": "WORKDAY", "label_en": "Make-up", "label_zh": "调休上班"}
    done = admin.post("/admin/calendar", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/admin/calendar?year=2027&saved=set")
    shown = admin.get("/admin/calendar?year=2027&saved=set").text
    # Then the day is marked as the bank's, the notice is gone, and it can be removed
    assert 'data-day="2027-02-20" data-working="yes" data-source="bank"' in shown
    assert 'id="calendar-no-schedule"' not in shown and 'data-testid="calendar-remove-2027-02-20"' in shown
    removed = admin.post("/admin/calendar/2027-02-20/remove", data={"csrf_token": token}, follow_redirects=False)
    assert (removed.status_code, removed.headers["location"]) == (303, "/admin/calendar?year=2027&saved=removed")
    assert 'id="calendar-no-schedule"' in admin.get("/admin/calendar?year=2027").text
