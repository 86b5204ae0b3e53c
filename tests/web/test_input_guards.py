"""NUL characters are refused at the door with the field named, on both databases alike."""

from __future__ import annotations

from sqlalchemy import func, select

from bankcrm.models.org import OrgUnit
from tests.conftest import csrf_from, signed_in, token_for


def test_nul_in_a_query_parameter_is_a_422_naming_the_parameter(client):
    # given an API caller
    headers = token_for(client, "admin")
    # when a search term carries a NUL byte
    response = client.get("/api/v1/org-units", params={"q": "B\x00J"}, headers=headers)
    # then it is refused as invalid input, not a server error
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "q", "message": "This value contains a NUL character, which is not allowed."}
    ]


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(client, db):
    # given a signed-in administrator on the new-unit form
    signed_in(client, "admin")
    token = csrf_from(client.get("/admin/units/new").text)
    before = db.scalar(select(func.count()).select_from(OrgUnit))
    # when the form is posted with a NUL in the name
    response = client.post(
        "/admin/units/new",
        data={"csrf_token": token, "code": "NUL-1", "name_en": "Bad\x00Name", "name_zh": "坏", "kind_code": "outlet"},
        follow_redirects=False,
    )
    # then the request is refused and no unit appears
    assert response.status_code == 422
    assert db.scalar(select(func.count()).select_from(OrgUnit)) == before


def test_nul_in_a_json_body_is_refused(client):
    headers = token_for(client, "admin")
    response = client.post("/api/v1/org-units", json={"code": "NUL-2", "name_en": "a\u0000b"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
