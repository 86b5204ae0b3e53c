"""Every list a customer change carries is capped as at creation: a PATCH cannot store 1,000 phones."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import token_for, user_id
from tests.factories import approved, individual

TOO_MANY = "Too many entries."


@pytest.mark.parametrize(
    ("field", "entry", "cap"),
    [
        ("phones", {"number": "13812345678", "purpose": "home"}, 10),
        ("emails", {"address": "a@example.com"}, 10),
        ("addresses", {"purpose": "HOME", "text": "北京市东城区长安街1号"}, 10),
        ("family_members", {"name": "李梅", "relation": "SPOUSE"}, 20),
    ],
)
def test_a_patch_with_more_entries_than_create_allows_is_refused(
    client: TestClient, db: Session, field: str, entry: dict[str, str], cap: int
) -> None:
    # Given an individual customer and am1's token
    cif_no = approved(client, db, individual(db))
    am1 = token_for(client, "am1")
    before = client.get(f"/api/v1/customers/{cif_no}", headers=am1).json()
    # When one entry more than creation allows is sent, and when 1,000 are
    over = client.patch(f"/api/v1/customers/{cif_no}", json={field: [entry] * (cap + 1)}, headers=am1)
    flood = client.patch(f"/api/v1/customers/{cif_no}", json={field: [entry] * 1000}, headers=am1)
    # Then both are refused naming the list, and the customer is unchanged
    assert (over.status_code, over.json()["errors"]) == (422, [{"field": field, "message": TOO_MANY}])
    assert (flood.status_code, flood.json()["errors"]) == (422, [{"field": field, "message": TOO_MANY}])
    assert client.get(f"/api/v1/customers/{cif_no}", headers=am1).json() == before


def test_role_lists_are_capped(client: TestClient, db: Session) -> None:
    # Given an administrator
    admin = token_for(client, "admin")
    teller = user_id(db, "teller")
    roles_before = client.get(f"/api/v1/users/{teller}", headers=admin).json()["roles"]
    # When a user is given 1,000 roles, or a role 1,000 permissions
    roles = client.put(f"/api/v1/users/{teller}/roles", json={"roles": ["teller"] * 1000}, headers=admin)
    perms = client.put(
        "/api/v1/roles/teller/permissions", json={"permissions": ["customer.read"] * 1000}, headers=admin
    )
    # Then both are refused naming the list, and the teller keeps the roles held
    assert (roles.status_code, roles.json()["errors"]) == (422, [{"field": "roles", "message": TOO_MANY}])
    assert (perms.status_code, perms.json()["errors"]) == (422, [{"field": "permissions", "message": TOO_MANY}])
    assert client.get(f"/api/v1/users/{teller}", headers=admin).json()["roles"] == roles_before
