"""The churn model's newest scores taken in as warnings: customers at or above the model's warning threshold."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.churn.service import scores
from bankcrm.earlywarning.service.intake import Intake, ModelCandidate, raise_from_model


def take_in(db: Session, today: date) -> Intake:
    """Warnings for the newest scored month's customers above the threshold (none before a model has scored)."""
    month = scores.newest_month(db)
    if month is None:
        return Intake(0, 0, 0)
    candidates = [
        ModelCandidate(
            customer_id=s.customer_id,
            probability=s.probability,
            reasons=s.words("en"),
            model_id=str(s.model_id),
            month=s.month,
            reasons_zh=tuple(s.words("zh_CN")),
        )
        for s in scores.rows(db, month)
    ]
    return raise_from_model(db, candidates, today=today) if candidates else Intake(0, 0, 0)
