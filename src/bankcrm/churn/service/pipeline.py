"""The snapshot pipeline: time-based split (train on months ≤ T−gap, validate on T), LightGBM, calibration on T,
the card's figures beside the recency rule; and scoring a month with a stored model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from bankcrm.churn import catalogue
from bankcrm.churn.catalogue import Settings
from bankcrm.churn.service import learn, metrics
from bankcrm.churn.service.features import CATEGORICAL, FEATURES, month_index
from bankcrm.churn.service.rows import Labelled, gather

BASELINE = "recency"  # the simple rule beside every model: the longer since the last transaction, the likelier


class NotEnoughHistory(ValueError):
    """Too few labelled months, or one class only, to train and validate."""


def matrix(frame: pl.DataFrame, categories: dict[str, list[str]]) -> np.ndarray:
    """The FEATURES as float32 columns; a category the model never saw, or none, is missing."""
    cols = []
    for name in FEATURES:
        if name in categories:
            codes = {v: i for i, v in enumerate(categories[name])}
            cols.append(frame[name].replace_strict(codes, default=None, return_dtype=pl.Float32).fill_null(np.nan))
        else:
            cols.append(frame[name].cast(pl.Float32).fill_null(np.nan))
    return np.column_stack([c.to_numpy() for c in cols]).astype(np.float32, copy=False)


@dataclass(frozen=True)
class Trained:
    """A fitted model, its calibration, and its card."""

    booster: lgb.Booster
    calibrator: learn.Calibrator
    categories: dict[str, list[str]]
    card: dict[str, Any]

    def text(self) -> str:
        """The model as stored."""
        return learn.save(self.booster, self.calibrator, self.categories)


def labelled(features: pl.DataFrame) -> pl.DataFrame:
    """Eligible rows whose horizon is over."""
    return features.filter(pl.col("eligible") & pl.col("label").is_not_null())


def _month(mi: int) -> date:
    return date(mi // 12, mi % 12 + 1, 1)


def validation_month(rows: Labelled) -> date:
    """The newest labelled month (the one the card is measured on)."""
    if rows.height == 0:
        raise NotEnoughHistory("no month has its horizon over yet")
    return _month(int(rows.mi.max()))


def split(rows: Labelled, s: Settings, validate: date) -> tuple[Labelled, Labelled]:
    """(training rows: months ≤ validate − gap, a seeded sample above the row limit, in their order; validation
    rows: that month)."""
    limit = month_index(validate) - s.validation_gap_months
    index = np.flatnonzero(rows.mi <= limit)
    if len(index) > s.max_train_rows:
        pick = np.random.default_rng(s.seed).choice(len(index), size=s.max_train_rows, replace=False)
        index = index[np.sort(pick)]
    train, valid = rows.take(index), rows.take(np.flatnonzero(rows.mi == month_index(validate)))
    for name, part in (("training", train), ("validation", valid)):
        positives = int(part.y.sum(dtype=np.int64))
        if positives == 0 or positives == part.height:
            raise NotEnoughHistory(f"the {name} rows hold one class only ({part.height} rows, {positives} churned)")
    return train, valid


def card(
    train: Labelled,
    valid: Labelled,
    y_valid: np.ndarray,
    raw: np.ndarray,
    prob: np.ndarray,
    booster: lgb.Booster,
    p: dict[str, Any],
    rounds: int,
    s: Settings,
) -> dict[str, Any]:
    """The model card: data window, rows, figures on the validation month beside the recency rule, calibration."""
    first, last = _month(int(train.mi.min())), _month(int(train.mi.max()))
    return {
        "kind": "snapshot",
        "label": {
            "horizon_months": s.horizon_months,
            "aum_fraction": s.aum_fraction,
            "average_months": s.average_months,
            "definition": "AUM below aum_fraction of its average over average_months, or every account closed, "
            "within horizon_months",
        },
        "data_window": {"first_month": str(first)[:7], "last_training_month": str(last)[:7]},
        "validation_month": _month(int(valid.mi[0])).strftime("%Y-%m"),
        "rows": {"training": train.height, "validation": valid.height},
        "churn_rate": {
            "training": round(float(train.y.mean(dtype=np.float64)), 4),
            "validation": round(float(y_valid.mean()), 4),
        },
        "metrics": metrics.ranking(y_valid, raw),
        "baseline": {"name": BASELINE, **metrics.ranking(y_valid, valid.recency())},
        "calibration": metrics.calibration(y_valid, prob),
        "calibration_method": "isotonic on the validation month",
        "top_features": learn.top_features(booster),
        "features": list(FEATURES),
        "params": {k: v for k, v in sorted(p.items()) if k not in ("verbosity",)} | {"num_boost_round": rounds},
    }


def rows_of(features: pl.DataFrame | Labelled) -> Labelled:
    """Labelled rows of a features frame (one block), or the rows already gathered."""
    return features if isinstance(features, Labelled) else gather([features])


def train(features: pl.DataFrame | Labelled, s: Settings, validate: date | None = None, **override: Any) -> Trained:
    """Fit on the training months, calibrate and measure on the validation month (the newest labelled one)."""
    rows = rows_of(features)
    validate = validate or validation_month(rows)
    tr, va = split(rows, s, validate)
    del rows  # the caller's copy may live on; ours is not needed past the split
    cats = tr.categories()
    p = learn.params(s, **{k: v for k, v in override.items() if k != "num_boost_round"})
    rounds = int(override.get("num_boost_round", s.num_boost_round))
    booster = learn.fit(
        tr.recode(cats, in_place=True), tr.y.astype(np.float32), list(FEATURES), list(CATEGORICAL), p, rounds
    )
    y_valid = va.y.astype(np.float64)
    raw = learn.predict(booster, va.recode(cats, in_place=True))
    calibrator = learn.Calibrator.fitted(raw, y_valid)
    prob = calibrator(raw)
    return Trained(booster, calibrator, cats, card(tr, va, y_valid, raw, prob, booster, p, rounds, s))


def evaluate(model: learn.Loaded, features: pl.DataFrame | Labelled, month: date) -> dict[str, float]:
    """A stored model's ranking figures on a month's labelled rows (the champion against a challenger)."""
    rows = rows_of(features)
    part = rows.take(np.flatnonzero(rows.mi == month_index(month)))
    raw = learn.predict(model.booster, part.recode(model.categories))
    return metrics.ranking(part.y.astype(np.float64), raw)


def score(model: learn.Loaded, rows: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated probability, feature matrix) of these rows."""
    x = matrix(rows, model.categories)
    return model.calibrator(learn.predict(model.booster, x, catalogue.settings().score_threads)), x
