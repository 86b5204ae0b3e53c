"""A CIF number given as input answers the same whether it is out of the caller's scope or does not exist."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import token_for
from tests.factories import make_customer

PERSON, SH_PERSON, NOBODY = "90000000011", "90000000029", "99999999999"
UNKNOWN = [{"field": "family_members.0.member_cif_no", "message": "No customer has this CIF number."}]


def _family(cif_no: str) -> dict[str, list[dict[str, str]]]:
    return {"family_members": [{"name": "王芳", "relation": "SPOUSE", "member_cif_no": cif_no}]}


def test_a_family_member_out_of_scope_answers_as_one_that_does_not_exist(client: TestClient, db: Session) -> None:
    # Given am1's Beijing customer, and a Shanghai customer am1 may not see
    make_customer(db, PERSON)
    make_customer(db, SH_PERSON, unit="SH", manager="am2")
    am1 = token_for(client, "am1")
    before = client.get(f"/api/v1/customers/{PERSON}", headers=am1).json()
    # When am1 links a family member by the Shanghai CIF number, and by one no customer has
    hidden = client.patch(f"/api/v1/customers/{PERSON}", json=_family(SH_PERSON), headers=am1)
    absent = client.patch(f"/api/v1/customers/{PERSON}", json=_family(NOBODY), headers=am1)
    # Then both answers are the same 422, and nothing changed
    assert (hidden.status_code, hidden.json()["errors"]) == (422, UNKNOWN)
    assert (absent.status_code, absent.json()["errors"]) == (422, UNKNOWN)
    assert hidden.json() | {"instance": ""} == absent.json() | {"instance": ""}
    assert client.get(f"/api/v1/customers/{PERSON}", headers=am1).json() == before


def test_a_family_member_in_scope_is_linked(client: TestClient, db: Session) -> None:
    # Given two of am1's Beijing customers
    make_customer(db, PERSON)
    make_customer(db, SH_PERSON)
    am1 = token_for(client, "am1")
    # When am1 links one as the other's spouse
    response = client.patch(f"/api/v1/customers/{PERSON}", json=_family(SH_PERSON), headers=am1)
    # Then the link is kept and shown
    assert response.status_code == 200, response.text
    assert response.json()["customer"]["family_members"] == [
        {"name": "王*", "relation": "SPOUSE", "member_cif_no": SH_PERSON}
    ]
