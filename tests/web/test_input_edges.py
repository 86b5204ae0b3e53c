"""Input at the edges answers 4xx naming the field, never 500: NUL in any JSON body, dates far out of range."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.models.org import OrgUnit
from tests.conftest import signed_in, token_for
from tests.factories import make_customer

CIF = "90000000011"
NUL_ERROR = [{"field": "body", "message": "This value contains a NUL character, which is not allowed."}]
RANGE = "Enter a date between the years 1000 and 2999."


@pytest.mark.parametrize(
    "content_type",
    ["application/merge-patch+json", "APPLICATION/JSON", "Application/Json; charset=utf-8", "application/vnd.x+json"],
)
def test_nul_in_a_json_body_of_any_json_content_type_is_refused(
    client: TestClient, db: Session, content_type: str
) -> None:
    # Given an API caller and the number of org units
    headers = token_for(client, "admin")
    before = db.scalar(select(func.count()).select_from(OrgUnit))
    parent = db.scalars(select(OrgUnit.id).where(OrgUnit.code == "HO")).one()
    body = json.dumps(
        {"code": "NUL-3", "name_en": "a\u0000b", "name_zh": "坏", "kind_code": "branch", "parent_id": parent}
    )
    # When the body, with a NUL in a value, is sent with a JSON content type spelt another way
    response = client.post("/api/v1/org-units", content=body, headers=headers | {"Content-Type": content_type})
    # Then it is a 422 naming the body, and no unit is added
    assert (response.status_code, response.json()["errors"]) == (422, NUL_ERROR)
    assert db.scalar(select(func.count()).select_from(OrgUnit)) == before


def test_nul_in_a_form_with_an_upper_case_content_type_is_refused(client: TestClient) -> None:
    # Given an API caller
    # When the token form is sent with its content type in capitals and a NUL in the user name
    response = client.post(
        "/api/v1/auth/token",
        content="username=ad%00min&password=demo1234",
        headers={"Content-Type": "Application/X-WWW-Form-Urlencoded"},
    )
    # Then the field is named
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "username"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "0999-12-31", "3000-01-01"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/audit-events", "date_from"),
        ("/api/v1/audit-events", "date_to"),
        (f"/api/v1/customers/{CIF}/transactions", "since"),
        (f"/api/v1/customers/{CIF}/transactions", "until"),
    ],
)
def test_a_date_parameter_outside_years_1000_to_2999_is_a_422_naming_it(
    client: TestClient, db: Session, path: str, name: str, day: str
) -> None:
    # Given a customer of am1, am1's token and an administrator's
    make_customer(db, CIF)
    headers = token_for(client, "am1" if "customers" in path else "admin")
    # When a date parameter lies far outside the calendar the bank uses
    response = client.get(path, params={name: day}, headers=headers)
    # Then it is refused naming the parameter
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": name, "message": RANGE}]


@pytest.mark.parametrize("day", ["1000-01-01", "2999-12-31"])
def test_the_first_and_last_day_of_the_range_are_accepted(client: TestClient, db: Session, day: str) -> None:
    # Given a customer of am1, am1's token and an administrator's
    make_customer(db, CIF)
    admin, am1 = token_for(client, "admin"), token_for(client, "am1")
    # When the range's ends are used
    audit = client.get("/api/v1/audit-events", params={"date_from": day, "date_to": day}, headers=admin)
    txns = client.get(f"/api/v1/customers/{CIF}/transactions", params={"since": day, "until": day}, headers=am1)
    # Then both answer, with nothing found
    assert (audit.status_code, audit.json()["total"]) == (200, 0)
    assert (txns.status_code, txns.json()["total"]) == (200, 0)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/admin/audit", "date_from"),
        ("/admin/audit", "date_to"),
        ("/admin/audit/export.csv", "date_to"),
        (f"/customers/{CIF}/360/transactions", "since"),
        (f"/customers/{CIF}/360/transactions", "until"),
    ],
)
def test_a_far_date_on_a_page_is_a_clear_422(client: TestClient, db: Session, path: str, name: str, day: str) -> None:
    # Given a customer of am1, and am1 (customer pages) or an administrator (audit pages) signed in
    make_customer(db, CIF)
    signed_in(client, "am1" if "customers" in path else "admin")
    # When a page is asked for with a date far out of range
    response = client.get(path, params={name: day})
    # Then the page says what is wrong with which field
    assert response.status_code == 422
    assert RANGE in response.text


def test_a_far_date_in_a_body_is_a_422_naming_the_field(client: TestClient, db: Session) -> None:
    # Given a customer of am1 and am1's token
    make_customer(db, CIF)
    headers = token_for(client, "am1")
    # When a phone's end of validity, or a new link's start, lies far out of range
    phone = {"number": "13812345678", "valid_to": "9999-12-31"}
    patched = client.patch(f"/api/v1/customers/{CIF}", json={"phones": [phone]}, headers=headers)
    linked = client.post(
        f"/api/v1/customers/{CIF}/links",
        json={"to_cif_no": "90000000022", "link_type": "SIBLING", "valid_from": "0001-01-01"},
        headers=headers,
    )
    # Then each is refused naming the field, and the customer keeps no phone
    assert (patched.status_code, patched.json()["errors"]) == (422, [{"field": "phones.0.valid_to", "message": RANGE}])
    assert (linked.status_code, linked.json()["errors"]) == (422, [{"field": "valid_from", "message": RANGE}])
    assert client.get(f"/api/v1/customers/{CIF}", headers=headers).json()["contacts"] == []
