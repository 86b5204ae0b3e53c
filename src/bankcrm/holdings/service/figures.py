"""Nightly derived figures: AUM, deposits, loans, monthly average, product count, last transaction, 12-month series."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.holdings import repository
from bankcrm.holdings.repository import AUM_CATEGORIES, CREDIT_CARD, DEPOSIT_CATEGORIES
from bankcrm.kit.time import to_local, utcnow

CHUNK = 2_000  # customers per round trip: bounded memory, IN lists both databases take


@dataclass(frozen=True)
class FiguresReport:
    """What a figures run did."""

    as_of: date
    customers: int
    full: bool


def month_starts(as_of: date, months: int = 12) -> list[date]:
    """First days of the ``months`` months ending with as_of's month, oldest first."""
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def latest_business_date(db: Session) -> date | None:
    """The newest business date any file was loaded for (the figures' as-of date)."""
    return repository.latest_business_date(db)


def recompute(
    db: Session,
    as_of: date,
    timezone: str,
    *,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> FiguresReport:
    """Recompute figures for queued customers (or all with holdings when ``full``), as of a business date."""
    ids = repository.customers_with_holdings(db) if full else repository.dirty_customer_ids(db)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        repository.replace_figures(db, part, _figures(db, part, as_of, timezone))
        if progress is not None:
            progress(len(part))
    return FiguresReport(as_of=as_of, customers=len(ids), full=full)


def _figures(db: Session, ids: list[int], as_of: date, timezone: str) -> list[dict[str, object]]:
    months = month_starts(as_of)
    aum: dict[int, int] = defaultdict(int)
    deposits: dict[int, int] = defaultdict(int)
    loans: dict[int, int] = defaultdict(int)
    products: dict[int, int] = defaultdict(int)
    for customer, category, total, overdrawn, count in repository.account_totals(db, ids):
        products[customer] += count
        if category in AUM_CATEGORIES:
            aum[customer] += total
        if category in DEPOSIT_CATEGORIES:
            deposits[customer] += total
        if category == CREDIT_CARD:
            loans[customer] += total
        else:
            # An overdraft is money the customer owes: a liability, never negative assets.
            loans[customer] += overdrawn
    for customer, outstanding, count in repository.loan_totals(db, ids):
        loans[customer] += outstanding
        products[customer] += count
    last = {c: to_local(t, timezone).date() for c, t in repository.last_transactions(db, ids)}
    # Month-end AUM = the customer's total on the last snapshot day of each month; average over this month's days.
    month_end: dict[int, dict[date, tuple[date, int]]] = defaultdict(dict)
    this_month: dict[int, list[int]] = defaultdict(list)
    for customer, day, total in repository.daily_aum(db, ids, months[0], as_of):
        key = date(day.year, day.month, 1)
        seen = month_end[customer].get(key)
        if seen is None or seen[0] < day:
            month_end[customer][key] = (day, total)
        if key == months[-1]:
            this_month[customer].append(total)
    now = utcnow()
    rows = []
    for customer in ids:
        ends = month_end.get(customer, {})
        series = [[m.strftime("%Y-%m"), ends[m][1] if m in ends else None] for m in months]
        days = this_month.get(customer, [])
        rows.append(
            {
                "customer_id": customer,
                "as_of": as_of,
                "aum": aum[customer],
                "deposit_balance": deposits[customer],
                "loan_balance": loans[customer],
                "monthly_avg_balance": sum(days) // len(days) if days else aum[customer],
                "product_count": products[customer],
                "last_txn_date": last.get(customer),
                "balance_series": json.dumps(series),
                "computed_at": now,
            }
        )
    return rows
