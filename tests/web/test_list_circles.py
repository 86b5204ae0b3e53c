"""Guarantee circles through the list component: sort by a column with the circle id as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.group import GuaranteeCircle
from tests.conftest import signed_in, token_for

T0 = datetime(2026, 11, 20, 3, 0, 0, tzinfo=UTC)


def _circles(db: Session) -> tuple[int, int, int]:
    """Three current circles (the risk manager sees the whole bank): 3 / 1,000.50 yuan, 4 / 250, 3 / 250."""
    made = []
    for n, (members, fen) in enumerate(((3, 100_050), (4, 25_000), (3, 25_000))):
        circle = GuaranteeCircle(
            status="CURRENT",
            fingerprint=f"{n:064d}",
            member_count=members,
            total_amount=fen,
            derived_at=T0,
            refreshed_at=T0,
        )
        db.add(circle)
        db.flush()
        made.append(circle.id)
    db.commit()
    return made[0], made[1], made[2]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-testid="circle-(\d+)">', html)]


def test_sorting_by_members_or_amount_breaks_ties_by_circle_id(client: TestClient, db: Session) -> None:
    a, b, c = _circles(db)
    page = signed_in(client, "risk")
    assert _ids(page.get("/guarantee-circles").text) == [a, b, c]  # largest amount first, as before
    assert _ids(page.get("/guarantee-circles?sort=member_count").text) == [a, c, b]
    assert _ids(page.get("/guarantee-circles?status=current&sort=-member_count").text) == [b, a, c]
    api = client.get("/api/v1/guarantee-circles?sort=total_amount", headers=token_for(client, "risk")).json()
    assert [r["id"] for r in api["items"]] == [b, c, a]
    assert (api["total"], api["pages"]) == (3, 1)
    bad = client.get("/api/v1/guarantee-circles?sort=fingerprint", headers=token_for(client, "risk"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_export_has_the_sorted_rows_in_yuan_and_is_audited(client: TestClient, db: Session) -> None:
    a, b, c = _circles(db)
    page = signed_in(client, "risk")
    html = page.get("/guarantee-circles?sort=-member_count").text
    assert 'href="/guarantee-circles/export.csv?sort=-member_count"' in html
    response = page.get("/guarantee-circles/export.csv?sort=-member_count")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    when = "2026-11-20 03:00:00"
    assert rows == [
        ["Circle", "Status", "Customers", "Guaranteed inside the circle (yuan)", "Found", "Ended"],
        [str(b), "CURRENT", "4", "250.00", when, ""],
        [str(a), "CURRENT", "3", "1000.50", when, ""],
        [str(c), "CURRENT", "3", "250.00", when, ""],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.detail) == ("guarantee_circle.export", "3 rows; status=current sort=-member_count")
