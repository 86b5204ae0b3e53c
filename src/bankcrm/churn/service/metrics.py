"""How good a ranking is: AUC, PR-AUC, lift in the top decile, precision/recall at k, calibration bins."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def _round(x: float) -> float:
    return round(float(x), 4)


def lift_at(y: np.ndarray, score: np.ndarray, share: float) -> tuple[int, float, float, float]:
    """(k, precision, recall, lift) of the top ``share`` of rows by score (ties broken by position, stably)."""
    k = max(1, round(len(y) * share))
    top = np.argsort(-score, kind="stable")[:k]
    hits = float(y[top].sum())
    base = float(y.mean()) if len(y) else 0.0
    precision = hits / k
    recall = hits / float(y.sum()) if y.sum() else 0.0
    return k, _round(precision), _round(recall), _round(precision / base) if base else 0.0


def ranking(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """AUC, PR-AUC and lift in the top decile (AUC 0.5 when only one class is present)."""
    both = 0 < y.sum() < len(y)
    return {
        "auc": _round(roc_auc_score(y, score)) if both else 0.5,
        "pr_auc": _round(average_precision_score(y, score)) if both else _round(y.mean() if len(y) else 0),
        "lift_top_decile": lift_at(y, score, 0.1)[3],
    }


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Rows per probability bin of equal width: mean predicted, observed churn rate, count (empty bins left out)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = which == b
        n = int(mask.sum())
        if n:
            out.append(
                {
                    "bin": f"{edges[b]:.1f}–{edges[b + 1]:.1f}",
                    "predicted": _round(p[mask].mean()),
                    "observed": _round(y[mask].mean()),
                    "count": n,
                }
            )
    return out
