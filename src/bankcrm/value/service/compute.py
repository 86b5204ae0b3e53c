"""Monthly contribution per customer, line by line, computed set-based (SQL aggregates, Polars arithmetic).

For a month M priced from its first day to ``end`` (the month's last day, or the business date in the running
month), ``days`` = days in that period, and the pricing in force on M's first day:

- deposit margin (DEMAND, TIME accounts) = average balance × (FTP rate of the product's term − customer rate)
  × days / 365; average balance = the mean of the account's delivered snapshot balances in the period
  (overdrawn days count as zero), rounded half away from zero to the fen;
- loan margin = outstanding × (customer rate − FTP rate of the contract's term) × days / 365, where days are
  the days of the period the loan was drawn (loan contracts carry no daily history: the delivered outstanding
  stands for the average);
- expected loss = − outstanding × annual provision rate of its five-category class × days / 365;
- fee income = fees debited less fees refunded on vouchers whose purpose is FEE (or filed under it), in the
  bank's time zone's month;
- service cost per product = − accounts and contracts open in the period per product category × monthly cost
  × days / days in the month; per transaction = − vouchers per channel × cost per voucher.

Day count ACT/365 (fixed). Every amount is rounded half away from zero to the fen once, per line.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.kit.time import utcnow
from bankcrm.value import repository
from bankcrm.value.service.pricing import Pricing, in_force

YEAR_DAYS = 365
BP = 10_000
KINDS = ("deposit_margin", "loan_margin", "expected_loss", "fee_income", "service_product", "service_txn")
COLUMNS = [
    "customer_id",
    "kind",
    "ref",
    "product_code",
    "days",
    "count",
    "avg_balance",
    "customer_rate_bp",
    "ftp_rate_bp",
    "amount",
]


@dataclass(frozen=True)
class MonthReport:
    """What one month's computation wrote."""

    month: date
    as_of: date
    customers: int
    lines: int
    total: int


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of a month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def rounded(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """numerator / denominator rounded half away from zero, in integers (no float ever touches money)."""
    magnitude = (numerator.abs() * 2 + denominator) // (2 * denominator)
    return pl.when(numerator < 0).then(-magnitude).otherwise(magnitude)


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)


CHUNK = 2_000  # changed customers per round trip: IN lists both databases take


def compute_month(db: Session, month: date, as_of: date, timezone: str, *, full: bool = True) -> MonthReport:
    """Replace a month's lines: priced with the rules above, from the month's first day to min(month end, as_of).

    Not ``full`` (the nightly): when the month's lines were all computed as of one business date in the month,
    no later than this one, and no pricing change approved since reprices the month, only the customers whose
    facts changed since (``repository.changed_customers``) are recomputed; every other line is moved on to the
    new business date in place (``repository.move_on``); when more than half changed, the month is recomputed
    whole. The lines are then those a full computation gives.
    """
    month = month_start(month)
    end = min(month_end(month), as_of)
    if end < month:
        raise ValueError(f"month {month:%Y-%m} starts after the business date {as_of}")
    days = (end - month).days + 1
    pricing = in_force(db, month)
    now = utcnow()
    low, high, at = (None, None, None) if full else repository.month_state(db, month)
    if low is None or high is None or at is None or low != high or high > end or high < month:
        return _write(db, month, as_of, _lines(db, pricing, month, end, days, timezone, None), now)
    if repository.pricing_changed_since(db, at, month):
        return _write(db, month, as_of, _lines(db, pricing, month, end, days, timezone, None), now)
    ids = repository.changed_customers(
        db,
        at,
        high,
        end,
        _local_midnight(high + timedelta(days=1), timezone),
        _local_midnight(end + timedelta(days=1), timezone),
    )
    if len(ids) * 2 > repository.customers_in_month(db, month):
        # Most customers changed (a daily balance delivery for every account does that): one whole pass is cheaper.
        return _write(db, month, as_of, _lines(db, pricing, month, end, days, timezone, None), now)
    if end > high:
        costs = {k: v for k, v in pricing.parameters.get("service_product", {}).items() if v > 0}
        repository.move_on(db, month, as_of, days, (end - high).days, month_end(month).day, costs, now)
    lines = 0
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        part_lines = _lines(db, pricing, month, end, days, timezone, part)
        repository.replace_lines(db, month, part, part_lines, _fixed(month, as_of, now))
        lines += part_lines.height
    return MonthReport(month, as_of, len(ids), lines, 0)


def _lines(
    db: Session, pricing: Pricing, month: date, end: date, days: int, timezone: str, ids: list[int] | None
) -> pl.DataFrame:
    """The month's lines of these customers (None: all), in the order of the explanation."""
    frames = [
        _deposits(db, pricing, month, end, days, ids),
        *_loans(db, pricing, month, end, ids),
        _fees(db, month, end, days, timezone, ids),
        _service_products(db, pricing, month, end, days, ids),
        _service_txns(db, pricing, month, end, days, timezone, ids),
    ]
    lines = (
        pl.concat([f.select(COLUMNS) for f in frames if f.height], how="vertical_relaxed")
        if any(f.height for f in frames)
        else pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.Int64))
    )
    order = {k: i for i, k in enumerate(KINDS)}
    if lines.height:
        lines = lines.with_columns(pl.col("kind").replace_strict(order, return_dtype=pl.Int32).alias("_k")).sort(
            ["customer_id", "_k", "ref"]
        )
    return lines.drop("_k", strict=False)


def _fixed(month: date, as_of: date, now: datetime) -> dict[str, Any]:
    """The values every line of a computation shares."""
    return {"month": month, "as_of": as_of, "computed_at": now}


def _write(db: Session, month: date, as_of: date, lines: pl.DataFrame, now: datetime) -> MonthReport:
    repository.replace_month(db, month, lines, _fixed(month, as_of, now))
    total = int(lines["amount"].sum()) if lines.height else 0
    customers = lines["customer_id"].n_unique() if lines.height else 0
    return MonthReport(month, as_of, customers, lines.height, total)


def _deposits(db: Session, pricing: Pricing, month: date, end: date, days: int, ids: list[int] | None) -> pl.DataFrame:
    rows = repository.deposit_balances(db, month, end, ids)
    if not rows:
        return pl.DataFrame()
    data = []
    for _id, customer, product, currency, rate, masked, term, total, count in rows:
        curve = pricing.curves.get(currency)
        if curve is None:  # no curve for the currency: nothing to price it with
            continue
        _, ftp = curve.bucket(term)
        data.append((customer, product, masked, rate or 0, ftp, int(total), int(count)))
    frame = pl.DataFrame(
        data,
        schema={
            "customer_id": pl.Int64,
            "product_code": pl.Utf8,
            "ref": pl.Utf8,
            "customer_rate_bp": pl.Int64,
            "ftp_rate_bp": pl.Int64,
            "_sum": pl.Int64,
            "_n": pl.Int64,
        },
        orient="row",
    )
    if not frame.height:
        return frame
    avg = (pl.col("_sum") * 2 + pl.col("_n")) // (pl.col("_n") * 2)  # sums are ≥ 0: half up
    frame = frame.with_columns(avg.alias("avg_balance"))
    spread = pl.col("ftp_rate_bp") - pl.col("customer_rate_bp")
    return frame.with_columns(
        pl.lit("deposit_margin").alias("kind"),
        pl.lit(days, pl.Int64).alias("days"),
        pl.lit(0, pl.Int64).alias("count"),
        rounded(pl.col("avg_balance") * spread * days, BP * YEAR_DAYS).alias("amount"),
    )


def _loans(db: Session, pricing: Pricing, month: date, end: date, ids: list[int] | None) -> list[pl.DataFrame]:
    rows = repository.live_loans(db, month, end, ids)
    data = []
    for _id, customer, product, currency, rate, masked, term, klass, outstanding, start in rows:
        curve = pricing.curves.get(currency)
        if curve is None:
            continue
        _, ftp = curve.bucket(term)
        drawn_days = (end - max(start, month)).days + 1
        provision = pricing.parameter("provision", klass)
        data.append((customer, product, masked, rate, ftp, provision, int(outstanding), drawn_days))
    if not data:
        return []
    frame = pl.DataFrame(
        data,
        schema={
            "customer_id": pl.Int64,
            "product_code": pl.Utf8,
            "ref": pl.Utf8,
            "customer_rate_bp": pl.Int64,
            "ftp_rate_bp": pl.Int64,
            "_provision": pl.Int64,
            "avg_balance": pl.Int64,
            "days": pl.Int64,
        },
        orient="row",
    )
    base = pl.col("avg_balance") * pl.col("days")
    margin = frame.with_columns(
        pl.lit("loan_margin").alias("kind"),
        pl.lit(0, pl.Int64).alias("count"),
        rounded(base * (pl.col("customer_rate_bp") - pl.col("ftp_rate_bp")), BP * YEAR_DAYS).alias("amount"),
    )
    loss = frame.with_columns(
        pl.lit("expected_loss").alias("kind"),
        pl.lit(0, pl.Int64).alias("count"),
        pl.lit(None, pl.Int64).alias("customer_rate_bp"),
        pl.col("_provision").alias("ftp_rate_bp"),
        (-rounded(base * pl.col("_provision"), BP * YEAR_DAYS)).alias("amount"),
    )
    return [margin, loss]


def _fees(db: Session, month: date, end: date, days: int, timezone: str, ids: list[int] | None) -> pl.DataFrame:
    purposes = repository.fee_purposes(db)
    since, until = _local_midnight(month, timezone), _local_midnight(end + timedelta(days=1), timezone)
    rows = repository.fee_totals(db, purposes, since, until, ids) if purposes else []
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(
        [(c, int(t), int(n)) for c, t, n in rows],
        schema={"customer_id": pl.Int64, "amount": pl.Int64, "count": pl.Int64},
        orient="row",
    )
    return frame.with_columns(
        pl.lit("fee_income").alias("kind"),
        pl.lit("FEE").alias("ref"),
        pl.lit(None, pl.Utf8).alias("product_code"),
        pl.lit(days, pl.Int64).alias("days"),
        *[pl.lit(None, pl.Int64).alias(c) for c in ("avg_balance", "customer_rate_bp", "ftp_rate_bp")],
    )


def _service_products(
    db: Session, pricing: Pricing, month: date, end: date, days: int, ids: list[int] | None
) -> pl.DataFrame:
    rows = repository.product_counts(db, month, end, ids)
    if not rows:
        return pl.DataFrame()
    month_days = month_end(month).day
    frame = pl.DataFrame(
        [(c, k, n, pricing.parameter("service_product", k)) for c, k, n in rows],
        schema={"customer_id": pl.Int64, "ref": pl.Utf8, "count": pl.Int64, "_cost": pl.Int64},
        orient="row",
    )
    frame = frame.group_by(["customer_id", "ref"]).agg(pl.col("count").sum(), pl.col("_cost").first())
    return frame.filter(pl.col("_cost") > 0).with_columns(
        pl.lit("service_product").alias("kind"),
        pl.lit(None, pl.Utf8).alias("product_code"),
        pl.lit(days, pl.Int64).alias("days"),
        (-rounded(pl.col("count") * pl.col("_cost") * days, month_days)).alias("amount"),
        *[pl.lit(None, pl.Int64).alias(c) for c in ("avg_balance", "customer_rate_bp", "ftp_rate_bp")],
    )


def _service_txns(
    db: Session, pricing: Pricing, month: date, end: date, days: int, timezone: str, ids: list[int] | None
) -> pl.DataFrame:
    since, until = _local_midnight(month, timezone), _local_midnight(end + timedelta(days=1), timezone)
    rows = repository.voucher_counts(db, since, until, ids)
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(
        [(c, ch, int(n), pricing.parameter("service_txn", ch)) for c, ch, n in rows],
        schema={"customer_id": pl.Int64, "ref": pl.Utf8, "count": pl.Int64, "_cost": pl.Int64},
        orient="row",
    )
    return frame.filter(pl.col("_cost") > 0).with_columns(
        pl.lit("service_txn").alias("kind"),
        pl.lit(None, pl.Utf8).alias("product_code"),
        pl.lit(days, pl.Int64).alias("days"),
        (-(pl.col("count") * pl.col("_cost"))).alias("amount"),
        *[pl.lit(None, pl.Int64).alias(c) for c in ("avg_balance", "customer_rate_bp", "ftp_rate_bp")],
    )


BACKFILL_MONTHS = 12  # a first run computes the last year of delivered balances


def months_due(db: Session, as_of: date, *, history: int = BACKFILL_MONTHS) -> list[date]:
    """The months the nightly step computes: the running one; a closed month computed before it closed; and,
    on a first run, every month of the last ``history`` with delivered balances (the backfill)."""
    running = month_start(as_of)
    done = repository.computed_months(db)
    first = repository.first_snapshot_day(db)
    due = []
    for n in range(history - 1, 0, -1):
        month = add_months(running, -n)
        if first is None or month_end(month) < first:
            continue
        if month not in done or done[month] < month_end(month):
            due.append(month)
    return [*due, running]
