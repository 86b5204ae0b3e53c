"""The snapshot pipeline: time-based split (train on months ≤ T−gap, validate on T), LightGBM, calibration on T,
the card's figures beside the recency rule; and scoring a month with a stored model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from bankcrm.churn.catalogue import Settings
from bankcrm.churn.service import learn, metrics
from bankcrm.churn.service.features import CATEGORICAL, FEATURES, month_index

BASELINE = "recency"  # the simple rule beside every model: the longer since the last transaction, the likelier


class NotEnoughHistory(ValueError):
    """Too few labelled months, or one class only, to train and validate."""


def categories_of(frame: pl.DataFrame) -> dict[str, list[str]]:
    """Each categorical column's values, sorted (their position is the code the model sees)."""
    return {c: sorted(v for v in frame[c].unique().to_list() if v is not None) for c in CATEGORICAL}


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


def recency(frame: pl.DataFrame) -> np.ndarray:
    """The baseline's score: days since the last transaction (never: longer than anyone)."""
    days = frame["days_since_txn"].to_numpy().astype(np.float64)
    return np.where(np.isnan(days), np.nanmax(days, initial=0.0) + 1, days)


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


def validation_month(features: pl.DataFrame, s: Settings) -> date:
    """The newest labelled month (the one the card is measured on)."""
    months = labelled(features)["month"].unique().sort()
    if months.is_empty():
        raise NotEnoughHistory("no month has its horizon over yet")
    return months[-1]  # type: ignore[no-any-return]


def split(features: pl.DataFrame, s: Settings, validate: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(training rows: months ≤ validate − gap, seeded sample above the row limit; validation rows: that month)."""
    rows = labelled(features)
    limit = month_index(validate) - s.validation_gap_months
    mi = pl.col("month").dt.year().cast(pl.Int32) * 12 + pl.col("month").dt.month().cast(pl.Int32) - 1
    train = rows.filter(mi <= limit)
    if train.height > s.max_train_rows:
        train = train.sample(n=s.max_train_rows, seed=s.seed).sort("customer_id", "month")
    valid = rows.filter(pl.col("month") == validate)
    for name, part in (("training", train), ("validation", valid)):
        positives = int(part["label"].sum()) if part.height else 0
        if positives == 0 or positives == part.height:
            raise NotEnoughHistory(f"the {name} rows hold one class only ({part.height} rows, {positives} churned)")
    return train, valid


def card(
    train: pl.DataFrame,
    valid: pl.DataFrame,
    y_valid: np.ndarray,
    raw: np.ndarray,
    prob: np.ndarray,
    booster: lgb.Booster,
    p: dict[str, Any],
    rounds: int,
    s: Settings,
) -> dict[str, Any]:
    """The model card: data window, rows, figures on the validation month beside the recency rule, calibration."""
    first, last = train["month"].min(), train["month"].max()
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
        "validation_month": valid["month"][0].strftime("%Y-%m"),
        "rows": {"training": train.height, "validation": valid.height},
        "churn_rate": {
            "training": round(float(train["label"].mean()), 4),  # type: ignore[arg-type]
            "validation": round(float(y_valid.mean()), 4),
        },
        "metrics": metrics.ranking(y_valid, raw),
        "baseline": {"name": BASELINE, **metrics.ranking(y_valid, recency(valid))},
        "calibration": metrics.calibration(y_valid, prob),
        "calibration_method": "isotonic on the validation month",
        "top_features": learn.top_features(booster),
        "features": list(FEATURES),
        "params": {k: v for k, v in sorted(p.items()) if k not in ("verbosity",)} | {"num_boost_round": rounds},
    }


def train(features: pl.DataFrame, s: Settings, validate: date | None = None, **override: Any) -> Trained:
    """Fit on the training months, calibrate and measure on the validation month (the newest labelled one)."""
    validate = validate or validation_month(features, s)
    tr, va = split(features, s, validate)
    cats = categories_of(tr)
    p = learn.params(s, **{k: v for k, v in override.items() if k != "num_boost_round"})
    rounds = int(override.get("num_boost_round", s.num_boost_round))
    y_train = tr["label"].to_numpy().astype(np.float32)
    booster = learn.fit(matrix(tr, cats), y_train, list(FEATURES), list(CATEGORICAL), p, rounds)
    y_valid = va["label"].to_numpy().astype(np.float64)
    raw = learn.predict(booster, matrix(va, cats))
    calibrator = learn.Calibrator.fitted(raw, y_valid)
    prob = calibrator(raw)
    return Trained(booster, calibrator, cats, card(tr, va, y_valid, raw, prob, booster, p, rounds, s))


def evaluate(model: learn.Loaded, features: pl.DataFrame, month: date) -> dict[str, float]:
    """A stored model's ranking figures on a month's labelled rows (the champion against a challenger)."""
    rows = labelled(features).filter(pl.col("month") == month)
    raw = learn.predict(model.booster, matrix(rows, model.categories))
    return metrics.ranking(rows["label"].to_numpy().astype(np.float64), raw)


def score(model: learn.Loaded, rows: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated probability, feature matrix) of these rows."""
    x = matrix(rows, model.categories)
    return model.calibrator(learn.predict(model.booster, x)), x
