"""Follow-up tasks through the list component: sort with the task id as tie-breaker, exact masked export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.task import Task
from tests.conftest import signed_in, token_for, user_id
from tests.holdings.helpers import make_customer


def _tasks(db: Session) -> tuple[int, int, int, str]:
    """Three open maturity tasks of am1 on one customer: due 12-10 (5,000 yuan), 12-05 (5,000), 12-05 (800)."""
    customer = make_customer(db, "93000000001", name="王小明")
    made = []
    for due, fen, product in ((date(2026, 12, 10), 500_000, "TD1Y"), (date(2026, 12, 5), 500_000, "TD3M")):
        made.append(_task(db, customer.id, user_id(db, "am1"), due, fen, product))
    made.append(_task(db, customer.id, user_id(db, "am1"), date(2026, 12, 5), 80_000, "TD6M"))
    db.commit()
    return made[0], made[1], made[2], customer.cif_no


def _task(db: Session, customer_id: int, assignee: int, due: date, fen: int, product: str) -> int:
    task = Task(
        kind="MATURITY",
        customer_id=customer_id,
        assignee_id=assignee,
        holding_kind="account",
        product_code=product,
        maturity_date=due,
        window_days=7,
        due_date=due,
        amount_due=fen,
        status="OPEN",
    )
    db.add(task)
    db.flush()
    return task.id


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-testid="task-(\d+)" data-status=', html)]


def test_sorting_by_amount_or_date_breaks_ties_by_task_id(client: TestClient, db: Session) -> None:
    late, early, small, _ = _tasks(db)
    page = signed_in(client, "am1")
    assert _ids(page.get("/tasks").text) == [early, small, late]  # soonest first, as before
    assert _ids(page.get("/tasks?sort=-amount_due").text) == [late, early, small]
    assert _ids(page.get("/tasks?status=open&sort=maturity_date").text) == [early, small, late]
    api = client.get("/api/v1/tasks?sort=amount_due", headers=token_for(client, "am1")).json()
    assert [t["id"] for t in api["items"]] == [small, late, early]
    assert (api["total"], api["pages"]) == (3, 1)
    bad = client.get("/api/v1/tasks?sort=note", headers=token_for(client, "am1"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_export_has_the_sorted_rows_with_the_names_on_screen_and_is_audited(client: TestClient, db: Session) -> None:
    late, early, small, cif_no = _tasks(db)
    page = signed_in(client, "am1")
    html = page.get("/tasks?sort=-amount_due").text
    assert 'href="/tasks/export.xlsx?sort=-amount_due"' in html
    response = page.get("/tasks/export.csv?sort=-amount_due")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    assert rows == [
        ["#", "Kind", "CIF no.", "Name", "Product", "Maturity date", "Due date", "Amount due (yuan)", "Status",
         "Outcome", "Amount kept (yuan)"],
        [str(late), "MATURITY", cif_no, "王小明", "TD1Y", "2026-12-10", "2026-12-10", "5000.00", "OPEN", "", ""],
        [str(early), "MATURITY", cif_no, "王小明", "TD3M", "2026-12-05", "2026-12-05", "5000.00", "OPEN", "", ""],
        [str(small), "MATURITY", cif_no, "王小明", "TD6M", "2026-12-05", "2026-12-05", "800.00", "OPEN", "", ""],
    ]  # fmt: skip
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "task.export",
        "am1",
        "3 rows; status=open sort=-amount_due",
    )
