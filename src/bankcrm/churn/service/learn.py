"""LightGBM on a feature matrix: fit with a seed, isotonic calibration as data, and what a card reports.

Everything here is pure (numpy in, numbers out) so the snapshot pipeline and the bring-your-own-file pipeline
share it. Deterministic: LightGBM's ``deterministic`` and row-wise histograms with a fixed thread count and seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.isotonic import IsotonicRegression

from bankcrm.churn.catalogue import Settings


def params(s: Settings, **override: Any) -> dict[str, Any]:
    """LightGBM parameters from the settings (``override`` for a challenger's variation or a test)."""
    out: dict[str, Any] = {
        "objective": "binary",
        "learning_rate": s.learning_rate,
        "num_leaves": s.num_leaves,
        "max_depth": s.max_depth,
        "min_data_in_leaf": s.min_data_in_leaf,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "seed": s.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": s.num_threads,
        "verbosity": -1,
    }
    return out | override


def fit(
    x: np.ndarray, y: np.ndarray, names: list[str], categorical: list[str], p: dict[str, Any], rounds: int
) -> lgb.Booster:
    """A booster fitted on x, y (categorical columns are integer codes, missing as NaN)."""
    data = lgb.Dataset(
        x, label=y, feature_name=names, categorical_feature=categorical or "auto", free_raw_data=True, params=p
    )
    return lgb.train(p, data, num_boost_round=rounds)


def predict(booster: lgb.Booster, x: np.ndarray, threads: int = 1) -> np.ndarray:
    """Raw probabilities of the rows (LightGBM's own, before calibration). A model read back from its text has no
    thread count, so OpenMP would take every core and spin idle on a shared machine: the count is given here."""
    return np.asarray(booster.predict(x, num_threads=threads), dtype=np.float64)


@dataclass(frozen=True)
class Calibrator:
    """Isotonic regression kept as its breakpoints, applied by interpolation (no pickled objects)."""

    x: list[float]
    y: list[float]

    @classmethod
    def fitted(cls, raw: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fitted on raw scores and outcomes (identity when only one class is present)."""
        if len(np.unique(y)) < 2:
            return cls([0.0, 1.0], [0.0, 1.0])
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
        return cls([float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_])

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(raw, np.asarray(self.x), np.asarray(self.y)), dtype=np.float64)


def top_features(booster: lgb.Booster, n: int = 10) -> list[dict[str, Any]]:
    """The features with most total gain, each with its share of the gain."""
    gain = booster.feature_importance(importance_type="gain")
    total = float(gain.sum()) or 1.0
    order = np.argsort(-gain, kind="stable")[:n]
    names = booster.feature_name()
    return [{"feature": names[i], "gain_share": round(float(gain[i]) / total, 4)} for i in order if gain[i] > 0]


def single_feature_auc(x: np.ndarray, y: np.ndarray) -> float:
    """How well one column alone orders the label (either direction; missing values ranked as their own value)."""
    from sklearn.metrics import roc_auc_score

    col = np.where(np.isnan(x), np.nanmin(x) - 1 if np.isfinite(np.nanmin(x)) else 0, x) if np.isnan(x).any() else x
    if len(np.unique(y)) < 2 or len(np.unique(col)) < 2:
        return 0.5
    auc = float(roc_auc_score(y, col))
    return max(auc, 1 - auc)


def save(booster: lgb.Booster, calibrator: Calibrator, categories: dict[str, list[str]]) -> str:
    """The model as one text: LightGBM's own model text, the calibration and the category codes."""
    return (
        json.dumps({"calibration": {"x": calibrator.x, "y": calibrator.y}, "categories": categories}, sort_keys=True)
        + "\n"
        + booster.model_to_string()
    )


@dataclass(frozen=True)
class Loaded:
    """A stored model ready to score."""

    booster: lgb.Booster
    calibrator: Calibrator
    categories: dict[str, list[str]]

    @property
    def features(self) -> list[str]:
        """The feature names in the model's column order."""
        return list(self.booster.feature_name())


def load(text: str) -> Loaded:
    """A model text as ``save`` wrote it."""
    head, _, body = text.partition("\n")
    meta = json.loads(head)
    cal = meta["calibration"]
    return Loaded(lgb.Booster(model_str=body), Calibrator(cal["x"], cal["y"]), meta["categories"])
