"""Deliver pending messages: e-mail over SMTP, SMS and WeChat as files the channel systems pick up.

Each message's result is recorded on its row (sent, or failed with the attempt counted and the
error). Delivery is at least once: if the job's transaction is lost after a send, the message is
sent again by the next run.
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
    failed: int


def deliver(db: Session, settings: Settings) -> DeliverReport:
    """Send every pending message, BATCH at a time; one SMTP connection per batch of e-mail."""
    sent = failed = 0
    while batch := repository.pending(db, BATCH):
        emails = [m for m in batch if m.channel == "email"]
        for message, error in _send_emails(settings, emails):
            ok = _settle(message, error)
            sent, failed = sent + ok, failed + (not ok)
        for message in (m for m in batch if m.channel != "email"):
            ok = _settle(message, _write_file(settings.outbox_dir, message))
            sent, failed = sent + ok, failed + (not ok)
        db.flush()
    return DeliverReport(sent, failed)


def _settle(message: OutboxMessage, error: str | None) -> bool:
    """Record one attempt's result on the message; whether it was delivered."""
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, utcnow(), None
        return True
    message.status, message.last_error = OutboxStatus.FAILED, error[:2000]
    return False


def _send_emails(settings: Settings, messages: list[OutboxMessage]) -> list[tuple[OutboxMessage, str | None]]:
    """Each e-mail with its error (None: accepted by the SMTP server)."""
    if not messages:
        return []
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
    except (OSError, smtplib.SMTPException) as exc:
        return [(m, f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") for m in messages]
    results: list[tuple[OutboxMessage, str | None]] = []
    with smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        for message in messages:
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = settings.smtp_from, message.recipient, message.subject
            mail.set_content(message.body)
            try:
                smtp.send_message(mail)
                results.append((message, None))
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                results.append((message, f"{code} {reason.decode(errors='replace')}"))
                smtp.rset()
            except (OSError, smtplib.SMTPException) as exc:
                results.append((message, f"{type(exc).__name__}: {exc}"))
    return results


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
