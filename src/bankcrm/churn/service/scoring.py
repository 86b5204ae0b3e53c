"""Scoring a month with the champion: a calibrated probability for every eligible customer, and reasons in
data form (put into words when read) for the likeliest share of them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from bankcrm.churn import catalogue, repository
from bankcrm.churn.service import features, learn, pipeline, reasons
from bankcrm.insight.service.compute import add_months
from bankcrm.kit.time import utcnow
from bankcrm.models.churn import ChurnModel


def score_frame(model: learn.Loaded, rows: pl.DataFrame) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """(probabilities, reasons) of feature rows; reasons only for the likeliest ``reason_share`` or anyone at or
    above the warning threshold, the rest an empty list (pred_contrib costs several predictions)."""
    s = catalogue.settings()
    prob, x = pipeline.score(model, rows)
    out: list[list[dict[str, Any]]] = [[] for _ in range(len(prob))]
    if len(prob) == 0:
        return prob, out
    cut = np.quantile(prob, 1 - s.reason_share) if s.reason_share < 1 else -1.0
    chosen = np.flatnonzero((prob >= min(cut, s.warning_threshold)) & (prob > 0))
    for i, r in zip(chosen, reasons.explain(model, x[chosen], s.top_reasons), strict=True):
        out[int(i)] = r
    return prob, out


def score_month(db: Session, month: date, champion: ChurnModel) -> int:
    """Replace the month's scores with the champion's; the number of customers scored. Flush only."""
    s = catalogue.settings()
    first = add_months(month, -(max(s.average_months, 6) + 1))
    frame = repository.snapshot_frame(db, first, month)
    feats = features.build(frame, s, month).filter((pl.col("month") == month) & pl.col("eligible"))
    model = learn.load(champion.model_text)
    prob, why = score_frame(model, feats)
    ids = feats["customer_id"].to_list()
    rows = [
        {
            "month": month,
            "customer_id": cid,
            "model_id": champion.id,
            "probability": round(float(p), 6),
            "reasons": json.dumps(r, ensure_ascii=False),
        }
        for cid, p, r in zip(ids, prob, why, strict=True)
    ]
    repository.replace_scores(db, month, rows, utcnow())
    db.flush()
    return len(rows)
