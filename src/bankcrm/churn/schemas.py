"""What the models API returns: model cards, and a customer's churn scores with reasons in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

READ = "models.read"


class ModelSummary(BaseModel):
    """A model in a list: status, when, the validation month and its AUC beside the recency rule's."""

    id: int
    target: str
    source: str
    status: str
    status_label: str
    validation_month: str | None
    auc: float
    baseline_auc: float | None
    decision: str  # why it was or was not promoted, in words
    trained_at: datetime
    promoted_at: datetime | None


class ModelRead(ModelSummary):
    """A model with its whole card (data window, rows, AUC, PR-AUC, lift, calibration, top features...)."""

    card: dict[str, Any]


class ScoreRead(BaseModel):
    """A customer's churn probability for a month, the model that gave it and the reasons in words."""

    month: str
    model_id: int
    probability: float
    reasons: list[str]
    reasons_note: str | None = None  # why there are no reasons, when there are none


class CustomerChurnRead(BaseModel):
    """A customer's churn scores, newest month first."""

    cif_no: str
    scores: list[ScoreRead]


class BacktestRead(BaseModel):
    """Of the warnings the model would have raised in a month, how many customers really left, beside the
    recency rule warning as many."""

    month: str
    model_id: int
    customers: int
    churned: int
    base_rate: float
    top_k: int
    threshold: float
    model: dict[str, float | int]
    recency: dict[str, float | int]
