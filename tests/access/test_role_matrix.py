"""Each role against each administration route: exactly allowed, 403, or 404 (outside data scope)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, token_for, unit_id, user_id

ROLES = ["admin", "manager", "am1", "lobby", "teller", "product", "risk", "ops"]
# Branch 1 (BJ) is inside manager's and ops's unit scope; branch 2 (SH) is not.
READERS_OF_BJ = {"admin", "manager", "ops"}


def _expect(allowed: set[str], status: int, scoped_out: set[str] = frozenset()) -> dict[str, int]:  # type: ignore[assignment]
    return {r: (status if r in allowed else 404 if r in scoped_out else 403) for r in ROLES}


# (method, path template, expected per user). Paths name units and users by code/username.
WEB_ROUTES = [
    ("GET", "/admin/units", _expect(READERS_OF_BJ, 200)),
    ("GET", "/admin/units/{unit:BJ}", _expect(READERS_OF_BJ, 200)),
    ("GET", "/admin/units/{unit:SH}", _expect({"admin"}, 200, {"manager", "ops"})),
    ("GET", "/admin/units/new", _expect({"admin"}, 200)),
    ("POST", "/admin/units/new", _expect({"admin"}, 303)),
    ("POST", "/admin/units/{unit:BJ-XC}", _expect({"admin"}, 303)),
    ("GET", "/admin/users", _expect(READERS_OF_BJ, 200)),
    ("GET", "/admin/users/{user:am1}", _expect(READERS_OF_BJ, 200)),
    ("GET", "/admin/users/{user:am2}", _expect({"admin"}, 200, {"manager", "ops"})),
    ("GET", "/admin/users/new", _expect({"admin"}, 200)),
    ("POST", "/admin/users/new", _expect({"admin"}, 303)),
    ("POST", "/admin/users/{user:teller}/disable", _expect({"admin"}, 303)),
    ("POST", "/admin/users/{user:teller}/roles", _expect({"admin"}, 303)),
    ("POST", "/admin/users/{user:teller}/password", _expect({"admin"}, 303)),
    ("GET", "/admin/roles", _expect({"admin"}, 200)),
    ("POST", "/admin/roles/teller", _expect({"admin"}, 303)),
    ("GET", "/admin/audit", _expect({"admin"}, 200)),
]

API_ROUTES = [
    ("GET", "/api/v1/org-units", _expect(READERS_OF_BJ, 200)),
    ("GET", "/api/v1/org-units/{unit:SH}", _expect({"admin"}, 200, {"manager", "ops"})),
    ("POST", "/api/v1/org-units", _expect({"admin"}, 201)),
    ("PATCH", "/api/v1/org-units/{unit:BJ-XC}", _expect({"admin"}, 200)),
    ("GET", "/api/v1/users", _expect(READERS_OF_BJ, 200)),
    ("GET", "/api/v1/users/{user:am2}", _expect({"admin"}, 200, {"manager", "ops"})),
    ("POST", "/api/v1/users", _expect({"admin"}, 201)),
    ("PATCH", "/api/v1/users/{user:teller}", _expect({"admin"}, 200)),
    ("POST", "/api/v1/users/{user:teller}/disable", _expect({"admin"}, 200)),
    ("POST", "/api/v1/users/{user:teller}/enable", _expect({"admin"}, 200)),
    ("POST", "/api/v1/users/{user:teller}/reset-password", _expect({"admin"}, 200)),
    ("PUT", "/api/v1/users/{user:teller}/roles", _expect({"admin"}, 200)),
    ("GET", "/api/v1/roles", _expect(READERS_OF_BJ, 200)),
    ("PUT", "/api/v1/roles/teller/permissions", _expect({"admin"}, 200)),
    ("GET", "/api/v1/audit-events", _expect({"admin"}, 200)),
]

STRONG = "Str0ng-Passw0rd!"


def _resolve(db, template: str) -> str:  # type: ignore[no-untyped-def]
    path = template
    for kind, resolver in (("unit", unit_id), ("user", user_id)):
        while "{" + kind + ":" in path:
            start = path.index("{" + kind + ":")
            end = path.index("}", start)
            path = path[:start] + str(resolver(db, path[start + len(kind) + 2 : end])) + path[end + 1 :]
    return path


def _form(db, path: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    if path.endswith("/admin/units/new"):
        return {
            "code": "NEW-01",
            "name_en": "New Outlet",
            "name_zh": "新网点",
            "kind_code": "outlet",
            "parent_id": unit_id(db, "BJ-XC"),
        }
    if path.endswith("/admin/users/new"):
        return {
            "username": "newbie",
            "display_name": "New Person",
            "org_unit_id": unit_id(db, "BJ"),
            "password": STRONG,
            "roles": ["teller"],
        }
    if path.endswith("/roles") and "/users/" in path:
        return {"roles": ["teller", "lobby_manager"]}
    if path.endswith("/password"):
        return {"new_password": STRONG}
    if path.startswith("/admin/roles/"):
        return {"permissions": ["org.read"]}
    if path.startswith("/admin/units/"):
        return {"name_en": "Xicheng", "name_zh": "西城支行", "active": "on"}
    return {}


def _json(db, method: str, path: str) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
    if path == "/api/v1/org-units":
        return {
            "code": "NEW-01",
            "name_en": "New Outlet",
            "name_zh": "新网点",
            "kind_code": "outlet",
            "parent_id": unit_id(db, "BJ-XC"),
        }
    if path == "/api/v1/users" and method == "POST":
        return {
            "username": "newbie",
            "display_name": "New Person",
            "org_unit_id": unit_id(db, "BJ"),
            "password": STRONG,
            "roles": ["teller"],
        }
    if path.startswith("/api/v1/org-units/"):
        return {"name_en": "Xicheng"}
    if path.endswith("/reset-password"):
        return {"new_password": STRONG}
    if path.endswith("/roles"):
        return {"roles": ["teller"]}
    if path.endswith("/permissions"):
        return {"permissions": ["org.read"]}
    if method == "PATCH":
        return {"display_name": "Liu Yang"}
    return None


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize(("method", "template", "expected"), WEB_ROUTES, ids=[f"{m} {t}" for m, t, _ in WEB_ROUTES])
def test_web_route_by_role(make_client, db, username, method, template, expected):
    client = signed_in(make_client(), username)
    path = _resolve(db, template)
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    else:
        token = csrf_from(client.get("/").text)
        response = client.post(path, data={"csrf_token": token, **_form(db, path)}, follow_redirects=False)
    assert response.status_code == expected[username], response.text[:500]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize(("method", "template", "expected"), API_ROUTES, ids=[f"{m} {t}" for m, t, _ in API_ROUTES])
def test_api_route_by_role(make_client, db, username, method, template, expected):
    client = make_client()
    headers = token_for(client, username)
    path = _resolve(db, template)
    response = client.request(method, path, headers=headers, json=_json(db, method, path))
    assert response.status_code == expected[username], response.text[:500]
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_denials_and_out_of_scope_reads_are_audited(make_client, db):
    # given a teller and a branch-1 manager
    teller = signed_in(make_client(), "teller")
    manager = signed_in(make_client(), "manager")
    # when the teller opens the user list and the manager opens a branch-2 user
    assert teller.get("/admin/users").status_code == 403
    assert manager.get(f"/admin/users/{user_id(db, 'am2')}").status_code == 404
    # and the manager asks for a user id that does not exist at all
    assert manager.get("/admin/users/999999").status_code == 404
    # then both attempts are in the audit log, the non-existent id is not
    db.expire_all()
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied").order_by(AuditEvent.seq)))
    assert [(e.actor_username, e.action, e.entity_type, e.entity_id) for e in events[-2:]] == [
        ("teller", "authz.denied", None, None),
        ("manager", "authz.out_of_scope", "user", str(user_id(db, "am2"))),
    ]
    assert events[-2].detail == "GET /admin/users needs user.read"


def test_out_of_scope_answer_leaks_nothing(make_client, db):
    manager = signed_in(make_client(), "manager")
    response = manager.get(f"/admin/users/{user_id(db, 'am2')}")
    assert response.status_code == 404
    assert "am2" not in response.text and "Chen Jing" not in response.text
