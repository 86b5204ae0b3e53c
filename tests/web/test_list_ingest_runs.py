"""The ingest run list through the list component: sort by a column with the run id as tie-breaker, exact export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.ingest import IngestBatch, IngestRun
from tests.conftest import signed_in, token_for

T0 = datetime(2026, 11, 30, 1, 0, 0, tzinfo=UTC)


def _runs(db: Session) -> tuple[int, int, int]:
    """Three runs: accounts (5 rejected), loans (0 rejected), accounts again (0 rejected), in that order."""
    made = []
    for file_type, day, rejected in (("accounts", 1, 5), ("loans", 1, 0), ("accounts", 2, 0)):
        batch = IngestBatch(source="core", file_type=file_type, business_date=date(2026, 11, day), checksum="c" * 64)
        db.add(batch)
        db.flush()
        run = IngestRun(
            batch_id=batch.id,
            file_name=f"{file_type}_2026110{day}.csv",
            checksum="c" * 64,
            encoding="utf-8",
            replaced=False,
            rows_in=10,
            rows_loaded=10 - rejected,
            rows_rejected=rejected,
            actor="ops",
            started_at=T0,
            finished_at=T0,
        )
        db.add(run)
        db.flush()
        made.append(run.id)
    db.commit()
    return made[0], made[1], made[2]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-testid="run-(\d+)">', html)]


def test_sorting_by_file_type_or_rejects_breaks_ties_by_run_id(client: TestClient, db: Session) -> None:
    a, loans, b = _runs(db)
    page = signed_in(client, "ops")
    assert _ids(page.get("/ingest/runs").text) == [b, loans, a]
    assert _ids(page.get("/ingest/runs?sort=file_type").text) == [a, b, loans]
    assert _ids(page.get("/ingest/runs?sort=-file_type").text) == [loans, a, b]
    api = client.get("/api/v1/ingest/runs?sort=rows_rejected", headers=token_for(client, "ops")).json()
    assert [r["id"] for r in api["items"]] == [loans, b, a]
    assert (api["total"], api["page"], api["size"], api["pages"]) == (3, 1, 25, 1)
    assert client.get("/api/v1/ingest/runs?sort=checksum", headers=token_for(client, "ops")).status_code == 422


def test_export_has_the_sorted_rows_and_is_audited(client: TestClient, db: Session) -> None:
    a, loans, b = _runs(db)
    page = signed_in(client, "ops")
    assert 'href="/ingest/runs/export.csv?sort=-rows_rejected"' in page.get("/ingest/runs?sort=-rows_rejected").text
    response = page.get("/ingest/runs/export.csv?sort=-rows_rejected")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    done = "2026-11-30 01:00:00"
    assert rows == [
        ["Run", "Source", "File type", "Business date", "File name", "Replaced earlier delivery", "Rows in", "Loaded",
         "Rejected", "By", "Finished"],
        [str(a), "core", "accounts", "2026-11-01", "accounts_20261101.csv", "no", "10", "5", "5", "ops", done],
        [str(loans), "core", "loans", "2026-11-01", "loans_20261101.csv", "no", "10", "10", "0", "ops", done],
        [str(b), "core", "accounts", "2026-11-02", "accounts_20261102.csv", "no", "10", "10", "0", "ops", done],
    ]  # fmt: skip
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "ingest.runs.export",
        "ops",
        "3 rows; sort=-rows_rejected",
    )
