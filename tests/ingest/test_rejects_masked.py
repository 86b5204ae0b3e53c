"""Rejected rows are stored and served masked; the row as delivered is kept only encrypted, shown only by permission."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import DEV_PII_INDEX_KEY, DEV_PII_KEYS, Settings
from bankcrm.ingest.service.keys import rotate_rejects
from bankcrm.ingest.service.rejects import delivered
from bankcrm.kit.crypto import FieldCipher, aad_for, generate_key, parse_keys
from bankcrm.models.access import Permission, Role
from bankcrm.models.audit import AuditEvent
from bankcrm.models.ingest import IngestReject
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.holdings.helpers import account, load, write_file


def _given_rejects(db: Session, settings: Settings, tmp_path: Path) -> int:
    """An accounts file, loaded, with three bad rows: an unknown customer, a formula, an account number misplaced."""
    make_customer(db, "90000000011")
    rows = [
        account("6222000000000001", "90000000011"),
        account("6222000000000002", "90000000098", balance="123456.78"),
        account("6222000000000003", "90000000011", status="=1+2"),
        account("6222000000000004", "90000000011", product_code="6222000000000077"),
    ]
    return load(db, settings, write_file(tmp_path / "accounts.csv", "accounts", rows), "accounts").run.id


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _grant(db: Session, role: str, *codes: str) -> None:
    found = db.scalars(select(Role).where(Role.code == role)).one()
    found.permissions.extend(db.get(Permission, c) for c in codes)  # type: ignore[misc]
    db.flush()


HEADER = [
    "line", "field", "reason", "reason_zh", "account_no", "cif_no", "product_code", "branch_code", "currency",
    "status", "open_date", "close_date", "rate", "maturity_date", "auto_renew", "balance", "linked_account_no",
]  # fmt: skip
MASKED = [
    [
        "3", "cif_no", "No customer with this CIF number.", "没有此客户号的客户。", "************0002", "*******0098",
        "DD-CNY", "BJ", "CNY", "ACTIVE", "2024-03-01", "", "0.20", "", "", "****", "",
    ],
    [
        "4", "status", "Unknown code =1+2 (code table account_status).", "未知代码 =1+2（代码表 account_status）。",
        "************0003", "*******0011", "DD-CNY", "BJ", "CNY", "'=1+2", "2024-03-01", "", "0.20", "", "", "****", "",
    ],
    [
        "5", "product_code", "Unknown code ************0077 (code table product).",
        "未知代码 ************0077（代码表 product）。", "************0004", "*******0011", "************0077",
        "BJ", "CNY", "ACTIVE", "2024-03-01", "", "0.20", "", "", "****", "",
    ],
]  # fmt: skip


def test_stored_rejects_hold_no_clear_c2_value_and_the_row_as_delivered_only_encrypted(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a file with rejected rows, loaded
    run_id = _given_rejects(db, settings, tmp_path)
    # When the stored rejects are read from the database
    stored = db.scalars(select(IngestReject).order_by(IngestReject.line_no)).all()
    # Then no account number, CIF number or balance is stored in clear
    clear = json.dumps([(r.raw, r.params, r.raw_enc) for r in stored])
    for value in ("6222000000000002", "90000000098", "123456.78", "6222000000000077"):
        assert value not in clear
    # (stored as masked, empty fields as no value; the formula is neutralised only in files)
    assert [json.loads(r.raw) for r in stored] == [[v.removeprefix("'") or None for v in m[4:]] for m in MASKED]
    # And the row as delivered is there encrypted, bound to its run and line
    cipher = settings.field_cipher()
    sealed = json.loads(cipher.decrypt(stored[0].raw_enc or "", aad_for("ingest_reject", "raw", f"{run_id}.3")))
    assert sealed["values"][:2] == ["6222000000000002", "90000000098"] and sealed["values"][-2:] == ["123456.78", None]


def test_the_api_and_the_pages_serve_rejects_masked_with_formulas_neutralised(
    client: TestClient, make_client, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given rejected rows
    run_id = _given_rejects(db, settings, tmp_path)
    headers = token_for(client, "ops")
    # When operations downloads them through the API as CSV and XLSX, and opens the run's page
    as_csv = client.get(f"/api/v1/ingest/runs/{run_id}/rejects", headers=headers)
    as_xlsx = client.get(f"/api/v1/ingest/runs/{run_id}/rejects?format=xlsx", headers=headers)
    ops = signed_in(make_client(), "ops")
    page = ops.get(f"/ingest/runs/{run_id}")
    from_page = ops.get(f"/ingest/runs/{run_id}/rejects.csv")
    # Then the CSV is masked, its formula cell neutralised with a leading quote
    assert as_csv.status_code == 200 and from_page.status_code == 200
    assert _csv(as_csv.content) == [HEADER, *MASKED]
    assert _csv(from_page.content) == [HEADER, *MASKED]
    # And the XLSX holds the same strings, no formula
    with zipfile.ZipFile(io.BytesIO(as_xlsx.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "'=1+2" in strings.replace("&apos;", "'")
    assert "6222000000000002" not in strings and "123456.78" not in strings
    # And the page shows the rows masked, without the link to the rows as delivered
    assert page.status_code == 200
    assert "************0002" in page.text and "6222000000000002" not in page.text and "123456.78" not in page.text
    assert 'id="rejects-delivered"' not in page.text


def test_the_rows_as_delivered_need_the_unmask_permission_and_each_download_is_audited(
    client: TestClient, make_client, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given rejected rows, and the unmask permission granted to the administrator's role only
    run_id = _given_rejects(db, settings, tmp_path)
    _grant(db, "admin", "ingest.read", "ingest.rejects.unmask")
    # When operations asks for the rows as delivered, through the API and the pages
    denied_api = client.get(f"/api/v1/ingest/runs/{run_id}/rejects/delivered", headers=token_for(client, "ops"))
    ops = signed_in(make_client(), "ops")
    denied_page = ops.get(f"/ingest/runs/{run_id}/rejects-delivered.csv")
    # Then both are refused, and each refusal is audited
    assert (denied_api.status_code, denied_page.status_code) == (403, 403)
    denials = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "authz.denied")).all()
    assert [d for d in denials if "ingest.rejects.unmask" in (d or "")] == [
        f"GET /api/v1/ingest/runs/{run_id}/rejects/delivered needs ingest.rejects.unmask",
        f"GET /ingest/runs/{run_id}/rejects-delivered.csv needs ingest.rejects.unmask",
    ]
    # When the administrator downloads them
    admin = signed_in(make_client(), "admin")
    page = admin.get(f"/ingest/runs/{run_id}")
    whole = admin.get(f"/ingest/runs/{run_id}/rejects-delivered.csv")
    # Then the values come as delivered (the formula still neutralised), and the download is audited
    assert whole.status_code == 200 and 'id="rejects-delivered"' in page.text
    rows = _csv(whole.content)
    assert rows[1][4:6] == ["6222000000000002", "90000000098"] and rows[1][-2:] == ["123456.78", ""]
    assert rows[2][9] == "'=1+2"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "ingest.rejects.unmask")).one()
    assert (event.entity_type, event.entity_id, event.detail) == (
        "ingest_run",
        str(run_id),
        "3 rejected rows downloaded as delivered (csv)",
    )


def test_key_rotation_reencrypts_the_rows_as_delivered(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given rejected rows encrypted under key version 1
    _given_rejects(db, settings, tmp_path)
    old = settings.field_cipher()
    new = FieldCipher(parse_keys(f"{DEV_PII_KEYS},2:{generate_key()}"), 2, base64.b64decode(DEV_PII_INDEX_KEY))
    # When the keys are rotated to version 2
    done = rotate_rejects(db, new, SYSTEM)
    # Then every row as delivered is under version 2 and reads as before; a second rotation has nothing to do
    stored = db.scalars(select(IngestReject).order_by(IngestReject.line_no)).all()
    assert done == 3 and all((r.raw_enc or "").startswith("v2.") for r in stored)
    clear = [delivered(r, new) for r in stored]
    assert [c.values[0] for c in clear if c is not None] == ["6222000000000002", "6222000000000003", "6222000000000004"]
    assert rotate_rejects(db, new, SYSTEM) == 0
    assert all(old.needs_rotation(r.raw_enc or "") for r in stored)
