"""Customer lifecycle: each customer's current stage, the history of its moves, and the playbook tasks raised.

Stages are the code table ``lifecycle_stage``; the rules that move a customer and the playbook are catalogues
(reference_data/catalogue/lifecycle_rule.csv, lifecycle_playbook.csv). Written only by the ``lifecycle`` step.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class CustomerStage(Base):
    """A customer's stage now: the stage of the newest month evaluated, since the month it was entered."""

    __tablename__ = "customer_stage"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(12))  # code_item lifecycle_stage
    since: Mapped[date]  # the first day of the month the stage was entered
    rule: Mapped[str] = mapped_column(String(30))  # lifecycle_rule.csv code that moved it there
    month: Mapped[date]  # the newest month evaluated
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_customer_stage_stage", "stage"),)


class CustomerStageHistory(Base):
    """One move of one customer in one month: from which stage to which, by which rule, on which figures."""

    __tablename__ = "customer_stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    month: Mapped[date]
    from_stage: Mapped[str | None] = mapped_column(String(12))  # None: first evaluated
    to_stage: Mapped[str] = mapped_column(String(12))
    rule: Mapped[str] = mapped_column(String(30))
    figures: Mapped[str] = mapped_column(Text)  # JSON: the figures the rule read, by name
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("customer_id", "month"),
        Index("ix_customer_stage_history_month", "month", "to_stage"),
    )


class LifecycleTask(Base):
    """The playbook task raised for one stage entry: its key makes a rerun raise none again."""

    __tablename__ = "lifecycle_task"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(12), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
