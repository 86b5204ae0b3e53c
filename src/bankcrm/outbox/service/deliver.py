"""Deliver pending messages: e-mail over SMTP, SMS and WeChat as files the channel systems pick up.

Each message's result is recorded on its row (the attempt counted, and the error). A message the
other side refused for good (an SMTP 5xx answer: no such mailbox) fails at once; one that met a
passing problem (no server, a 4xx answer, a full disk) stays pending and is tried again by the next
run, until ``outbox_max_attempts`` attempts have failed. Delivery is at least once: if the job's
transaction is lost after a send, the message is sent again by the next run.
"""

from __future__ import annotations

import json
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import utcnow
from bankcrm.models.job import OutboxMessage, OutboxStatus
from bankcrm.outbox import repository

BATCH = 500


@dataclass(frozen=True)
class DeliverReport:
    """What one delivery run did."""

    sent: int
    failed: int  # given up: refused for good, or out of attempts
    retrying: int = 0  # failed this time, tried again by the next run


def deliver(db: Session, settings: Settings) -> DeliverReport:
    """Send every pending message, BATCH at a time; one SMTP connection per batch of e-mail."""
    counts: dict[str, int] = {OutboxStatus.SENT: 0, OutboxStatus.FAILED: 0, OutboxStatus.PENDING: 0}
    last_id = 0  # a message left pending for a retry is not tried twice in one run
    while batch := repository.pending(db, BATCH, last_id):
        last_id = batch[-1].id
        emails = [m for m in batch if m.channel == "email"]
        results = _send_emails(settings, emails)
        results += [(m, _write_file(settings.outbox_dir, m), False) for m in batch if m.channel != "email"]
        for message, error, final in results:
            counts[_settle(message, error, final, settings.outbox_max_attempts)] += 1
        db.flush()
    return DeliverReport(counts[OutboxStatus.SENT], counts[OutboxStatus.FAILED], counts[OutboxStatus.PENDING])


def _settle(message: OutboxMessage, error: str | None, final: bool, max_attempts: int) -> str:
    """Record one attempt's result on the message; where it now stands."""
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, utcnow(), None
    else:
        given_up = final or message.attempts >= max_attempts
        message.status = OutboxStatus.FAILED if given_up else OutboxStatus.PENDING
        message.last_error = error[:2000]
    return message.status


# (message, error or None when accepted, whether the error is final: the server refused for good)
Result = tuple[OutboxMessage, str | None, bool]


def _send_emails(settings: Settings, messages: list[OutboxMessage]) -> list[Result]:
    """Each e-mail with its error (None: accepted by the SMTP server) and whether the error is final."""
    if not messages:
        return []
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
    except (OSError, smtplib.SMTPException) as exc:
        return [(m, f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}", False) for m in messages]
    results: list[Result] = []
    with smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        for message in messages:
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = settings.smtp_from, message.recipient, message.subject
            mail.set_content(message.body)
            try:
                smtp.send_message(mail)
                results.append((message, None, False))
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                results.append((message, f"{code} {reason.decode(errors='replace')}", code >= 500))
                smtp.rset()
            except smtplib.SMTPResponseException as exc:
                results.append((message, f"{exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code >= 500))
            except (OSError, smtplib.SMTPException) as exc:
                results.append((message, f"{type(exc).__name__}: {exc}", False))
    return results


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _write_file(root: Path, message: OutboxMessage) -> str | None:
    """The message as ROOT/CHANNEL/ID.json, written whole (temporary name, then renamed); the error, if any."""
    folder = root / message.channel
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{message.id}.json"
        partial = folder / f".{message.id}.json.part"
        document = {
            "id": message.id,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        }
        partial.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
