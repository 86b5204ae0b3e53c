"""A manager's portfolio through the list component: sort with the CIF number as tie-breaker, masked export."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from tests.assignments.helpers import BJ_1, BJ_2, BJ_3, given_customers
from tests.conftest import signed_in, token_for, user_id


def _cifs(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="row-(\d{11})">', html)


def test_sorting_by_status_or_aum_breaks_ties_by_cif_number(client: TestClient, db: Session) -> None:
    # given am1's three Beijing customers: two ACTIVE with figures (AUM 10,000 and 5,000.03 yuan), one DORMANT without
    given_customers(db)
    page = signed_in(client, "manager")
    base = "/managers/am1/portfolio"
    assert _cifs(page.get(base).text) == [BJ_1, BJ_2, BJ_3]  # primary first, then CIF order, as before
    assert _cifs(page.get(f"{base}?sort=-status").text) == [BJ_3, BJ_1, BJ_2]
    assert _cifs(page.get(f"{base}?sort=aum").text) == [BJ_2, BJ_1, BJ_3]  # no figures: last either way
    api = client.get(f"/api/v1/managers/{user_id(db, 'am1')}/portfolio?sort=-aum", headers=token_for(client, "manager"))
    assert [i["cif_no"] for i in api.json()["items"]] == [BJ_1, BJ_2, BJ_3]
    assert api.json()["totals"]["customers"] == 3
    bad = client.get(f"/api/v1/managers/{user_id(db, 'am1')}/portfolio?sort=name", headers=token_for(client, "manager"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_export_names_customers_like_the_screen_and_is_audited(client: TestClient, db: Session) -> None:
    given_customers(db)
    page = signed_in(client, "manager")
    html = page.get("/managers/am1/portfolio?sort=-aum").text
    assert 'href="/managers/am1/portfolio/export.csv?sort=-aum"' in html
    assert '<th aria-sort="descending" data-sort-key="aum">' in html
    response = page.get("/managers/am1/portfolio/export.csv?sort=-aum")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    header = ["CIF no.", "Name", "Kind", "Status", "Role", "Manager's share (%)", "AUM (yuan)", "Deposits (yuan)"]
    assert rows == [
        [*header, "Loans (yuan)"],
        [BJ_1, "王小明", "individual", "ACTIVE", "primary", "100.00", "10000.00", "8000.00", "0.00"],
        [BJ_2, "北京星河科技有限公司", "corporate", "ACTIVE", "primary", "100.00", "5000.03", "5000.03", "3000.00"],
        [BJ_3, "李四", "individual", "DORMANT", "primary", "100.00", "", "", ""],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "portfolio.export",
        "manager",
        "3 rows; manager=am1 sort=-aum",
    )
