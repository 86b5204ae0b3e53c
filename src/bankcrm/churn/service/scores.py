"""The month's churn scores for other modules (the warnings workflow): who, how likely, why, in both languages.

No scope here: the caller is the nightly batch raising warnings for each customer's own manager."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.churn import catalogue, repository
from bankcrm.churn.service import reasons


@dataclass(frozen=True)
class Score:
    """One customer's score for a month, with the reasons as data and in words."""

    customer_id: int
    month: date
    model_id: int
    probability: float
    reasons: list[dict[str, Any]]  # [{code, weight, values}]

    def words(self, locale: str) -> list[str]:
        """The reasons in the reader's language."""
        return reasons.words(self.reasons, locale)

    def sentence(self, locale: str) -> str:
        """The reasons as one line."""
        return reasons.sentence(self.reasons, locale)


def newest_month(db: Session) -> date | None:
    """The newest month scored."""
    months = repository.scored_months(db)
    return months[-1] if months else None


def rows(db: Session, month: date, min_probability: float | None = None) -> list[Score]:
    """The month's scores at or above ``min_probability`` (default: the warning threshold), likeliest first."""
    cut = catalogue.settings().warning_threshold if min_probability is None else min_probability
    return [
        Score(s.customer_id, s.month, s.model_id, s.probability, json.loads(s.reasons))
        for s in repository.month_scores(db, month, cut)
    ]
