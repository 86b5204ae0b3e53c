"""Weekly maturities through the list component: the table sorts (weeks break ties), the export is exact."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.task import Task
from tests.conftest import signed_in, token_for, user_id
from tests.holdings.helpers import make_customer


def _weeks(db: Session, settings: Settings) -> list[date]:
    """Sixteen Mondays (8 back, 8 ahead); 5,000 yuan maturing this week, 8,000 next week (one done, 6,000 kept)."""
    monday = today_in(settings.timezone) - timedelta(days=today_in(settings.timezone).weekday())
    customer = make_customer(db, "93000000002", name="王小明")
    for day, fen, done in ((monday, 500_000, False), (monday + timedelta(weeks=1), 800_000, True)):
        db.add(
            Task(
                kind="MATURITY",
                customer_id=customer.id,
                assignee_id=user_id(db, "am1"),
                maturity_date=day,
                due_date=day,
                amount_due=fen,
                status="DONE" if done else "OPEN",
                outcome="RENEWED" if done else None,
                amount_kept=600_000 if done else None,
            )
        )
    db.commit()
    return [monday + timedelta(weeks=i) for i in range(-8, 8)]


def test_sorting_by_amount_keeps_the_other_weeks_in_week_order(
    client: TestClient, db: Session, settings: Settings
) -> None:
    weeks = _weeks(db, settings)
    this, following = weeks[8], weeks[9]
    rest = [w for w in weeks if w not in (this, following)]
    page = signed_in(client, "am1")
    shown = re.findall(r'<tr data-week="([0-9-]+)"', page.get("/maturities?sort=-maturing").text)
    assert shown == [following.isoformat(), this.isoformat(), *(w.isoformat() for w in rest)]
    assert re.findall(r'<tr data-week="([0-9-]+)"', page.get("/maturities").text) == [w.isoformat() for w in weeks]
    api = client.get("/api/v1/maturities/weekly?sort=-retained_share", headers=token_for(client, "am1")).json()
    assert [w["week_start"] for w in api] == [following.isoformat(), *(w.isoformat() for w in weeks if w != following)]
    assert client.get("/api/v1/maturities/weekly?sort=x", headers=token_for(client, "am1")).status_code == 422


def test_export_has_every_week_in_the_chosen_order(client: TestClient, db: Session, settings: Settings) -> None:
    weeks = _weeks(db, settings)
    this, following = weeks[8], weeks[9]
    page = signed_in(client, "am1")
    assert 'href="/maturities/export.csv?sort=-maturing"' in page.get("/maturities?sort=-maturing").text
    response = page.get("/maturities/export.csv?sort=-maturing")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    zero = ["0.00", "0", "0", "0.00", "0.00", ""]
    assert rows == [
        ["Week of", "Maturing (yuan)", "Tasks", "Done", "Followed up (yuan)", "Kept (yuan)", "Retained share (%)"],
        [following.isoformat(), "8000.00", "1", "1", "8000.00", "6000.00", "75.0"],
        [this.isoformat(), "5000.00", "1", "0", "0.00", "0.00", ""],
        *([w.isoformat(), *zero] for w in weeks if w not in (this, following)),
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == ("maturity.export", "am1", "16 rows; sort=-maturing")
