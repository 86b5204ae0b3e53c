"""Write a message to a customer in the caller's transaction: it exists only if the business change commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.job import OutboxMessage, OutboxStatus
from bankcrm.outbox import repository

CHANNELS = ("email", "sms", "wechat")
UNKNOWN_CHANNEL = N_("Choose e-mail, SMS or WeChat.")
NO_RECIPIENT = N_("Enter the recipient.")
NO_BODY = N_("Enter the message.")
LONG_RECIPIENT = N_("The recipient may have at most %(max)s characters.")
MAX_RECIPIENT = 200
MAX_SUBJECT = 200


def enqueue(db: Session, *, channel: str, recipient: str, body: str, subject: str = "") -> OutboxMessage:
    """A pending message; the deliver-outbox job sends it after commit (nothing is sent from a request)."""
    errors = []
    if channel not in CHANNELS:
        errors.append(FieldError("channel", UNKNOWN_CHANNEL))
    if not recipient.strip():
        errors.append(FieldError("recipient", NO_RECIPIENT))
    elif len(recipient.strip()) > MAX_RECIPIENT:
        errors.append(FieldError("recipient", LONG_RECIPIENT, {"max": MAX_RECIPIENT}))
    if not body.strip():
        errors.append(FieldError("body", NO_BODY))
    if errors:
        raise ValidationFailed(errors=errors)
    row = OutboxMessage(
        channel=channel,
        recipient=recipient.strip(),
        subject=subject[:MAX_SUBJECT],
        body=body,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=utcnow(),
    )
    return repository.add(db, row)
