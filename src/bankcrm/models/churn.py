"""Churn models and scores: every trained model with its card and its file, and each month's scores.

The model file (LightGBM's own model text with the calibration) is kept in the database beside its card rather
than under a data directory: it is a few hundred kilobytes, it must be exactly the model the card describes,
and every web worker and the nightly batch then read the same model, backed up and restored with the rest.
Statuses are the code table ``model_status``. Written only by the churn module.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class ChurnModel(Base):
    """One trained model: what it predicts, its status, its card (JSON) and the model file's text."""

    __tablename__ = "churn_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(20))  # what it predicts: "churn"
    source: Mapped[str] = mapped_column(String(20))  # "snapshot" or "file"
    status: Mapped[str] = mapped_column(String(12))  # code_item model_status
    validation_month: Mapped[date | None]  # snapshot models: the month the card is measured on
    auc: Mapped[float] = mapped_column(Float)  # the card's AUC (CV mean for a file), for lists and promotion
    baseline_auc: Mapped[float | None] = mapped_column(Float)
    card: Mapped[str] = mapped_column(Text)  # JSON, as GET /api/v1/models/{id} shows it
    model_text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")  # why it was (not) promoted
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_churn_model_status", "target", "status"),)


class ChurnScore(Base):
    """A customer's churn probability for a month from the champion of the day, with its reasons (JSON)."""

    __tablename__ = "churn_score"

    month: Mapped[date] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("churn_model.id"))
    probability: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)  # [{code, weight, values}], put into words when read
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_churn_score_customer", "customer_id", "month"),)
