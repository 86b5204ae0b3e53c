"""Business rules for units, users and roles; refused changes leave nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.schemas import OrgUnitCreate, OrgUnitUpdate, UserCreate
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import roles as role_service
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.errors import Conflict, DomainError, ValidationFailed
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from bankcrm.models.org import OrgUnit
from tests.conftest import csrf_from, login, signed_in, token_for, unit_id, user_id

STRONG = "Str0ng-Passw0rd!"


def _counts(db) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(OrgUnit)),
        db.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _admin(db):  # type: ignore[no-untyped-def]
    return auth_service.principal_for(db.query(User).filter_by(username="admin").one())


def test_unit_path_follows_the_tree(db):
    unit = unit_service.create_unit(
        db,
        _admin(db),
        OrgUnitCreate(
            code="bj-xc-01",
            name_en="Xidan Outlet",
            name_zh="西单网点",
            kind_code="outlet",
            parent_id=unit_id(db, "BJ-XC"),
        ),
    )
    parent = db.get(OrgUnit, unit_id(db, "BJ-XC"))
    assert unit.code == "BJ-XC-01"
    assert unit.path == f"{parent.path}{unit.id}/"


@pytest.mark.parametrize(
    ("change", "error", "field", "message"),
    [
        (
            {"kind_code": "branch", "parent_id": "BJ-XC"},
            ValidationFailed,
            "kind_code",
            "A unit of this kind cannot sit below a unit of kind '%(parent)s'.",
        ),
        ({"kind_code": "planet"}, ValidationFailed, "kind_code", "Unknown kind of unit."),
        ({"code": "BJ"}, Conflict, "code", "Code %(code)s is already used by another unit."),
        ({"parent_id": 999999}, ValidationFailed, "parent_id", "Unknown parent unit."),
    ],
)
def test_bad_unit_is_refused_naming_the_field_and_nothing_is_written(db, change, error, field, message):
    values = {"code": "NEW-1", "name_en": "New", "name_zh": "新", "kind_code": "outlet", "parent_id": "BJ-XC"} | change
    if isinstance(values["parent_id"], str):
        values["parent_id"] = unit_id(db, values["parent_id"])
    before = _counts(db)
    with pytest.raises(error) as raised:
        unit_service.create_unit(db, _admin(db), OrgUnitCreate(**values))
    assert [(e.field, e.message) for e in raised.value.errors] == [(field, message)]
    assert _counts(db) == before


def test_unit_with_active_users_cannot_be_deactivated(db):
    with pytest.raises(Conflict) as raised:
        unit_service.update_unit(db, _admin(db), unit_id(db, "BJ-CY-01"), OrgUnitUpdate(active=False))
    assert raised.value.params == {"users": 1, "units": 0}
    assert db.get(OrgUnit, unit_id(db, "BJ-CY-01")).active is True


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [
        ({"password": "short1A!"}, "password", ["Password must be at least 12 characters long."]),
        (
            {"password": "alllowercaseletters"},
            "password",
            ["Password must mix at least three of: lower case, upper case, digits, symbols."],
        ),
        ({"password": "Newbie-Pass-2026"}, "password", ["Password must not contain the user name."]),
        ({"roles": ["astronaut"]}, "roles", ["Unknown role: %(roles)s."]),
        ({"org_unit_id": 999999}, "org_unit_id", ["Unknown org unit."]),
        ({"username": "am1"}, "username", ["User name %(username)s is taken."]),
    ],
)
def test_bad_user_is_refused_naming_the_field_and_nothing_is_written(db, change, field, messages):
    values = {
        "username": "newbie",
        "display_name": "New",
        "org_unit_id": unit_id(db, "BJ"),
        "password": STRONG,
        "roles": ["teller"],
    } | change
    before = _counts(db)
    with pytest.raises(DomainError) as raised:
        user_service.create_user(db, _admin(db), UserCreate(**values))
    assert [(e.field, e.message) for e in raised.value.errors] == [(field, m) for m in messages]
    assert _counts(db) == before


def test_api_reports_schema_errors_as_problem_json_naming_fields(client, db):
    headers = token_for(client, "admin")
    before = _counts(db)
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={"username": "9bad", "display_name": "", "org_unit_id": "x", "password": "p", "roles": []},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields == {
        "username": "This value has the wrong format.",
        "display_name": "This field is required.",
        "org_unit_id": "Enter a whole number.",
        "roles": "Choose at least one.",
    }
    assert _counts(db)[:2] == before[:2]


def test_web_form_shows_errors_at_their_fields_and_keeps_the_input(client, db):
    signed_in(client, "admin")
    token = csrf_from(client.get("/admin/users/new").text)
    before = _counts(db)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "newbie",
            "display_name": "New",
            "org_unit_id": str(unit_id(db, "BJ")),
            "password": "weak",
            "roles": ["teller"],
        },
    )
    assert response.status_code == 422
    assert 'data-field-error="password"' in response.text
    assert "Password must be at least 12 characters long." in response.text
    assert 'value="newbie"' in response.text
    assert _counts(db)[:2] == before[:2]


def test_admin_cannot_disable_themselves_or_drop_their_admin_role(db):
    admin = _admin(db)
    with pytest.raises(Conflict):
        user_service.disable_user(db, admin, admin.user_id)
    with pytest.raises(Conflict) as raised:
        user_service.assign_roles(db, admin, admin.user_id, ["teller"])
    assert raised.value.errors[0].field == "roles"
    db.expire_all()
    assert [r.code for r in db.get(User, admin.user_id).roles] == ["admin"]


def test_admin_role_keeps_user_and_role_management(db):
    with pytest.raises(Conflict):
        role_service.set_permissions(db, _admin(db), "admin", ["org.read"])
    assert "role.manage" in {p.code for p in role_service.get_role(db, "admin").permissions}


def test_granting_a_permission_takes_effect_on_the_next_request(make_client, db):
    teller = signed_in(make_client(), "teller")
    assert teller.get("/admin/units").status_code == 403
    role_service.set_permissions(db, SYSTEM_PRINCIPAL, "teller", ["org.read"])
    db.flush()
    assert teller.get("/admin/units").status_code == 200


def test_reset_password_ends_sessions_and_the_new_password_works(make_client, db):
    teller = signed_in(make_client(), "teller")
    admin = signed_in(make_client(), "admin")
    page = admin.get(f"/admin/users/{user_id(db, 'teller')}")
    response = admin.post(
        f"/admin/users/{user_id(db, 'teller')}/password",
        data={"csrf_token": csrf_from(page.text), "new_password": STRONG},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert teller.get("/", follow_redirects=False).status_code == 303
    assert login(make_client(), "teller").status_code == 401
    assert login(make_client(), "teller", STRONG).status_code == 303


def test_user_list_is_scoped_for_management(client):
    headers = token_for(client, "manager")
    names = [u["username"] for u in client.get("/api/v1/users", headers=headers).json()["items"]]
    assert names == ["am1", "lobby", "manager", "ops", "teller"]
