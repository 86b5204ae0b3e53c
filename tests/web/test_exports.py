"""List exports: CSV and XLSX, inside the data scope, audited, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from bankcrm.kit.export import to_csv
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in


def _rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_manager_exports_only_their_branch_as_csv(client, db):
    signed_in(client, "manager")
    response = client.get("/admin/users/export.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="users.csv"'
    rows = _rows(response.content)
    assert rows[0] == ["User name", "Display name", "Org unit", "Roles", "Status", "Last sign-in"]
    assert [r[0] for r in rows[1:]] == ["am1", "lobby", "manager", "ops", "teller"]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username) == ("user.export", "manager")
    assert last.detail.startswith("5 rows;")


def test_filtered_export_follows_the_filters(client):
    signed_in(client, "admin")
    rows = _rows(client.get("/admin/users/export.csv?role=account_manager").content)
    assert [r[0] for r in rows[1:]] == ["am1", "am2"]


def test_xlsx_export_is_a_workbook_with_the_rows(client):
    signed_in(client, "admin")
    response = client.get("/admin/users/export.xlsx?role=teller")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "teller" in strings and "刘洋 Liu Yang" in strings


def test_audit_export_is_admin_only_and_carries_hashes(make_client, db):
    # Given a manager refused the audit export, and an admin signed in after
    assert signed_in(make_client(), "manager").get("/admin/audit/export.csv").status_code == 403
    admin = signed_in(make_client(), "admin")
    # When the admin exports the sign-ins
    rows = _rows(admin.get("/admin/audit/export.csv?action=auth.login").content)
    # Then the export is exactly the two sign-ins on file, each with its chain hash
    db.expire_all()
    logins = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")).all()
    assert sorted(e.actor_username for e in logins) == ["admin", "manager"]
    assert rows[0] == [
        "#", "Time", "User", "Event", "Outcome", "Action code", "Outcome code", "Object", "Changes", "Source IP", "Hash"
    ]  # fmt: skip
    assert sorted((r[0], r[2], r[3], r[4], r[5], r[6], r[-1]) for r in rows[1:]) == sorted(
        (str(e.seq), e.actor_username, f"{e.actor_username} signed in", "Success", "auth.login", "success", e.hash)
        for e in logins
    )


def test_unknown_format_is_404(client):
    signed_in(client, "admin")
    assert client.get("/admin/users/export.pdf").status_code == 404


def test_formula_cells_are_neutralised():
    rows = _rows(to_csv(["name"], [['=HYPERLINK("http://x")'], ["-5"], ["plain"]]))
    assert rows[1:] == [['\'=HYPERLINK("http://x")'], ["'-5"], ["plain"]]
