"""Backtest: score a past month with a model as if it were that month, then look at who really left within the
horizon: precision, recall and lift of the top k and of those above the warning threshold, beside the recency
rule warning the same number of customers."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from bankcrm.churn import catalogue, repository, schemas
from bankcrm.churn.service import learn, metrics, train
from bankcrm.errors import NotFound
from bankcrm.kit.i18n import N_

NO_CHAMPION = N_("No churn model yet: train one first (bankcrm models train churn).")
NOT_LABELLED = N_(
    "That month has no outcome yet, or no snapshot: choose a month at least the horizon before the newest."
)


class BacktestError(ValueError):
    """A month that cannot be backtested, or no model; the message is an N_() id."""


def _figures(y: np.ndarray, score: np.ndarray, k: int, above: np.ndarray | None) -> dict[str, float | int]:
    _, precision, recall, lift = metrics.lift_at(y, score, k / len(y))
    out: dict[str, float | int] = {
        "auc": metrics.ranking(y, score)["auc"],
        "precision_at_k": precision,
        "recall_at_k": recall,
        "lift_at_k": lift,
        "churned_in_top_k": round(precision * k),
    }
    if above is not None:
        n = int(above.sum())
        hits = int(y[above].sum())
        out |= {
            "warned": n,
            "churned_of_warned": hits,
            "precision_at_threshold": round(hits / n, 4) if n else 0.0,
            "recall_at_threshold": round(hits / float(y.sum()), 4) if y.sum() else 0.0,
        }
    return out


def backtest(db: Session, month: date, model_id: int | None = None) -> schemas.BacktestRead:
    """The figures for ``month`` with the model (default: the champion). Raises BacktestError or NotFound."""
    s = catalogue.settings()
    row = repository.model(db, model_id) if model_id is not None else repository.champion(db, train.TARGET)
    if row is None:
        if model_id is not None:
            raise NotFound(N_("No such model."))
        raise BacktestError(NO_CHAMPION)
    rows = train.labelled_rows(db, None, month)
    if rows.height == 0 or int(rows.y.sum(dtype=np.int64)) in (0, rows.height):
        raise BacktestError(NOT_LABELLED)
    model = learn.load(row.model_text)
    prob = model.calibrator(learn.predict(model.booster, rows.recode(model.categories)))
    y = rows.y.astype(np.float64)
    k = max(1, round(len(y) * s.top_k_share))
    return schemas.BacktestRead(
        month=f"{month:%Y-%m}",
        model_id=row.id,
        customers=len(y),
        churned=int(y.sum()),
        base_rate=round(float(y.mean()), 4),
        top_k=k,
        threshold=s.warning_threshold,
        model=_figures(y, prob, k, prob >= s.warning_threshold),
        recency=_figures(y, rows.recency(), k, None),
    )
