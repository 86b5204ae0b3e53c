"""Manager changes through the list component: sort by customer count with the request id as tie-breaker, export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.assignment import AssignmentRequest
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for, unit_id, user_id

T0 = datetime(2026, 12, 1, 2, 0, 0, tzinfo=UTC)


def _requests(db: Session) -> tuple[int, int, int]:
    """Three hand-overs from am1 to lobby filed by am1: 2 customers at BJ, 5 at BJ-CY-01, 2 at BJ-CY-01."""
    made = []
    am1, lobby = user_id(db, "am1"), user_id(db, "lobby")
    for unit, count in (("BJ", 2), ("BJ-CY-01", 5), ("BJ-CY-01", 2)):
        row = AssignmentRequest(
            kind="transfer",
            status="submitted",
            reason="rebalancing",
            from_manager_id=am1,
            to_manager_id=lobby,
            unit_id=unit_id(db, unit),
            customer_count=count,
            maker_id=am1,
            maker_name="am1",
            submitted_at=T0,
        )
        db.add(row)
        db.flush()
        made.append(row.id)
    db.commit()
    return made[0], made[1], made[2]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/assignments/requests/(\d+)">', html)]


def test_sorting_by_customer_count_breaks_ties_by_request_id(client: TestClient, db: Session) -> None:
    a, b, c = _requests(db)
    page = signed_in(client, "manager")
    assert _ids(page.get("/assignments/requests").text) == [c, b, a]
    assert _ids(page.get("/assignments/requests?sort=customer_count").text) == [a, c, b]
    assert _ids(page.get("/assignments/requests?sort=-customer_count").text) == [b, a, c]
    api = client.get("/api/v1/assignment-requests?sort=-unit", headers=token_for(client, "manager")).json()
    assert [r["id"] for r in api["items"]] == [b, c, a]
    assert (api["total"], api["pages"]) == (3, 1)
    bad = client.get("/api/v1/assignment-requests?sort=reason", headers=token_for(client, "manager"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_export_has_the_sorted_rows_and_is_audited(client: TestClient, db: Session) -> None:
    a, b, c = _requests(db)
    page = signed_in(client, "manager")
    html = page.get("/assignments/requests?status=submitted&sort=unit").text
    assert 'href="/assignments/requests/export.csv?status=submitted&amp;sort=unit"' in html
    assert '<th aria-sort="ascending" data-sort-key="unit">' in html
    response = page.get("/assignments/requests/export.csv?status=submitted&sort=unit")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    when = "2026-12-01 02:00:00"
    am1, lobby = "李明 Li Ming", "赵丽 Zhao Li"
    assert rows == [
        ["#", "Request", "From manager", "To manager", "Unit", "Customers", "Maker", "Checker", "Status", "Submitted",
         "Decided"],
        [str(a), "transfer", am1, lobby, "BJ", "2", "am1", "", "submitted", when, ""],
        [str(b), "transfer", am1, lobby, "BJ-CY-01", "5", "am1", "", "submitted", when, ""],
        [str(c), "transfer", am1, lobby, "BJ-CY-01", "2", "am1", "", "submitted", when, ""],
    ]  # fmt: skip
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.detail) == ("assignment_request.export", "3 rows; status=submitted sort=unit")
