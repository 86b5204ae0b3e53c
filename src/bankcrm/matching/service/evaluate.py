"""How good the current matching configuration is on a labelled sample (``bankcrm match evaluate FILE``).

The sample is records in the customers-feed columns plus ``truth_cluster``: records with the same
value are the same real customer. Scored pairs at or above the upper threshold are the links.

- pairs: a true pair is two records of one truth cluster; a predicted pair is a link. Pairs that no
  blocking rule produced count as missed (recall is over every true pair, not only the blocked ones).
- clusters: the links' connected components are the predicted customers; their implied pairs (every
  two records in one component) are compared with the true pairs the same way. Transitive links make
  this stricter than pairs: one wrong link joining two big clusters costs many pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from bankcrm.matching.service import scoring


def _metrics(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _pairs_within(labels: np.ndarray) -> int:
    """How many unordered pairs share a label."""
    _, counts = np.unique(labels, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def _pairs_within_both(a: np.ndarray, b: np.ndarray) -> int:
    """How many unordered pairs share both labels (same predicted cluster and same truth cluster)."""
    joint = pl.DataFrame({"a": a, "b": b}).group_by("a", "b").len()["len"].to_numpy().astype(np.int64)
    return int((joint * (joint - 1) // 2).sum())


def evaluate(
    records: pl.DataFrame,
    *,
    upper: float,
    lower: float,
    settings: scoring.MatchSettings | None = None,
) -> dict[str, Any]:
    """Precision, recall and F1 of pairs and of clusters for ``records`` (feed columns + ``truth_cluster``)."""
    if "truth_cluster" not in records.columns:
        raise ValueError("the file has no truth_cluster column")
    n = records.height
    records = records.with_columns(pl.Series("unique_id", np.arange(n, dtype=np.int64)))
    truth = records["truth_cluster"].cast(pl.String).fill_null("").to_numpy()
    # A record without a truth cluster is its own customer.
    truth = np.where(truth == "", np.char.add("_row", np.arange(n).astype(str)), truth)
    codes = np.unique(truth, return_inverse=True)[1]

    scored = scoring.score(scoring.prepare(records), threshold=lower, settings=settings)
    links = scored.filter(pl.col("probability") >= upper)
    left = links["id_l"].to_numpy()
    right = links["id_r"].to_numpy()
    true_pairs = _pairs_within(codes)

    tp = int((codes[left] == codes[right]).sum())
    pairs = _metrics(tp, len(left) - tp, true_pairs - tp)

    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    predicted_pairs = _pairs_within(component)
    both = _pairs_within_both(component, codes)
    clusters = _metrics(both, predicted_pairs - both, true_pairs - both)
    clusters["predicted"] = int(component.max() + 1) if n else 0
    clusters["true"] = int(codes.max() + 1) if n else 0

    review = int(((scored["probability"] >= lower) & (scored["probability"] < upper)).sum())
    return {
        "records": n,
        "thresholds": {"upper": upper, "lower": lower},
        "candidate_pairs": scored.height,
        "review_pairs": review,
        "pairs": pairs,
        "clusters": clusters,
    }
