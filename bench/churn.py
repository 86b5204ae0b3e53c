"""Churn model at scale: train on N customers × 12 months, score N, peak memory; and the bring-your-own-file
pipeline's 5-fold AUC beside a plain LightGBM on the same folds.

``python -m bench.churn`` (``BANKCRM_BENCH_CHURN_CUSTOMERS``, default 1,000,000). The snapshot rows are
generated in memory, as the snapshot query returns them (the pipeline's input), with churn paths: about one
customer in eight declines over three months (transfers out, salary stopping, a time deposit not renewed) and
closes everything, from a random month; one in ten dips and recovers. Reading the rows out of the database is not
timed here (PostgreSQL: one COPY to CSV). Times are wall and CPU seconds (the machine is shared).

``BANKCRM_BENCH_CHURN_FILE=path.csv`` (label ``BANKCRM_BENCH_CHURN_LABEL``, id ``BANKCRM_BENCH_CHURN_ID``) adds the
file comparison; no data set is shipped (see docs/benchmarks.md for why). Columns named in
``BANKCRM_BENCH_CHURN_DROP`` (comma-separated prefixes) are left out of both. Results: bench/results/churn.json.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from bankcrm.churn import catalogue
from bankcrm.churn.service import features, fromfile, learn, metrics, pipeline
from bankcrm.churn.service.scoring import score_frame
from bench.common import RESULTS, machine, peak_rss_mb

FIRST = date(2025, 1, 1)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def generate(customers: int, months: int = 12, seed: int = 11) -> pl.DataFrame:
    """The snapshot rows of ``customers`` over ``months`` months, vectorised."""
    rng = np.random.default_rng(seed)
    base = rng.lognormal(11, 1.0, customers) * 100
    leaves = rng.random(customers) < 0.12
    leave_at = np.where(leaves, rng.integers(3, months + 3, customers), 10_000)
    dip_at = np.where(~leaves & (rng.random(customers) < 0.1), rng.integers(0, months, customers), -10)
    salary = rng.random(customers) < 0.5
    renews = rng.random(customers) < 0.5
    cid = np.repeat(np.arange(1, customers + 1), months)
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


def snapshot_bench(customers: int) -> dict[str, Any]:
    """Train on 12 months, score the newest month."""
    s = catalogue.settings()
    snap, gen_wall, _ = _timed(lambda: generate(customers))
    built, feat_wall, feat_cpu = _timed(lambda: features.build(snap, s))
    trained, train_wall, train_cpu = _timed(lambda: pipeline.train(built, s))
    newest = snap["month"].max()
    window = snap.filter(pl.col("month") >= date(newest.year, newest.month - 6, 1))  # type: ignore[union-attr]
    model = learn.load(trained.text())

    def score() -> int:
        rows = features.build(window, s).filter((pl.col("month") == newest) & pl.col("eligible"))
        prob, _ = score_frame(model, rows)
        return len(prob)

    scored, score_wall, score_cpu = _timed(score)
    card = trained.card
    return {
        "customers": customers,
        "snapshot_rows": snap.height,
        "generate_s": gen_wall,
        "train": {
            "features_wall_s": feat_wall,
            "features_cpu_s": feat_cpu,
            "fit_wall_s": train_wall,
            "fit_cpu_s": train_cpu,
            "rows": card["rows"],
        },
        "score": {"customers_scored": scored, "wall_s": score_wall, "cpu_s": score_cpu},
        "validation_month": card["validation_month"],
        "model": card["metrics"],
        "recency_rule": {k: v for k, v in card["baseline"].items() if k != "name"},
        "peak_rss_mb": peak_rss_mb(),
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
