"""The user list through the list component: sort with the user name as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/users/\d+">([a-z0-9]+)</a></td>', html)


def test_sorting_by_unit_breaks_ties_by_user_name(client: TestClient) -> None:
    # given the branch manager, who sees BJ (am1, manager, ops), BJ-CY (lobby) and BJ-CY-01 (teller)
    page = signed_in(client, "manager")
    # when the list is sorted by unit either way, and by display name in the API
    asc = _names(page.get("/admin/users?sort=org_unit").text)
    desc = _names(page.get("/admin/users?sort=-org_unit").text)
    api = client.get("/api/v1/users?sort=display_name", headers=token_for(client, "manager")).json()
    # then BJ's three keep user-name order whichever way the units go
    assert asc == ["am1", "manager", "ops", "lobby", "teller"]
    assert desc == ["teller", "lobby", "am1", "manager", "ops"]
    # (display names by code point: 刘 吴 李 王 赵)
    assert [u["username"] for u in api["items"]] == ["teller", "ops", "am1", "manager", "lobby"]
    assert (api["total"], api["pages"]) == (5, 1)


def test_the_header_of_the_sorted_column_carries_aria_sort(client: TestClient) -> None:
    html = signed_in(client, "manager").get("/admin/users?sort=-last_login_at&role=teller").text
    assert '<th aria-sort="descending" data-sort-key="last_login_at">' in html
    assert '<th aria-sort="none" data-sort-key="username">' in html
    assert 'href="/admin/users/export.xlsx?role=teller&amp;sort=-last_login_at"' in html


def test_unknown_sort_or_oversized_page_is_a_422_naming_it(client: TestClient) -> None:
    api = token_for(client, "admin")
    assert client.get("/api/v1/users?sort=password_hash", headers=api).json()["errors"][0]["field"] == "sort"
    page = signed_in(client, "admin")
    assert page.get("/admin/users?sort=roles").status_code == 422
    assert page.get("/admin/users?size=100000").status_code == 422


def test_export_rows_are_sorted_and_audited(client: TestClient, db: Session) -> None:
    # given the branch manager signed in
    page = signed_in(client, "manager")
    # when the branch's users are exported by unit, descending, in Chinese
    response = page.get("/admin/users/export.csv?sort=-org_unit", headers={"Accept-Language": "zh-CN"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    # then the rows are exact, in that order
    signed = db.scalar(select(User.last_login_at).where(User.username == "manager"))
    assert signed is not None
    assert rows == [
        ["用户名", "显示名称", "机构", "角色", "状态", "最近登录"],
        ["teller", "刘洋 Liu Yang", "BJ-CY-01", "teller", "active", ""],
        ["lobby", "赵丽 Zhao Li", "BJ-CY", "lobby_manager", "active", ""],
        ["am1", "李明 Li Ming", "BJ", "account_manager", "active", ""],
        ["manager", "王经理 Wang (Branch manager)", "BJ", "management", "active", signed.strftime("%Y-%m-%d %H:%M:%S")],
        ["ops", "吴敏 Wu Min", "BJ", "operations_manager", "active", ""],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "user.export",
        "manager",
        "5 rows; filters {}; sort=-org_unit",
    )


def test_users_never_signed_in_come_last_either_way_on_both_databases(client: TestClient) -> None:
    page = signed_in(client, "manager")
    newest = _names(page.get("/admin/users?sort=-last_login_at").text)
    oldest = _names(page.get("/admin/users?sort=last_login_at").text)
    assert newest == ["manager", "am1", "lobby", "ops", "teller"]
    assert oldest == ["manager", "am1", "lobby", "ops", "teller"]
