"""The org unit list through the list component: sort by kind with the code as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for


def _codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/units/\d+">([A-Z0-9-]+)</a></td>', html)


def test_sorting_by_kind_breaks_ties_by_code(client: TestClient) -> None:
    # given the Beijing branch manager, who sees the BJ subtree
    page = signed_in(client, "manager")
    # when the units are sorted by kind either way (branch < outlet < sub_branch), and by code in the API
    asc = _codes(page.get("/admin/units?sort=kind").text)
    desc = _codes(page.get("/admin/units?sort=-kind").text)
    api = client.get("/api/v1/org-units?sort=-code", headers=token_for(client, "manager")).json()
    # then units of one kind keep code order whichever way the kinds go
    assert asc == ["BJ", "BJ-CY-01", "BJ-CY-02", "BJ-HD-01", "BJ-CY", "BJ-HD", "BJ-XC"]
    assert desc == ["BJ-CY", "BJ-HD", "BJ-XC", "BJ-CY-01", "BJ-CY-02", "BJ-HD-01", "BJ"]
    assert [u["code"] for u in api] == ["BJ-XC", "BJ-HD-01", "BJ-HD", "BJ-CY-02", "BJ-CY-01", "BJ-CY", "BJ"]
    # and the default stays the tree
    assert _codes(page.get("/admin/units").text)[:3] == ["BJ", "BJ-CY", "BJ-CY-01"]


def test_unknown_sort_is_422_naming_sort(client: TestClient) -> None:
    response = client.get("/api/v1/org-units?sort=parent_id", headers=token_for(client, "manager"))
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "sort")


def test_export_has_the_filtered_sorted_rows_and_is_audited(client: TestClient, db: Session) -> None:
    page = signed_in(client, "manager")
    html = page.get("/admin/units?q=HD&sort=-code").text
    assert 'href="/admin/units/export.csv?q=HD&amp;sort=-code"' in html
    assert '<th aria-sort="descending" data-sort-key="code">' in html
    response = page.get("/admin/units/export.csv?q=HD&sort=-code")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    assert response.headers["content-disposition"] == 'attachment; filename="org-units.csv"'
    assert rows == [
        ["Code", "Name in English", "Name in Chinese", "Kind", "Parent unit", "Status"],
        ["BJ-HD-01", "Zhongguancun Outlet", "中关村网点", "outlet", "BJ-HD", "active"],
        ["BJ-HD", "Haidian Sub-branch", "海淀支行", "sub_branch", "BJ", "active"],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "org.export",
        "manager",
        "2 rows; filters {'q': 'HD'}; sort=-code",
    )
