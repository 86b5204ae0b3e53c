"""The approval inbox through the list component: sort by unit with the request id as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import ChangeRequest
from tests.conftest import signed_in, token_for
from tests.customers.helpers import individual, resident_id


def _submit(client: TestClient, db: Session, home: str, seq: str) -> int:
    data = individual(db, home=home, name="赵" + seq, id_no=resident_id(seq=seq), phones=[])
    response = client.post("/api/v1/customers/individual", json=data, headers=token_for(client, "am1"))
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _three(client: TestClient, db: Session) -> tuple[int, int, int]:
    """am1 files three new customers: at the Wangjing outlet, at the branch, at the outlet again."""
    return (
        _submit(client, db, "BJ-CY-01", "111"),
        _submit(client, db, "BJ", "333"),
        _submit(client, db, "BJ-CY-01", "555"),
    )


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/approvals/(\d+)">', html)]


def test_sorting_by_unit_breaks_ties_by_request_id(client: TestClient, db: Session) -> None:
    a, b, c = _three(client, db)
    page = signed_in(client, "manager")
    assert _ids(page.get("/approvals").text) == [c, b, a]
    assert _ids(page.get("/approvals?sort=home_unit").text) == [b, a, c]
    assert _ids(page.get("/approvals?status=submitted&sort=-home_unit").text) == [a, c, b]
    api = client.get("/api/v1/change-requests?sort=-home_unit,-id", headers=token_for(client, "manager")).json()
    assert [r["id"] for r in api["items"]] == [c, a, b]
    assert (api["total"], api["pages"]) == (3, 1)
    assert client.get("/api/v1/change-requests?sort=summary", headers=token_for(client, "manager")).status_code == 422


def test_export_has_the_sorted_rows_without_values_and_is_audited(client: TestClient, db: Session) -> None:
    a, b, c = _three(client, db)
    page = signed_in(client, "manager")
    html = page.get("/approvals?sort=-home_unit").text
    assert 'href="/approvals/export.xlsx?sort=-home_unit"' in html
    response = page.get("/approvals/export.csv?sort=-home_unit")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    submitted = {r.id: r.submitted_at.strftime("%Y-%m-%d %H:%M:%S") for r in db.scalars(select(ChangeRequest))}
    fields = db.scalar(select(ChangeRequest.fields).where(ChangeRequest.id == a)).replace(",", " ")
    assert rows[0] == [
        "#",
        "Request",
        "Kind",
        "CIF no.",
        "Fields",
        "Unit",
        "Maker",
        "Checker",
        "Status",
        "Submitted",
        "Decided",
    ]
    assert rows[1:] == [
        [str(i), "create", "individual", "", fields, unit, "am1", "", "submitted", submitted[i], ""]
        for i, unit in ((a, "BJ-CY-01"), (c, "BJ-CY-01"), (b, "BJ"))
    ]
    assert "赵" not in response.text  # the values (even masked) stay out of the export
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.detail) == ("change_request.export", "3 rows; status=submitted sort=-home_unit")
