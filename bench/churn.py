"""Churn model at scale: train on N customers × 12 months, score N, peak memory; and the bring-your-own-file
pipeline's 5-fold AUC beside a plain LightGBM on the same folds.

``python -m bench.churn`` (``BANKCRM_BENCH_CHURN_CUSTOMERS``, default 1,000,000). The snapshot rows are
generated a block of customers at a time (``block_customers``), as the snapshot query hands them to the
pipeline, and go through the service's own block-by-block code (features, training, scoring with reasons; the
score rows are counted, not written), with churn paths: about one
customer in eight declines over three months (transfers out, salary stopping, a time deposit not renewed) and
closes everything, from a random month; one in ten dips and recovers. Reading the rows out of the database is not
timed here (PostgreSQL: one COPY to CSV per block). Peak memory is ru_maxrss of the process (and of children),
from the imports on. Times are wall and CPU seconds (the machine is shared).

``BANKCRM_BENCH_CHURN_FILE=path.csv`` (label ``BANKCRM_BENCH_CHURN_LABEL``, id ``BANKCRM_BENCH_CHURN_ID``) adds the
file comparison; no data set is shipped (see docs/benchmarks.md for why). Columns named in
``BANKCRM_BENCH_CHURN_DROP`` (comma-separated prefixes) are left out of both. Results: bench/results/churn.json.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from bankcrm.churn import catalogue
from bankcrm.churn.service import features, fromfile, learn, metrics, pipeline, rows, scoring
from bankcrm.insight.service.compute import add_months
from bench.common import RESULTS, machine, peak_rss_mb

FIRST = date(2025, 1, 1)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def generate(customers: int, months: int = 12, seed: int = 11, first_id: int = 1) -> pl.DataFrame:
    """The snapshot rows of ``customers`` (ids from ``first_id``) over ``months`` months, vectorised."""
    rng = np.random.default_rng(seed)
    base = rng.lognormal(11, 1.0, customers) * 100
    leaves = rng.random(customers) < 0.12
    leave_at = np.where(leaves, rng.integers(3, months + 3, customers), 10_000)
    dip_at = np.where(~leaves & (rng.random(customers) < 0.1), rng.integers(0, months, customers), -10)
    salary = rng.random(customers) < 0.5
    renews = rng.random(customers) < 0.5
    cid = np.repeat(np.arange(first_id, first_id + customers), months)
    mi = np.tile(np.arange(months), customers)
    b, la, da = np.repeat(base, months), np.repeat(leave_at, months), np.repeat(dip_at, months)
    keep = mi <= la
    falling = ((mi >= la - 3) & leaves.repeat(months)) | ((mi >= da) & (mi < da + 2))
    closed = mi == la
    k = np.where(falling & (la < 10_000), (la - mi) / 4, np.where(falling, 0.7, 1.0))
    aum = np.maximum(b * k * (1 + rng.normal(0, 0.05, len(mi))), 0).astype(np.int64)
    aum = np.where(closed, 0, aum)
    out_n = np.where(falling & (rng.random(len(mi)) < 0.7), rng.integers(1, 4, len(mi)), rng.random(len(mi)) < 0.05)
    months_list = [
        date(FIRST.year + (FIRST.month - 1 + i) // 12, (FIRST.month - 1 + i) % 12 + 1, 1) for i in range(months)
    ]
    frame = pl.DataFrame(
        {
            "customer_id": cid,
            "mi": mi,
            "kind": np.full(len(mi), "individual"),
            "tier": np.where(b > 20_000_000, "VIP", "MASS"),
            "aum_end": aum,
            "aum_avg": aum,
            "time_end": np.where(falling & ~renews.repeat(months), 0, (b * 0.4).astype(np.int64)),
            "wealth_end": np.where(falling, 0, (b * 0.2).astype(np.int64)),
            "products": np.where(closed, 0, 2 + cid % 3 - falling.astype(np.int64)).astype(np.int32),
            "transfer_out_other_count": out_n.astype(np.int32),
            "transfer_out_other_amount": (out_n * b * 0.15).astype(np.int64),
            "salary_count": (salary.repeat(months) & ~falling).astype(np.int32),
            "days_since_txn": (rng.integers(1, 20, len(mi)) + 25 * (falling & (rng.random(len(mi)) < 0.5))).astype(
                np.int32
            ),
            "tenure_months": (12 + cid % 60 + mi).astype(np.int32),
            "age": (25 + cid % 50).astype(np.int32),
            "txn_count": (rng.integers(2, 30, len(mi)) // np.where(falling, 3, 1)).astype(np.int32),
        }
    ).filter(pl.Series(keep))
    frame = frame.with_columns(pl.col("mi").replace_strict(dict(enumerate(months_list)), return_dtype=pl.Date))
    return frame.rename({"mi": "month"}).select(features.SNAPSHOT)


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    out = fn()
    return out, round(time.perf_counter() - wall, 1), round(_cpu() - cpu, 1)


class Blocks:
    """The generated snapshot a block of customers at a time (as the database hands it to the pipeline), each
    block its own seed; the generation's own wall and CPU seconds are counted apart."""

    def __init__(self, customers: int, block: int, since: date | None = None) -> None:
        self.customers, self.block, self.since = customers, block, since
        self.rows, self.wall, self.cpu = 0, 0.0, 0.0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        for i, start in enumerate(range(0, self.customers, self.block)):
            make = functools.partial(generate, min(self.block, self.customers - start), 12, 11 + i, start + 1)
            frame, wall, cpu = _timed(make)
            if self.since is not None:
                frame = frame.filter(pl.col("month") >= self.since)
            self.rows, self.wall, self.cpu = self.rows + frame.height, self.wall + wall, self.cpu + cpu
            yield frame


def _rss() -> dict[str, int]:
    """Peak resident memory (MB) of this process and of any children."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"self_mb": peak_rss_mb(), "children_mb": round(child / 1024)}


def _depths(booster: lgb.Booster) -> list[int]:
    """Each tree's depth (the scoring and, with depth squared, the reasons cost grow with it)."""

    def depth(node: dict[str, Any]) -> int:
        return 0 if "leaf_index" in node else 1 + max(depth(node["left_child"]), depth(node["right_child"]))

    return [depth(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]


def snapshot_bench(customers: int) -> dict[str, Any]:
    """Train on 12 months, score the newest month: the service's own block-by-block code on generated blocks."""
    s = catalogue.settings()
    at_start = _rss()
    source = Blocks(customers, s.block_customers)
    newest = date(FIRST.year + (FIRST.month + 10) // 12, (FIRST.month + 10) % 12 + 1, 1)

    def gathered() -> rows.Labelled:
        return rows.gather(features.build(frame, s, newest) for frame in source)

    labelled, gather_wall, gather_cpu = _timed(gathered)
    gen_train = (round(source.wall, 1), round(source.cpu, 1))
    after_gather = _rss()
    kept_mb = round(labelled.nbytes / 2**20)
    trained, train_wall, train_cpu = _timed(functools.partial(pipeline.train, labelled, s))
    del labelled
    after_train = _rss()
    model = learn.load(trained.text())
    window = Blocks(customers, s.block_customers, add_months(newest, -(max(s.average_months, 6) + 1)))
    written = [0, 0]

    def write(part: list[dict[str, Any]]) -> None:
        written[0] += len(part)
        written[1] += sum(1 for r in part if r["reasons"] != scoring.NONE)

    scored, score_wall, score_cpu = _timed(lambda: scoring.score_blocks(model, 1, window, newest, write))
    card = trained.card
    depths = _depths(model.booster)
    return {
        "customers": customers,
        "block_customers": s.block_customers,
        "snapshot_rows": source.rows,
        "train": {
            "generate_wall_s": gen_train[0],
            "generate_cpu_s": gen_train[1],
            "features_wall_s": round(gather_wall - gen_train[0], 1),
            "features_cpu_s": round(gather_cpu - gen_train[1], 1),
            "labelled_rows_float32_mb": kept_mb,
            "fit_wall_s": train_wall,
            "fit_cpu_s": train_cpu,
            "rows": card["rows"],
        },
        "score": {
            "customers_scored": scored,
            "rows_written": written[0],
            "rows_with_reasons": written[1],
            "generate_wall_s": round(window.wall, 1),
            "wall_s": round(score_wall - window.wall, 1),
            "cpu_s": round(score_cpu - window.cpu, 1),
        },
        "trees": {"count": len(depths), "depth_max": max(depths), "depth_mean": round(float(np.mean(depths)), 1)},
        "validation_month": card["validation_month"],
        "model": card["metrics"],
        "recency_rule": {k: v for k, v in card["baseline"].items() if k != "name"},
        "peak_rss_mb": {"at_start": at_start, "after_features": after_gather, "after_fit": after_train, "end": _rss()},
    }


def file_bench(path: Path, label: str, id_column: str | None, drop: list[str]) -> dict[str, Any]:
    """The pipeline's 5-fold AUC beside a plain LightGBM (default parameters, 100 rounds) on the same folds."""
    s = catalogue.settings()
    frame = fromfile.read(path)
    frame = frame.drop([c for c in frame.columns if any(c.startswith(p) for p in drop if p)])
    # Some copies carry a data-dictionary line among the rows: keep the rows of the label's two commonest values.
    common = frame[label].value_counts(sort=True)[label].head(2).to_list()
    skipped = frame.height - frame.filter(pl.col(label).is_in(common)).height
    frame = frame.filter(pl.col(label).is_in(common))
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / path.name
        frame.write_csv(clean)
        fm, wall, cpu = _timed(lambda: fromfile.train(clean, label, id_column, s))
        frame = fromfile.read(clean)  # the types as the pipeline inferred them, without the skipped line
    y = fromfile.label_of(frame, label, path)
    spec = fromfile.infer(frame, label, id_column)
    x = fromfile.encode(frame, spec)
    plain = []
    for tr, te in fromfile.cv_folds(y, s.seed):
        data = lgb.Dataset(x[tr], label=y[tr], feature_name=spec.features, categorical_feature=list(spec.categorical))
        booster = lgb.train({"objective": "binary", "verbosity": -1, "num_threads": s.num_threads}, data)
        plain.append(metrics.ranking(y[te], learn.predict(booster, x[te]))["auc"])
    return {
        "file": path.name,
        "rows": frame.height,
        "dropped_by_bench": [p for p in drop if p],
        "rows_skipped_by_bench": skipped,
        "pipeline": {
            "auc_mean": fm.card["cv"]["auc_mean"],
            "auc_sd": fm.card["cv"]["auc_sd"],
            "auc_folds": fm.card["cv"]["auc_folds"],
            "wall_s": wall,
            "cpu_s": cpu,
            "warnings": fm.card["warnings"],
            "left_out": fm.card["dropped"],
        },
        "plain_lightgbm": {
            "auc_mean": round(float(np.mean(plain)), 4),
            "auc_sd": round(float(np.std(plain, ddof=1)), 4),
            "auc_folds": plain,
        },
    }


def main() -> None:
    customers = int(os.environ.get("BANKCRM_BENCH_CHURN_CUSTOMERS", "1000000"))
    with open("/proc/loadavg") as fh:
        load_before = fh.read().split()[:3]
    out: dict[str, Any] = {"machine": machine(), "load_before": load_before}
    out["snapshot"] = snapshot_bench(customers)
    path = os.environ.get("BANKCRM_BENCH_CHURN_FILE")
    if path:
        drop = os.environ.get("BANKCRM_BENCH_CHURN_DROP", "").split(",")
        out["file"] = file_bench(
            Path(path),
            os.environ.get("BANKCRM_BENCH_CHURN_LABEL", "Exited"),
            os.environ.get("BANKCRM_BENCH_CHURN_ID"),
            drop,
        )
    with open("/proc/loadavg") as fh:
        out["load_after"] = fh.read().split()[:3]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "churn.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
