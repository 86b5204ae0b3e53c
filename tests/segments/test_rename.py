"""Renaming a segment (a static one too) through the API and its page; faults shown on the forms, values kept."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, token_for
from tests.segments.plant import A, C, plant


def _static(client: TestClient, user: str) -> int:
    body = {"name": "名单", "description": "旧", "cif_nos": [A, C]}
    answer = client.post("/api/v1/segments/static", json=body, headers=token_for(client, user))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["segment"]["id"])


def test_the_owner_renames_a_static_segment_through_the_api_and_it_is_audited(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given am1's static segment of two customers
    plant(db, today_in(settings.timezone))
    seg = _static(client, "am1")
    am1 = token_for(client, "am1")
    # When am1 renames it and changes its description
    answer = client.patch(f"/api/v1/segments/{seg}", json={"name": " 重点名单 ", "description": "新"}, headers=am1)
    # Then it reads with the new name and description, its members kept
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert (got["name"], got["description"], got["kind"], got["members"]) == ("重点名单", "新", "static", 2)
    # And a description alone may change (the name stays)
    again = client.patch(f"/api/v1/segments/{seg}", json={"description": "再改"}, headers=am1).json()
    assert (again["name"], again["description"]) == ("重点名单", "再改")
    # And the changes are audited with what changed
    details = db.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "segment.changed").order_by(AuditEvent.seq)
    ).all()
    assert details == ["name: 名单 → 重点名单; description", "description"]
    # And an empty name is refused naming it; another manager may not rename it (404: not visible)
    empty = client.patch(f"/api/v1/segments/{seg}", json={"name": " "}, headers=am1)
    assert (empty.status_code, [e["field"] for e in empty.json()["errors"]]) == (422, ["name"])
    other = client.patch(f"/api/v1/segments/{seg}", json={"name": "x"}, headers=token_for(client, "manager"))
    assert other.status_code == 404


def test_the_segment_page_renames_and_shows_a_fault_on_the_form(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given am1's static segment, its page open
    plant(db, today_in(settings.timezone))
    seg = _static(client, "am1")
    am1 = signed_in(client, "am1")
    page = am1.get(f"/segments/{seg}")
    assert 'id="segment-rename-form"' in page.text
    token = csrf_from(page.text)
    # When am1 saves a new name on the page
    done = am1.post(
        f"/segments/{seg}/rename",
        data={"csrf_token": token, "name": "新名单", "description": "说明"},
        follow_redirects=False,
    )
    # Then the segment page shows it
    assert done.status_code == 303 and done.headers["location"] == f"/segments/{seg}"
    shown = am1.get(f"/segments/{seg}").text
    assert '<h1 class="page-title" id="segment-title">新名单</h1>' in shown
    # When the name is emptied
    bad = am1.post(f"/segments/{seg}/rename", data={"csrf_token": token, "name": "", "description": "留着"})
    # Then the page comes back 422 with the fault beside the name, the description typed kept, nothing changed
    assert bad.status_code == 422
    assert 'data-field-error="name"' in bad.text and 'value="留着"' in bad.text
    assert client.get(f"/api/v1/segments/{seg}", headers=token_for(client, "am1")).json()["name"] == "新名单"


def test_a_faulty_list_upload_is_shown_on_the_form_with_the_values_kept_in_both_languages(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given am1 on the segments list
    plant(db, today_in(settings.timezone))
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/segments").text)
    # When a list with a line that is no CIF number is uploaded
    form = {"csrf_token": token, "name": "名单", "description": "试", "cif_nos": f"{A}\n12AB\n"}
    shown = am1.post("/segments/static", data=form)
    # Then the list page comes back 422 naming the line beside the list, the typed values kept, nothing saved
    assert shown.status_code == 422
    assert 'id="segment-static-form"' in shown.text and 'data-field-error="cif_nos"' in shown.text
    assert "Line 2 is not an 11-digit CIF number." in shown.text
    assert 'value="名单"' in shown.text and f"{A}\n12AB" in shown.text
    assert client.get("/api/v1/segments", headers=token_for(client, "am1")).json() == []
    # And in Chinese the fault reads in Chinese
    zh = am1.post("/segments/static", data=form, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and "Line 2 is not" not in zh.text and 'data-field-error="cif_nos"' in zh.text
