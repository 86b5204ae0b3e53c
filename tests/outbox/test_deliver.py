"""The outbox: a message exists only if its business change commits; the job sends e-mail over real SMTP
and writes SMS and WeChat messages as files, recording each result."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from bankcrm.config import Settings
from bankcrm.errors import ValidationFailed
from bankcrm.jobs.service import runs
from bankcrm.models.job import JobRun, OutboxMessage
from bankcrm.outbox.service import enqueue
from tests.outbox.smtp_server import smtp_server


def factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def deliver(connection: Connection, settings: Settings) -> JobRun:
    """Run the deliver-outbox step as the CLI does; its run record."""
    [step] = runs.run_steps(factory(connection), settings, ["deliver-outbox"])
    with factory(connection)() as db:
        run = db.get(JobRun, step.run_id)
        assert run is not None
        return run


def messages(db: Session) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_email_is_received_by_the_smtp_server_and_an_undeliverable_one_fails(
    db: Session, connection: Connection, settings: Settings
) -> None:
    # Given two e-mails written with a business change, one to an address the server refuses
    enqueue(
        db, channel="email", recipient="wang@example.com", subject="您的定期存款即将到期", body="尊敬的客户：\n您好。"
    )
    enqueue(db, channel="email", recipient="nobody@example.com", subject="Maturity", body="Dear customer")
    db.commit()
    with smtp_server(refused={"nobody@example.com"}) as (port, mailbox):
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "crm@bank.cn"})
        # When the deliver-outbox step runs
        run = deliver(connection, local)
    # Then the server received exactly the first, with its recipient, sender and subject
    assert [(sender, rcpts) for sender, rcpts, _ in mailbox.messages] == [("crm@bank.cn", ["wang@example.com"])]
    received = email.message_from_bytes(mailbox.messages[0][2], policy=policy.default)
    assert (received["From"], received["To"], received["Subject"]) == (
        "crm@bank.cn",
        "wang@example.com",
        "您的定期存款即将到期",
    )
    assert received.get_content() == "尊敬的客户：\r\n您好。\r\n"  # lines end in CRLF on the wire
    # And the first is sent, the second failed after one attempt with the server's answer
    sent, failed = messages(db)
    assert (sent.status, sent.attempts, sent.last_error, sent.sent_at is not None) == ("sent", 1, None, True)
    assert (failed.status, failed.attempts, failed.last_error, failed.sent_at) == (
        "failed",
        1,
        "550 No such user here",
        None,
    )
    # And the run is recorded: two messages attempted
    assert (run.job_code, run.outcome, run.trigger, run.rows, run.detail, run.error) == (
        "deliver-outbox",
        "ok",
        "cli",
        2,
        "1 sent, 1 failed, 0 to retry",
        None,
    )
    # When the step runs again, nothing is sent twice
    with smtp_server() as (port, mailbox):
        again = deliver(connection, settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}))
    assert (mailbox.messages, again.rows, again.detail) == ([], 0, "0 sent, 0 failed, 0 to retry")


def test_no_smtp_server_leaves_the_email_for_the_next_run_until_its_attempts_run_out(
    db: Session, connection: Connection, settings: Settings
) -> None:
    # Given an e-mail, at most two attempts, and no server listening on the configured port
    enqueue(db, channel="email", recipient="wang@example.com", subject="Hello", body="Body")
    db.commit()
    with smtp_server() as (port, _):
        pass  # the port is free again once the server is closed
    local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "outbox_max_attempts": 2})
    # When the step runs
    run = deliver(connection, local)
    # Then the message waits for the next run after one attempt, naming the server
    [message] = messages(db)
    assert (message.status, message.attempts) == ("pending", 1)
    assert (message.last_error or "").startswith(f"SMTP 127.0.0.1:{port}: ")
    assert (run.outcome, run.rows, run.detail) == ("ok", 1, "0 sent, 0 failed, 1 to retry")
    # When it runs again with the server still down, the second attempt is the last: the message failed
    again = deliver(connection, local)
    [message] = messages(db)
    assert (message.status, message.attempts, again.detail) == ("failed", 2, "0 sent, 1 failed, 0 to retry")
    # And a third run leaves it alone
    assert deliver(connection, local).detail == "0 sent, 0 failed, 0 to retry"


def test_an_email_that_met_no_server_is_sent_when_the_server_is_back(
    db: Session, connection: Connection, settings: Settings
) -> None:
    # Given an e-mail whose first attempt found no server
    enqueue(db, channel="email", recipient="wang@example.com", subject="Hello", body="Body")
    db.commit()
    with smtp_server() as (port, _):
        pass
    deliver(connection, settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}))
    # When the server is back and the step runs again
    with smtp_server() as (port, mailbox):
        run = deliver(connection, settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}))
    # Then the server received it once and it is sent on its second attempt, its error cleared
    assert [rcpts for _, rcpts, _ in mailbox.messages] == [["wang@example.com"]]
    [message] = messages(db)
    assert (message.status, message.attempts, message.last_error, run.detail) == (
        "sent",
        2,
        None,
        "1 sent, 0 failed, 0 to retry",
    )


def test_sms_and_wechat_are_written_as_files_for_the_channel_systems(
    db: Session, connection: Connection, settings: Settings, tmp_path: Path
) -> None:
    # Given an SMS and a WeChat message
    sms = enqueue(db, channel="sms", recipient="13800000001", body="您的理财产品明日到期。")
    wechat = enqueue(
        db, channel="wechat", recipient="o6_bmjrPTlm6_2sgVt7hMZOPfL2M", subject="到期提醒", body="明日到期"
    )
    db.commit()
    # When the step runs with the files going to a folder
    run = deliver(connection, settings.model_copy(update={"outbox_dir": tmp_path}))
    # Then each is one JSON file in its channel's folder, with nothing half-written left beside it
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "sms",
        f"sms/{sms.id}.json",
        "wechat",
        f"wechat/{wechat.id}.json",
    ]
    document = json.loads((tmp_path / "sms" / f"{sms.id}.json").read_text(encoding="utf-8"))
    assert {k: document[k] for k in ("id", "channel", "recipient", "subject", "body")} == {
        "id": sms.id,
        "channel": "sms",
        "recipient": "13800000001",
        "subject": "",
        "body": "您的理财产品明日到期。",
    }
    assert [(m.channel, m.status, m.attempts) for m in messages(db)] == [("sms", "sent", 1), ("wechat", "sent", 1)]
    assert (run.rows, run.detail) == (2, "2 sent, 0 failed, 0 to retry")


def test_a_message_is_written_only_with_its_business_change_and_bad_input_names_the_fields(db: Session) -> None:
    # Given a message written in a transaction that is then rolled back
    with db.begin_nested() as change:
        enqueue(db, channel="sms", recipient="13800000001", body="Hello")
        change.rollback()
    # Then there is no message
    assert messages(db) == []
    # And a message with an unknown channel, no recipient and no body is refused field by field
    with pytest.raises(ValidationFailed) as refused:
        enqueue(db, channel="fax", recipient=" ", body="")
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("channel", "Choose e-mail, SMS or WeChat."),
        ("recipient", "Enter the recipient."),
        ("body", "Enter the message."),
    ]
    with pytest.raises(ValidationFailed) as long:
        enqueue(db, channel="email", recipient="a" * 190 + "@example.com", body="Hi")
    assert [(e.field, e.message, e.params) for e in long.value.errors] == [
        ("recipient", "The recipient may have at most %(max)s characters.", {"max": 200})
    ]
    assert messages(db) == []
