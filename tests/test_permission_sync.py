"""Permissions come from the module registry: new ones go to their default roles; the bank's grants are kept."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Connection, delete, select

from bankcrm import migrate
from bankcrm.kit.module import Permission
from bankcrm.models.access import Permission as PermissionRow
from bankcrm.models.access import Role, role_permission
from bankcrm.modules import permissions


def _grants(connection: Connection) -> dict[str, set[str]]:
    rows = connection.execute(
        select(Role.code, role_permission.c.permission_code).join(role_permission, role_permission.c.role_id == Role.id)
    )
    grants: dict[str, set[str]] = {}
    for role, code in rows:
        grants.setdefault(role, set()).add(code)
    return grants


def _labels(connection: Connection) -> dict[str, tuple[str, str]]:
    rows = connection.execute(select(PermissionRow.code, PermissionRow.label_en, PermissionRow.label_zh))
    return {code: (en, zh) for code, en, zh in rows}


def test_a_new_database_holds_the_registry_permissions_granted_to_their_default_roles(connection: Connection) -> None:
    # given a database migrated to head
    # then it holds exactly the registry's permissions, with their labels
    assert _labels(connection) == {p.code: (p.label_en, p.label_zh) for p in permissions()}
    # and each role holds exactly the permissions that name it as a default role
    expected: dict[str, set[str]] = {}
    for p in permissions():
        for role in p.default_roles:
            expected.setdefault(role, set()).add(p.code)
    assert _grants(connection) == expected


def test_a_new_permission_is_granted_to_its_default_roles_once(
    connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a module that declares a new permission
    new = Permission("survey.read", "View surveys", "查看问卷调查", default_roles=("account_manager", "management"))
    monkeypatch.setattr(migrate, "permissions", lambda: (*permissions(), new))
    # when permissions are synchronised twice
    first = migrate.sync_permissions(connection)
    second = migrate.sync_permissions(connection)
    # then the first adds it and grants it to exactly those roles, the second changes nothing
    assert (first, second) == (1, 0)
    assert _labels(connection)["survey.read"] == ("View surveys", "查看问卷调查")
    holders = {role for role, codes in _grants(connection).items() if "survey.read" in codes}
    assert holders == {"account_manager", "management"}


def test_a_grant_the_bank_revoked_is_not_given_back(connection: Connection) -> None:
    # given the bank took task.work away from account managers
    role_id = connection.execute(select(Role.id).where(Role.code == "account_manager")).scalar_one()
    connection.execute(
        delete(role_permission).where(
            role_permission.c.role_id == role_id, role_permission.c.permission_code == "task.work"
        )
    )
    # when permissions are synchronised (as every upgrade does)
    changed = migrate.sync_permissions(connection)
    # then nothing changed and account managers still lack it
    assert changed == 0
    assert "task.work" not in _grants(connection)["account_manager"]


def test_a_changed_label_is_updated(connection: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a module that renames a permission's labels
    renamed = [
        dataclasses.replace(p, label_en="Read the audit trail", label_zh="查看审计轨迹")
        if p.code == "audit.read"
        else p
        for p in permissions()
    ]
    monkeypatch.setattr(migrate, "permissions", lambda: tuple(renamed))
    # when permissions are synchronised
    changed = migrate.sync_permissions(connection)
    # then only that permission changed
    assert changed == 1
    assert _labels(connection)["audit.read"] == ("Read the audit trail", "查看审计轨迹")


def test_a_default_role_that_does_not_exist_is_refused_and_nothing_is_written(
    connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a permission whose default role is misspelt
    bad = Permission("lead.write", "Work leads", "处理商机线索", default_roles=("acount_manager",))
    monkeypatch.setattr(migrate, "permissions", lambda: (*permissions(), bad))
    # when permissions are synchronised
    with pytest.raises(ValueError, match=r"^permission lead\.write: no role acount_manager$"):
        migrate.sync_permissions(connection)
    # then the permission was not written
    assert "lead.write" not in _labels(connection)
