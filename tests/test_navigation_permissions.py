"""Over HTTP: each navigation link opens for exactly the permission it is shown for (no drift between the two)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bankcrm.modules import navigation, permissions
from tests.conftest import signed_in, token_for

EVERY = sorted(p.code for p in permissions())


def _grant(client: TestClient, admin: dict[str, str], codes: list[str]) -> None:
    """Make the teller role (the teller user's only role) grant exactly ``codes``."""
    response = client.put("/api/v1/roles/teller/permissions", json={"permissions": codes}, headers=admin)
    assert response.status_code == 200, response.text


def test_each_nav_link_opens_for_its_permission_and_for_nothing_else(client, make_client) -> None:  # type: ignore[no-untyped-def]
    # given the teller, whose role the admin sets to one permission at a time
    admin = token_for(client, "admin")
    teller = signed_in(make_client(), "teller")
    holding, lacking = {}, {}
    for entry in navigation():
        # when the role grants exactly the link's permission, then everything but it
        _grant(client, admin, [entry.permission] if entry.permission else [])
        holding[entry.path] = teller.get(entry.path, follow_redirects=False).status_code
        if entry.permission:
            _grant(client, admin, [c for c in EVERY if c != entry.permission])
            lacking[entry.path] = teller.get(entry.path, follow_redirects=False).status_code
    # then the link's page opens with the permission and is refused without it
    assert holding == {e.path: 200 for e in navigation()}
    assert lacking == {e.path: 403 for e in navigation() if e.permission}
