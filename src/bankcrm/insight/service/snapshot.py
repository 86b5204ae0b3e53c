"""The nightly snapshot step: this month's and last month's rows of the customers whose holdings or record changed
(all customers when ``full``), or every month of delivered history (``backfill``); then the month's RFM scores
over the whole bank, and months past the 36 kept are pruned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.db import bulk_cache
from bankcrm.insight import catalogue, repository
from bankcrm.insight.service.compute import add_months, compute, local_midnight_utc, month_start, months_between
from bankcrm.kit.time import utcnow

CHUNK = 2_000  # customers per round trip: bounded memory, IN lists both databases take
KEPT_MONTHS = 36
NIGHTLY_MONTHS = 2  # last month too: a late delivery for its last days still reaches it


@dataclass(frozen=True)
class SnapshotRun:
    """What one snapshot run did."""

    business_date: date
    mode: str  # incremental | full | backfill
    customers: int
    months: list[date]
    rows: int
    pruned: int


def earliest_history(db: Session) -> date | None:
    """The first day of delivered history: the oldest balance or voucher."""
    return repository.earliest_history(db)


def run(
    db: Session,
    business_date: date,
    *,
    timezone: str,
    own_banks: frozenset[str] = frozenset(),
    rfm_high: int = 3,
    full: bool = False,
    backfill: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SnapshotRun:
    """Compute and store the snapshot as of a business date; flush only (the boundary commits).

    A backfill or a full run writes every customer's months, then scores each month over all its rows, in one
    transaction: SQLite gets a large page cache for it (``bulk_cache``), and each chunk's rows go in month by
    month, so that a month's rows lie together and its scoring pass rewrites only its own pages (in customer
    order, each customer's months lay side by side and every month's pass rewrote most of the table's pages).
    """
    if not (full or backfill):
        return _run(db, business_date, timezone, own_banks, rfm_high, full, backfill, progress)
    with bulk_cache(db):
        return _run(db, business_date, timezone, own_banks, rfm_high, full, backfill, progress)


def _run(
    db: Session,
    business_date: date,
    timezone: str,
    own_banks: frozenset[str],
    rfm_high: int,
    full: bool,
    backfill: bool,
    progress: Callable[[int], None] | None,
) -> SnapshotRun:
    current = month_start(business_date)
    oldest = add_months(current, -(KEPT_MONTHS - 1))
    if backfill:
        first = repository.earliest_history(db) or current
        months = months_between(max(oldest, month_start(first)), current)
    else:
        months = months_between(add_months(current, -(NIGHTLY_MONTHS - 1)), current)
    if full or backfill:
        ids = repository.customers_with_holdings(db)
        mode = "backfill" if backfill else "full"
    else:
        ids = repository.changed_since(db, repository.last_computed(db), current)
        mode = "incremental"
    now = utcnow()
    start = local_midnight_utc(months[0], timezone)
    end = local_midnight_utc(business_date + timedelta(days=1), timezone)
    written = 0
    sqlite = repository.is_sqlite(db)
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        frame = compute(
            part,
            months,
            business_date,
            timezone=timezone,
            own_banks=own_banks,
            customers=repository.customer_rows(db, part),
            accounts=repository.account_rows(db, part),
            loans=repository.loan_rows(db, part),
            balances=repository.balance_rows(db, part, months[0], business_date),
            vouchers=repository.voucher_rows(db, part, start, end),
            last_before=repository.last_voucher_before(db, part, start),
            tiers_before=repository.tiers_in(db, part, add_months(months[0], -1)),
        )
        frame = frame.with_columns(pl.lit(now).alias("computed_at")).sort("month", "customer_id")
        frame = frame.select(repository.insert_order(frame.columns))
        if sqlite:
            frame = sqlite_text(frame)
        repository.replace_rows(db, part, months, frame.columns, frame.rows())
        written += frame.height
        if progress is not None:
            progress(len(part))
    for month in months:
        score_month(db, month, rfm_high, every_row=mode != "incremental")
    pruned = repository.prune(db, oldest)
    repository.analyse(db)
    return SnapshotRun(business_date, mode, len(ids), months, written, pruned)


def sqlite_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and times as the text SQLAlchemy stores on SQLite ('2026-10-01', '2026-10-31 16:00:00.000000', UTC)."""
    return frame.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
        pl.col("computed_at")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .dt.strftime("%Y-%m-%d %H:%M:%S.%6f"),
    )


def quintile_cuts(values: pl.Series) -> list[int]:
    """The 20th, 40th, 60th and 80th percentiles (the lower value where they fall between two)."""
    values = values.drop_nulls()
    if values.is_empty():
        return []
    return [int(values.quantile(q, interpolation="lower")) for q in (0.2, 0.4, 0.6, 0.8)]  # type: ignore[arg-type]


def score_month(db: Session, month: date, rfm_high: int, *, every_row: bool = True) -> None:
    """RFM scores (quintiles within the bank) and groups of every row of a month."""
    metrics = repository.month_metrics(db, month)
    # Recency ranks like the others with fewer days as more: the cut points of the negated days, turned back.
    recency = [-c for c in quintile_cuts(-metrics["days"])]
    frequency = quintile_cuts(metrics["freq"])
    monetary = quintile_cuts(metrics["aum"])
    by_flags: dict[tuple[bool, bool, bool], str] = {
        (g.recency == "H", g.frequency == "H", g.monetary == "H"): g.code for g in catalogue.rfm_groups()
    }
    groups = (rfm_high, by_flags)
    repository.write_scores(db, month, recency, frequency, monetary, groups, every_row=every_row)
