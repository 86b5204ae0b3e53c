"""Per-customer reasons from LightGBM's own contributions (``pred_contrib``), grouped by the reason templates,
kept only when they push towards churn and their condition holds, then put into words in either language."""

from __future__ import annotations

from typing import Any

import numpy as np

from bankcrm.churn import catalogue
from bankcrm.churn.service.learn import Loaded


def explain(model: Loaded, x: np.ndarray, top: int) -> list[list[dict[str, Any]]]:
    """For each row: up to ``top`` reasons, strongest first, each {code, weight, values} (values: the features
    its template reads, as the customer has them)."""
    names = model.features
    index = {n: i for i, n in enumerate(names)}
    reasons = [r for r in catalogue.reasons() if all(f in index for f in r.features)]
    if not reasons or len(x) == 0:
        return [[] for _ in range(len(x))]
    threads = catalogue.settings().score_threads  # a loaded model has no thread count; rows are independent
    contrib = np.asarray(model.booster.predict(x, pred_contrib=True, num_threads=threads))[:, : len(names)]
    groups = np.zeros((len(names), len(reasons)))
    for j, r in enumerate(reasons):
        for f in r.features:
            groups[index[f], j] = 1.0
    weight = contrib @ groups
    first = x[:, [index[r.features[0]] for r in reasons]].astype(np.float64)
    holds = np.column_stack([r.holds(first[:, j]) for j, r in enumerate(reasons)])
    weight = np.where(holds & (weight > 0), weight, -np.inf)
    order = np.argsort(-weight, axis=1, kind="stable")[:, :top]
    out: list[list[dict[str, Any]]] = []
    for i in range(len(x)):
        row = []
        for j in order[i]:
            if not np.isfinite(weight[i, j]):
                break
            r = reasons[j]
            values = {f: _plain(x[i, index[f]]) for f in r.features}
            row.append({"code": r.code, "weight": round(float(weight[i, j]), 4), "values": values})
        out.append(row)
    return out


def _plain(v: Any) -> float | None:
    f = float(v)
    return None if np.isnan(f) else round(f, 2)


def words(reasons: list[dict[str, Any]], locale: str) -> list[str]:
    """Stored reasons in the reader's language (a reason no longer shipped is given by its code)."""
    known = {r.code: r for r in catalogue.reasons()}
    out = []
    for item in reasons:
        r = known.get(item["code"])
        values = {k: (v if v is not None else 0.0) for k, v in item["values"].items()}
        out.append(catalogue.fill(r.template(locale), values) if r else item["code"])
    return out


def sentence(reasons: list[dict[str, Any]], locale: str) -> str:
    """The reasons joined into one line ("AUM down 62% in 3 months; 3 transfers, ¥480,000, to other banks")."""
    return ("；" if locale == "zh_CN" else "; ").join(words(reasons, locale))
