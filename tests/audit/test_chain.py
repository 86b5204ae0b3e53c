"""The audit chain: every write is recorded; an edited or deleted row is found by verify."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, user_id


def _allow_tampering(db) -> None:  # type: ignore[no-untyped-def]
    """Simulate a privileged attacker: switch off the append-only triggers (inside the test's transaction)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    else:
        db.execute(text("DROP TRIGGER audit_event_no_update"))
        db.execute(text("DROP TRIGGER audit_event_no_delete"))


def _append(db, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [audit_service.record(db, Actor(None, "tester"), "test.event", detail=f"event {i}").seq for i in range(n)]


def test_intact_chain_verifies(db):
    _append(db, 3)
    report = audit_service.verify(db)
    assert report.ok and report.broken_seq is None
    assert report.checked == db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))


def test_edited_row_is_named(db):
    seqs = _append(db, 3)
    _allow_tampering(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == seqs[1]).values(actor_username="someone-else"))
    db.expire_all()
    report = audit_service.verify(db)
    assert (report.ok, report.broken_seq) == (False, seqs[1])
    assert report.reason == f"row {seqs[1]} content does not match its hash"


def test_deleted_row_is_named(db):
    seqs = _append(db, 3)
    _allow_tampering(db)
    db.execute(delete(AuditEvent).where(AuditEvent.seq == seqs[1]))
    db.expire_all()
    report = audit_service.verify(db)
    assert (report.ok, report.broken_seq) == (False, seqs[1])
    assert report.reason == f"row {seqs[1]} is missing (next row present is {seqs[2]})"


def test_rehashed_edit_still_breaks_the_next_link(db):
    seqs = _append(db, 3)
    _allow_tampering(db)
    row = db.get(AuditEvent, seqs[1])
    row.detail = "rewritten"
    row.hash = audit_service._digest(row)
    db.flush()
    db.expire_all()
    report = audit_service.verify(db)
    assert (report.ok, report.broken_seq) == (False, seqs[2])


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET detail = 'x'", "DELETE FROM audit_event"])
def test_database_refuses_update_and_delete(db, statement):
    _append(db, 1)
    with pytest.raises(DBAPIError) as raised, db.begin_nested():
        db.execute(text(statement))
    assert "append-only" in str(raised.value)


def test_admin_write_records_who_what_when_and_field_changes(client, db):
    signed_in(client, "admin")
    teller = user_id(db, "teller")
    token = csrf_from(client.get(f"/admin/users/{teller}").text)
    client.post(
        f"/admin/users/{teller}",
        data={
            "csrf_token": token,
            "display_name": "刘洋 Liu Yang (senior)",
            "org_unit_id": str(user_unit(db, "teller")),
        },
    )
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (event.actor_username, event.action, event.entity_type, event.entity_id) == (
        "admin",
        "user.update",
        "user",
        str(teller),
    )
    assert json.loads(event.changes) == {"display_name": ["刘洋 Liu Yang", "刘洋 Liu Yang (senior)"]}
    assert event.ip == "testclient" and event.occurred_at.tzinfo is not None


def user_unit(db, username: str) -> int:  # type: ignore[no-untyped-def]
    return db.query(User).filter_by(username=username).one().org_unit_id
