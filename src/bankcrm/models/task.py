"""Follow-up tasks for staff; maturity tasks come from the nightly batch, one per holding and maturity date."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class TaskStatus(StrEnum):
    """The states of the ``task`` workflow (workflow_state.csv; a test keeps them equal)."""

    OPEN = "OPEN"
    DONE = "DONE"


class Task(Base):
    """A task for one user about one customer (a maturity follow-up, for now)."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # code_item task_kind
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    holding_kind: Mapped[str | None] = mapped_column(String(12))  # account | loan
    holding_id: Mapped[int | None]
    product_code: Mapped[str | None] = mapped_column(String(20))
    maturity_date: Mapped[date | None] = mapped_column(index=True)
    window_days: Mapped[int | None]  # the reminder window the task was last raised in (30, 7, 1 ...)
    due_date: Mapped[date]
    amount_due: Mapped[int | None] = mapped_column(BigInteger)  # fen
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.OPEN.value)  # workflow task
    outcome: Mapped[str | None] = mapped_column(String(20))  # code_item maturity_outcome
    amount_kept: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "holding_kind", "holding_id", "maturity_date"),)
