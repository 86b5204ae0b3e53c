"""The monthly customer snapshot of a chunk of customers, computed with Polars from their holdings and vouchers.

Definitions (docs/insight.md):
- a month's *as-of day* is its last day, or the business date in the business date's month;
- an account's balance on a day is its last delivered balance on or before that day (balances are delivered
  weekly or daily, not always every day), 0 from its close date, and an overdrawn balance counts 0 (a liability);
- month-end = the balance on the as-of day; month average = the sum of the daily balances from the 1st to the
  as-of day divided by that number of days, rounded down to the fen;
- products held and loans outstanding count what is open on the as-of day (core banking delivers a loan's
  current outstanding only, so a backfilled earlier month uses it too);
- vouchers count in the month of their time in the bank's zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from bankcrm.insight import catalogue

EPOCH = date(1970, 1, 1)


def month_start(d: date) -> date:
    """The first day of d's month."""
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from first's month to last's month, inclusive."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def as_of_day(month: date, business_date: date) -> date:
    """The month's as-of day: its last day, or the business date within the business date's month."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return min(last, business_date)


def local_midnight_utc(day: date, timezone: str) -> datetime:
    """The UTC instant the bank's day begins."""
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)


def _days(d: date) -> int:
    return (d - EPOCH).days


def _frame(rows: Sequence[tuple[Any, ...]] | pl.DataFrame, schema: dict[str, Any]) -> pl.DataFrame:
    if isinstance(rows, pl.DataFrame):  # read as a frame already, in this schema (the repository's bulk reads)
        return rows
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def compute(
    ids: list[int],
    months: list[date],
    business_date: date,
    *,
    timezone: str,
    own_banks: frozenset[str],
    customers: Sequence[tuple[Any, ...]],
    accounts: Sequence[tuple[Any, ...]],
    loans: Sequence[tuple[Any, ...]],
    balances: Sequence[tuple[Any, ...]] | pl.DataFrame,
    vouchers: Sequence[tuple[Any, ...]] | pl.DataFrame,
    last_before: Sequence[tuple[int, datetime]],
    tiers_before: Sequence[tuple[int, str]],
) -> pl.DataFrame:
    """The snapshot rows of these customers for these (consecutive) months, one row per customer and month
    in which they held something; columns as the ``customer_month`` table minus ``computed_at``."""
    grid_months = pl.DataFrame(
        {
            "mi": list(range(len(months))),
            "month": months,
            "ms": [_days(m) for m in months],
            "me": [_days(as_of_day(m, business_date)) + 1 for m in months],  # exclusive
        },
        schema={"mi": pl.Int32, "month": pl.Date, "ms": pl.Int64, "me": pl.Int64},
    )
    acc = _frame(
        accounts,
        {
            "account_id": pl.Int64,
            "customer_id": pl.Int64,
            "category": pl.String,
            "product": pl.String,
            "open": pl.Date,
            "close": pl.Date,
        },
    ).with_columns(pl.col("open").dt.epoch("d").alias("o"), pl.col("close").dt.epoch("d").alias("c"))
    lns = _frame(
        loans,
        {"customer_id": pl.Int64, "product": pl.String, "start": pl.Date, "end": pl.Date, "outstanding": pl.Int64},
    ).with_columns(pl.col("start").dt.epoch("d").alias("o"), pl.col("end").dt.epoch("d").alias("c"))

    # Who has a row: something open at some point of the month, up to its as-of day.
    def live_in_month(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(grid_months, how="cross").filter(
            (pl.col("o") < pl.col("me")) & (pl.col("c").is_null() | (pl.col("c") >= pl.col("ms")))
        )

    acc_m, loan_m = live_in_month(acc), live_in_month(lns)
    grid = (
        pl.concat([acc_m.select("customer_id", "mi"), loan_m.select("customer_id", "mi")])
        .unique()
        .join(grid_months, on="mi")
    )

    # Products held and loans outstanding on the as-of day.
    open_end = (pl.col("o") < pl.col("me")) & (pl.col("c").is_null() | (pl.col("c") >= pl.col("me")))
    held_acc = (
        acc_m.filter(open_end)
        .with_columns(pl.col("category").replace_strict(catalogue.HELD, default=None).alias("col"))
        .filter(pl.col("col").is_not_null())
        .group_by("customer_id", "mi", "col")
        .agg(pl.col("product").n_unique().alias("n"))
    )
    held_loan = (
        loan_m.filter(open_end)
        .group_by("customer_id", "mi")
        .agg(pl.col("product").n_unique().alias("n"), pl.col("outstanding").sum().alias("loans_outstanding"))
    )
    held = pl.concat([held_acc, held_loan.select("customer_id", "mi", pl.lit("held_loan").alias("col"), "n")])
    held_cols = sorted(set(catalogue.HELD.values()))
    held_wide = (
        held.group_by("customer_id", "mi", "col")
        .agg(pl.col("n").sum())
        .pivot(on="col", index=["customer_id", "mi"], values="n", on_columns=held_cols)
    )

    # Balances: intervals [day, end) of each delivered balance, spread over the months they overlap.
    bal = _frame(balances, {"account_id": pl.Int64, "day": pl.Date, "balance": pl.Int64})
    aum_acc = acc.filter(pl.col("category").is_in(list(catalogue.AUM_PARTS)))
    last_me = int(grid_months["me"].max()) if months else 0  # type: ignore[arg-type]
    first_ms = _days(months[0]) if months else 0
    intervals = (
        bal.join(aum_acc.select("account_id", "customer_id", "category", "c"), on="account_id")
        .sort("account_id", "day")
        .with_columns(
            pl.col("day").dt.epoch("d").alias("d0"),
            pl.col("day").dt.epoch("d").shift(-1).over("account_id").fill_null(last_me).alias("d1"),
            pl.when(pl.col("balance") > 0).then(pl.col("balance")).otherwise(0).alias("bal"),
        )
        .with_columns(pl.min_horizontal("d1", pl.col("c").fill_null(last_me)).alias("d1"))
        .filter((pl.col("d1") > pl.col("d0")) & (pl.col("d1") > first_ms))
    )
    # Month index of a day: by the months' starts.
    starts = grid_months["ms"].to_list()

    def month_index(col: str) -> pl.Expr:
        return pl.sum_horizontal([(pl.col(col) >= s).cast(pl.Int32) for s in starts]) - 1

    spread = (
        intervals.with_columns(pl.max_horizontal("d0", pl.lit(first_ms)).alias("a"), (pl.col("d1") - 1).alias("b"))
        .with_columns(month_index("a").alias("i0"), month_index("b").alias("i1"))
        .with_columns(pl.int_ranges("i0", pl.col("i1") + 1, dtype=pl.Int32).alias("mi"))
        .explode("mi")
        .join(grid_months, on="mi")
        .with_columns(
            (pl.min_horizontal("d1", "me") - pl.max_horizontal("d0", "ms")).clip(lower_bound=0).alias("days"),
            ((pl.col("d0") < pl.col("me")) & (pl.col("d1") >= pl.col("me"))).alias("at_end"),
            pl.col("category").replace_strict(catalogue.AUM_PARTS).alias("part"),
        )
    )
    parts = (
        spread.group_by("customer_id", "mi", "part")
        .agg(
            (pl.col("bal") * pl.col("days")).sum().alias("bal_days"),
            pl.col("bal").filter(pl.col("at_end")).sum().alias("end"),
        )
        .join(grid_months.select("mi", "ms", "me"), on="mi")
        .with_columns((pl.col("bal_days") // (pl.col("me") - pl.col("ms"))).alias("avg"))
    )
    part_names = list(catalogue.AUM_PARTS.values())
    part_wide = parts.pivot(on="part", index=["customer_id", "mi"], values=["end", "avg"], on_columns=part_names)

    # Vouchers in the bank's zone, by month.
    vch = (
        _frame(
            vouchers,
            {
                "customer_id": pl.Int64,
                "t": pl.Datetime("us"),
                "amount": pl.Int64,
                "direction": pl.String,
                "channel": pl.String,
                "purpose": pl.String,
                "bank": pl.String,
            },
        )
        .with_columns(
            pl.col("t").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date().dt.epoch("d").alias("d")
        )
        .with_columns(month_index("d").alias("mi"))
    )
    vch = vch.join(grid_months.select("mi", "me"), on="mi").filter(pl.col("d") < pl.col("me"))
    out = pl.col("direction") == "D"
    named = pl.col("bank").str.strip_chars().fill_null("")
    other_bank = out & (named != "") & ~named.is_in(list(own_banks))
    salary = (pl.col("direction") == "C") & (pl.col("purpose") == catalogue.SALARY_PURPOSE)
    aggs: list[pl.Expr] = [
        (~out).sum().alias("txn_in_count"),
        pl.col("amount").filter(~out).sum().alias("txn_in_amount"),
        out.sum().alias("txn_out_count"),
        pl.col("amount").filter(out).sum().alias("txn_out_amount"),
        other_bank.sum().alias("transfer_out_other_count"),
        pl.col("amount").filter(other_bank).sum().alias("transfer_out_other_amount"),
        salary.sum().alias("salary_count"),
        pl.col("amount").filter(salary).sum().alias("salary_amount"),
        pl.col("d").max().alias("last_day"),
    ]
    for code, prefix in catalogue.CHANNELS.items():
        on = pl.col("channel") == code
        aggs += [on.sum().alias(f"{prefix}_count"), pl.col("amount").filter(on).sum().alias(f"{prefix}_amount")]
    txn = vch.group_by("customer_id", "mi").agg(aggs)

    # Customers: kind, unit, manager, first relationship day, birth date.
    cust = _frame(
        customers,
        {
            "customer_id": pl.Int64,
            "kind": pl.String,
            "unit_id": pl.Int64,
            "manager_id": pl.Int64,
            "created": pl.Datetime("us"),
            "birth": pl.Date,
        },
    ).with_columns(
        pl.col("created").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date().alias("created")
    )
    firsts = (
        pl.concat(
            [
                acc.select("customer_id", pl.col("open").alias("f")),
                lns.select("customer_id", pl.col("start").alias("f")),
                cust.select("customer_id", pl.col("created").alias("f")),
            ]
        )
        .group_by("customer_id")
        .agg(pl.col("f").min())
    )
    seed = _frame(
        [(c, w) for c, w in last_before],
        {"customer_id": pl.Int64, "t": pl.Datetime("us")},
    ).select(
        "customer_id",
        pl.col("t").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date().dt.epoch("d").alias("seed"),
    )
    before = _frame(list(tiers_before), {"customer_id": pl.Int64, "tier_before": pl.String})

    rows = (
        grid.join(part_wide, on=["customer_id", "mi"], how="left")
        .join(held_wide, on=["customer_id", "mi"], how="left")
        .join(held_loan.select("customer_id", "mi", "loans_outstanding"), on=["customer_id", "mi"], how="left")
        .join(txn, on=["customer_id", "mi"], how="left")
        .join(cust, on="customer_id", how="left")
        .join(firsts, on="customer_id", how="left")
        .join(seed, on="customer_id", how="left")
        .join(before, on="customer_id", how="left")
    )
    zero_cols = [f"end_{p}" for p in part_names] + [f"avg_{p}" for p in part_names] + held_cols
    zero_cols += ["loans_outstanding"] + [a.meta.output_name() for a in aggs if a.meta.output_name() != "last_day"]
    rows = rows.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in zero_cols])
    rows = rows.rename({f"end_{p}": f"{p}_end" for p in part_names} | {f"avg_{p}": f"{p}_avg" for p in part_names})
    rows = rows.with_columns(
        pl.sum_horizontal([f"{p}_end" for p in part_names]).alias("aum_end"),
        pl.sum_horizontal([f"{p}_avg" for p in part_names]).alias("aum_avg"),
        (pl.col("me") - 1).alias("asof_d"),
    ).sort("customer_id", "mi")

    # Days since the last voucher: the newest up to this month, carried from earlier months and from before.
    rows = (
        rows.with_columns(
            pl.col("last_day").fill_null(-1).cum_max().over("customer_id").alias("last_seen"),
        )
        .with_columns(pl.max_horizontal("last_seen", pl.col("seed").fill_null(-1)).alias("last_seen"))
        .with_columns(
            pl.when(pl.col("last_seen") >= 0)
            .then(pl.col("asof_d") - pl.col("last_seen"))
            .otherwise(None)
            .cast(pl.Int64)
            .alias("days_since_txn"),
            (pl.lit(EPOCH) + pl.duration(days=pl.col("asof_d"))).cast(pl.Date).alias("as_of"),
        )
    )
    ad = pl.col("as_of")
    rows = rows.with_columns(
        _whole_months(pl.col("f"), ad).alias("tenure_months"),
        pl.when(pl.col("kind") == "individual")
        .then(_whole_months(pl.col("birth"), ad) // 12)
        .otherwise(None)
        .alias("age"),
    )
    rows = _with_tiers(rows)
    return rows.select(
        "month",
        "customer_id",
        "as_of",
        "kind",
        "unit_id",
        "manager_id",
        "aum_end",
        "aum_avg",
        *[f"{p}_{w}" for p in part_names for w in ("end", "avg")],
        "loans_outstanding",
        *held_cols,
        *[a.meta.output_name() for a in aggs if a.meta.output_name() != "last_day"],
        "days_since_txn",
        "tenure_months",
        "age",
        "tier",
        "tier_change",
    )


def _whole_months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole months from start to end (None when start is)."""
    months = (end.dt.year() - start.dt.year()) * 12 + end.dt.month() - start.dt.month()
    return (months - (end.dt.day() < start.dt.day()).cast(pl.Int32)).cast(pl.Int64)


def _with_tiers(rows: pl.DataFrame) -> pl.DataFrame:
    """The month's tier (the highest reached) and its change from the month before (sign of the rank step)."""
    deposits = pl.col("demand_avg") + pl.col("time_avg")
    expr: Any = None
    rank: dict[str, int] = {}
    for t in sorted(catalogue.tiers(), key=lambda t: t.rank):  # later (higher) conditions win
        rank[t.code] = t.rank
        measure = pl.col("aum_avg") if t.kind == "individual" else deposits
        reached = measure >= t.min_balance
        if t.min_loans is not None:
            reached = reached | (pl.col("loans_outstanding") >= t.min_loans)
        cond = (pl.col("kind") == t.kind) & reached
        expr = (
            pl.when(cond).then(pl.lit(t.code)) if expr is None else pl.when(cond).then(pl.lit(t.code)).otherwise(expr)
        )
    rows = rows.with_columns(expr.alias("tier"))
    ranks = pl.col("tier").replace_strict(rank, default=None)
    prev_rank = (
        pl.when(pl.col("mi") == 0)
        .then(pl.col("tier_before").replace_strict(rank, default=None))
        .when(pl.col("mi").shift(1).over("customer_id") == pl.col("mi") - 1)
        .then(pl.col("tier").shift(1).over("customer_id").replace_strict(rank, default=None))
        .otherwise(None)
    )
    return rows.with_columns((ranks - prev_rank).sign().cast(pl.Int64).alias("tier_change"))
