"""Scoring a month with the champion: a calibrated probability for every eligible customer, and reasons in
data form (put into words when read) for the likeliest share of them.

The month is read and built a block of customers at a time; only the float32 features and the probabilities of
the scored customers are kept (the likeliest share is a cut over the whole month), and the scores are written a
block at a time with their reasons."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
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

NONE = "[]"  # the stored reasons of a customer whose reasons were not worked out (or none holds)


def explained(prob: np.ndarray) -> np.ndarray:
    """Which rows get reasons: everyone at or above the warning threshold (they are warned) and the likeliest
    ``reason_share`` of the month, counted in rows (pred_contrib costs several predictions a row).

    A count, not a probability cut: calibrated probabilities are steps, so a cut at a quantile can land on a step
    most customers share and take them all."""
    s = catalogue.settings()
    chosen = prob >= s.warning_threshold
    take = math.ceil(s.reason_share * len(prob))
    if take:
        chosen[np.argsort(-prob, kind="stable")[:take]] = True
    return chosen & (prob > 0)


def reasons_of(model: learn.Loaded, x: np.ndarray, chosen: np.ndarray) -> list[list[dict[str, Any]]]:
    """Reasons of the chosen rows, an empty list for the rest."""
    out: list[list[dict[str, Any]]] = [[] for _ in range(len(x))]
    picked = np.flatnonzero(chosen)
    for i, r in zip(picked, reasons.explain(model, x[picked], catalogue.settings().top_reasons), strict=True):
        out[int(i)] = r
    return out


def score_frame(model: learn.Loaded, rows: pl.DataFrame) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """(probabilities, reasons) of feature rows (see ``explained`` for who gets reasons)."""
    prob, x = pipeline.score(model, rows)
    return prob, reasons_of(model, x, explained(prob))


def score_blocks(
    model: learn.Loaded,
    model_id: int,
    frames: Iterable[pl.DataFrame],
    month: date,
    write: Callable[[list[dict[str, Any]]], None],
) -> int:
    """Score the month's eligible customers of snapshot blocks (each with the months its lags read) and hand the
    score rows to ``write`` a block at a time; the number scored."""
    s = catalogue.settings()
    ids, xs, probs = [], [], []
    for frame in frames:
        feats = features.build(frame, s, month).filter((pl.col("month") == month) & pl.col("eligible"))
        del frame
        prob, x = pipeline.score(model, feats)
        ids.append(feats["customer_id"].to_numpy())
        xs.append(x)
        probs.append(prob)
    if not ids:
        return 0
    cid, prob = np.concatenate(ids), np.concatenate(probs)
    chosen = explained(prob)
    done = 0
    for x in xs:  # a block at a time: the reasons of one block are the only Python objects held
        part = slice(done, done + len(x))
        picked = np.flatnonzero(chosen[part])
        texts = [NONE] * len(x)  # most customers: no reasons worked out, one shared text
        for i, r in zip(picked, reasons.explain(model, x[picked], s.top_reasons), strict=True):
            texts[int(i)] = json.dumps(r, ensure_ascii=False)
        rounded = [round(p, 6) for p in prob[part].tolist()]
        write(
            [
                {"month": month, "customer_id": c, "model_id": model_id, "probability": p, "reasons": r}
                for c, p, r in zip(cid[part].tolist(), rounded, texts, strict=True)
            ]
        )
        done += len(x)
    return done


def score_month(db: Session, month: date, champion: ChurnModel) -> int:
    """Replace the month's scores with the champion's; the number of customers scored. Flush only."""
    s = catalogue.settings()
    first = add_months(month, -(max(s.average_months, 6) + 1))
    frames = repository.snapshot_blocks(db, first, month, s.block_customers)
    now = utcnow()
    repository.delete_scores(db, month)
    scored = score_blocks(
        learn.load(champion.model_text), champion.id, frames, month, lambda rows: repository.write_scores(db, rows, now)
    )
    db.flush()
    return scored
