"""Batch-job run records and the outbox of messages to customers, delivered by a job after commit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class JobOutcome(StrEnum):
    """Where a run record stands: waiting for the batch, or how the step ended."""

    QUEUED = "queued"
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobTrigger(StrEnum):
    """Who started a run."""

    USER = "user"
    CLI = "cli"
    NIGHTLY = "nightly"


class OutboxStatus(StrEnum):
    """Where a message to a customer stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class JobRun(Base):
    """One run of one batch step: queued by a request, or run by the CLI, the nightly batch or a user."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_code: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(10), index=True)  # queued | running | ok | failed | skipped
    trigger: Mapped[str] = mapped_column(String(10))  # user | cli | nightly
    triggered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    queued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    rows: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str | None] = mapped_column(Text)  # the step's one-line summary
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxMessage(Base):
    """A message to send, written in the business change's transaction; the deliver-outbox job sends it."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms | wechat
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING, index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
