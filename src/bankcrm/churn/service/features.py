"""Features and labels from the monthly snapshot: one row per customer and month, derived over its own months.

The snapshot has a row for each month in which a customer held something, so a month with no row after a month
with one means every account was closed. Lags are taken from the customer's rows sorted by month and used only
when the row k places back is the same customer exactly k months before (a gap gives a missing value, which
LightGBM handles). Amounts become yuan.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from bankcrm.churn.catalogue import Settings

# The snapshot columns the features read (``products`` and ``txn_count`` summed in the query).
SNAPSHOT = (
    "customer_id",
    "month",
    "kind",
    "tier",
    "aum_end",
    "aum_avg",
    "time_end",
    "wealth_end",
    "products",
    "transfer_out_other_count",
    "transfer_out_other_amount",
    "salary_count",
    "days_since_txn",
    "tenure_months",
    "age",
    "txn_count",
)
CATEGORICAL = ("tier", "kind")
NUMERIC = (
    "aum_end",
    "aum_avg_6m",
    "aum_change_1m_pct",
    "aum_change_3m_pct",
    "aum_change_6m_pct",
    "time_end",
    "time_drop_3m",
    "wealth_drop_3m",
    "transfer_out_other_count",
    "transfer_out_other_amount",
    "transfer_out_other_count_3m",
    "transfer_out_other_amount_3m",
    "salary_count",
    "salary_stopped",
    "products",
    "products_change_3m",
    "days_since_txn",
    "txn_count",
    "txn_change_3m_pct",
    "tenure_months",
    "age",
)
FEATURES = NUMERIC + CATEGORICAL


def month_index(d: date) -> int:
    """Months since year 0, so month arithmetic is integer arithmetic."""
    return d.year * 12 + d.month - 1


def _lag(col: str, k: int) -> pl.Expr:
    """The column's value k months before (k < 0: after) in the same customer's rows, else null."""
    same = (pl.col("customer_id").shift(k) == pl.col("customer_id")) & (pl.col("_mi").shift(k) == pl.col("_mi") - k)
    return pl.when(same).then(pl.col(col).shift(k)).otherwise(None)


def _pct(now: pl.Expr, before: pl.Expr) -> pl.Expr:
    return pl.when(before > 0).then((now - before) / before * 100.0).otherwise(None)


def build(snapshot: pl.DataFrame, s: Settings, last_month: date | None = None) -> pl.DataFrame:
    """customer_id, month, the FEATURES, ``eligible`` (scored: holds something, a large enough average, not yet
    below the churn line) and ``label`` (1 churned within the horizon, 0 not, null: the horizon is not over by
    ``last_month``, default the newest month in the frame)."""
    if snapshot.is_empty():
        return pl.DataFrame(schema={"customer_id": pl.Int64, "month": pl.Date, "label": pl.Int8})
    last = month_index(last_month) if last_month else None
    f = snapshot.sort("customer_id", "month").with_columns(
        (pl.col("month").dt.year().cast(pl.Int32) * 12 + pl.col("month").dt.month().cast(pl.Int32) - 1).alias("_mi"),
        *[(pl.col(c).cast(pl.Float64) / 100.0).alias(c) for c in ("aum_end", "aum_avg", "time_end", "wealth_end")],
        (pl.col("transfer_out_other_amount").cast(pl.Float64) / 100.0).alias("transfer_out_other_amount"),
    )
    last = last if last is not None else int(f["_mi"].max())  # type: ignore[arg-type]
    avg_parts = [pl.col("aum_avg")] + [_lag("aum_avg", k) for k in range(1, s.average_months)]
    f = f.with_columns(
        (pl.sum_horizontal(avg_parts) / pl.sum_horizontal([p.is_not_null().cast(pl.Int32) for p in avg_parts])).alias(
            "aum_avg_6m"
        ),
        _pct(pl.col("aum_end"), _lag("aum_end", 1)).alias("aum_change_1m_pct"),
        _pct(pl.col("aum_end"), _lag("aum_end", 3)).alias("aum_change_3m_pct"),
        _pct(pl.col("aum_end"), _lag("aum_end", 6)).alias("aum_change_6m_pct"),
        (_lag("time_end", 3) - pl.col("time_end")).clip(lower_bound=0).alias("time_drop_3m"),
        (_lag("wealth_end", 3) - pl.col("wealth_end")).clip(lower_bound=0).alias("wealth_drop_3m"),
        pl.sum_horizontal([pl.col("transfer_out_other_count"), *[_lag("transfer_out_other_count", k) for k in (1, 2)]])
        .cast(pl.Float64)
        .alias("transfer_out_other_count_3m"),
        pl.sum_horizontal(
            [pl.col("transfer_out_other_amount"), *[_lag("transfer_out_other_amount", k) for k in (1, 2)]]
        ).alias("transfer_out_other_amount_3m"),
        (
            (pl.col("salary_count") == 0)
            & (pl.max_horizontal([_lag("salary_count", k) for k in (1, 2, 3)]).fill_null(0) > 0)
        )
        .cast(pl.Float64)
        .alias("salary_stopped"),
        (pl.col("products") - _lag("products", 3)).alias("products_change_3m"),
        _pct(pl.col("txn_count").cast(pl.Float64), _lag("txn_count", 3).cast(pl.Float64)).alias("txn_change_3m_pct"),
    )
    line = pl.col("aum_avg_6m") * s.aum_fraction
    gone = []
    for k in range(1, s.horizon_months + 1):
        present = (pl.col("customer_id").shift(-k) == pl.col("customer_id")) & (
            pl.col("_mi").shift(-k) == pl.col("_mi") + k
        )
        # A later row within k places is the same customer after a gap: absent in between, so closed.
        fut_aum = pl.when(present).then(pl.col("aum_end").shift(-k)).otherwise(None)
        fut_prod = pl.when(present).then(pl.col("products").shift(-k)).otherwise(None)
        gone.append(fut_aum.is_null() | (fut_aum < line) | (fut_prod == 0))
    f = f.with_columns(
        ((pl.col("products") > 0) & (pl.col("aum_avg_6m") * 100 >= s.min_average_aum) & (pl.col("aum_end") >= line))
        .fill_null(False)
        .alias("eligible"),
        pl.when(pl.col("_mi") + s.horizon_months <= last)
        .then(pl.any_horizontal(gone).cast(pl.Int8))
        .otherwise(None)
        .alias("label"),
    )
    return f.select(
        "customer_id",
        "month",
        *[pl.col(c).cast(pl.Float64) for c in NUMERIC],
        *CATEGORICAL,
        "eligible",
        "label",
    )
