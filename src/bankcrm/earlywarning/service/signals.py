"""The signals evaluated: the snapshot's (polars over six months of customer_month, in chunks of customers) and
the events' (holdings, manager changes, groups and circles, as of the bank's day); per customer the signals fired
with their figures, and the context a warning needs (branch, manager, tier, AUM, the value before the decline)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.earlywarning import catalogue
from bankcrm.earlywarning.catalogue import Signal
from bankcrm.earlywarning.repository import events, snapshot
from bankcrm.insight.service.compute import add_months

CHUNK = 20_000
MONTHS = 6  # months read: the value before a decline is the highest month-end AUM among them
SNAPSHOT = ("AUM_DROP", "TRANSFER_OUT", "PRODUCTS_DOWN", "DORMANT", "SALARY_STOPPED")
LOST = "LOST"  # lifecycle stage of a customer already gone: no warning, the win-back list is theirs


@dataclass
class Hit:
    """One signal fired for one customer, with the figures its reason shows."""

    signal: str
    figures: dict[str, Any]


@dataclass
class Evaluation:
    """What one evaluation found: fired signals per customer, and each customer's context."""

    month: date | None
    hits: dict[int, list[Hit]] = field(default_factory=dict)
    context: dict[int, dict[str, Any]] = field(default_factory=dict)
    customers: int = 0


def wide(frame: pl.DataFrame, month: date, depth: int) -> pl.DataFrame:
    """One row per customer with a row in ``month``: each figure suffixed by months back (``aum_0`` .. ``aum_5``)."""
    figures = [c for c in snapshot.COLUMNS if c not in ("customer_id", "month")]
    cur = frame.filter(pl.col("month") == month)
    out = cur.select("customer_id", *[pl.col(c).alias(f"{c}_0") for c in figures])
    for k in range(1, depth):
        back = frame.filter(pl.col("month") == add_months(month, -k))
        out = out.join(
            back.select("customer_id", *[pl.col(c).alias(f"{c}_{k}") for c in figures]), on="customer_id", how="left"
        )
    return out


def snapshot_columns(df: pl.DataFrame, sig: dict[str, Signal]) -> pl.DataFrame:
    """The snapshot signals' figures and whether each fired (``<CODE>`` boolean columns)."""
    exprs: list[pl.Expr] = []
    if "AUM_DROP" in sig:
        w = sig["AUM_DROP"].window
        before = pl.col(f"aum_{w}")
        pct = pl.when(before > 0).then((before - pl.col("aum_0")) * 100.0 / before)
        exprs += [pct.alias("aum_drop_pct"), before.alias("aum_before")]
    if "TRANSFER_OUT" in sig:
        w = sig["TRANSFER_OUT"].window
        exprs += [
            pl.sum_horizontal([pl.col(f"transfer_count_{k}").fill_null(0) for k in range(w)]).alias("transfers"),
            pl.sum_horizontal([pl.col(f"transfer_amount_{k}").fill_null(0) for k in range(w)]).alias("transferred"),
        ]
    if "PRODUCTS_DOWN" in sig:
        w = sig["PRODUCTS_DOWN"].window
        exprs.append((pl.col(f"products_{w}") - pl.col("products_0")).alias("products_fewer"))
    if "SALARY_STOPPED" in sig:
        w = sig["SALARY_STOPPED"].window
        paid = [pl.col(f"salary_count_{k}").fill_null(0) > 0 for k in range(1, w + 1)]
        last = pl.coalesce(
            [pl.when(pl.col(f"salary_count_{k}") > 0).then(pl.col(f"salary_amount_{k}")) for k in range(1, w + 1)]
        )
        exprs += [pl.sum_horizontal(paid).alias("salary_months"), last.alias("salary_last")]
    df = df.with_columns(exprs)
    fired: list[pl.Expr] = []
    for code in SNAPSHOT:
        if code not in sig:
            continue
        t = sig[code].threshold
        cond = {
            "AUM_DROP": pl.col("aum_drop_pct") >= t,
            "TRANSFER_OUT": pl.col("transfers") >= t,
            "PRODUCTS_DOWN": pl.col("products_fewer") >= t,
            "DORMANT": pl.col("days_since_txn_0") >= t,
            "SALARY_STOPPED": (pl.col("salary_count_0") == 0) & (pl.col("salary_months") >= t),
        }[code]
        fired.append(cond.fill_null(False).alias(code))
    return df.with_columns(fired)


def figures_of(code: str, row: dict[str, Any], sig: Signal) -> dict[str, Any]:
    """A snapshot signal's figures for its reason."""
    if code == "AUM_DROP":
        return {
            "pct": round(row["aum_drop_pct"]),
            "months": sig.window,
            "before": row["aum_before"],
            "now": row["aum_0"],
        }
    if code == "TRANSFER_OUT":
        return {"count": row["transfers"], "amount": row["transferred"], "months": sig.window}
    if code == "PRODUCTS_DOWN":
        return {"before": row[f"products_{sig.window}"], "now": row["products_0"], "months": sig.window}
    if code == "DORMANT":
        return {"days": row["days_since_txn_0"]}
    return {"paid": row["salary_months"], "months": sig.window, "amount": row["salary_last"] or 0}


def frames(db: Session, month: date, depth: int = MONTHS) -> Iterator[pl.DataFrame]:
    """The wide frame of every customer of the month, chunk by chunk, with the snapshot signals computed."""
    sig = {c: s for c, s in catalogue.active().items() if c in SNAPSHOT}
    depth = max(depth, *(s.window + 1 for s in sig.values()))
    months = [add_months(month, -k) for k in range(depth)]
    ids = snapshot.customers_of(db, month)
    schema: dict[str, Any] = {c: pl.Int64 for c in snapshot.COLUMNS}
    schema |= {"month": pl.Date, "tier": pl.Utf8, "stage": pl.Utf8}
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        frame = snapshot.frame(db, months, part[0], part[-1], schema)
        yield snapshot_columns(wide(frame, month, depth), sig)


def event_hits(db: Session, today: date) -> dict[str, dict[int, dict[str, Any]]]:
    """Signal → customer → figures, for the active signals read outside the snapshot."""
    sig = catalogue.active()
    out: dict[str, dict[int, dict[str, Any]]] = {}
    if "MATURED_NOT_RENEWED" in sig:
        s = sig["MATURED_NOT_RENEWED"]
        found = events.matured_not_renewed(db, today, s.window)
        out[s.code] = {c: f for c, f in found.items() if f["count"] >= s.threshold}
    if "EARLY_WITHDRAWAL" in sig:
        s = sig["EARLY_WITHDRAWAL"]
        found = events.early_withdrawals(db, today, s.window)
        out[s.code] = {c: f for c, f in found.items() if f["count"] >= s.threshold}
    troubled: dict[int, dict[str, Any]] = {}
    if "LOAN_TROUBLE" in sig or "RELATED_TROUBLE" in sig:
        threshold = sig["LOAN_TROUBLE"].threshold if "LOAN_TROUBLE" in sig else 30
        troubled = events.loan_trouble(db, threshold)
    if "LOAN_TROUBLE" in sig:
        out["LOAN_TROUBLE"] = troubled
    if "MANAGER_CHANGED" in sig:
        out["MANAGER_CHANGED"] = events.manager_changes(db, today, sig["MANAGER_CHANGED"].window)
    if "RELATED_TROUBLE" in sig:
        s = sig["RELATED_TROUBLE"]
        found = events.related_trouble(db, set(troubled))
        out[s.code] = {c: f for c, f in found.items() if f["members"] >= s.threshold}
    return out


def evaluate(db: Session, today: date, month: date | None = None) -> Evaluation:
    """Every active signal for every customer of the month (default: the newest completed), as of ``today``."""
    month = month or snapshot.newest_completed(db)
    result = Evaluation(month)
    if month is None:
        return result
    sig = catalogue.active()
    by_event = event_hits(db, today)
    snap = [c for c in SNAPSHOT if c in sig]
    for frame in frames(db, month):
        result.customers += frame.height
        live = frame.filter(pl.col("stage_0").fill_null("") != LOST)
        fired_any = pl.any_horizontal([pl.col(c) for c in snap]) if snap else pl.lit(False)
        with_events = set().union(*(set(h) for h in by_event.values())) if by_event else set()
        wanted = live.filter(fired_any | pl.col("customer_id").is_in(list(with_events)))
        aum_cols = [f"aum_{k}" for k in range(MONTHS) if f"aum_{k}" in frame.columns]
        wanted = wanted.with_columns(pl.max_horizontal(aum_cols).alias("value_before"))
        for row in wanted.iter_rows(named=True):
            cid = row["customer_id"]
            hits = [Hit(c, figures_of(c, row, sig[c])) for c in snap if row[c]]
            hits += [Hit(code, found[cid]) for code, found in by_event.items() if cid in found]
            if not hits:
                continue
            result.hits[cid] = hits
            result.context[cid] = {
                "unit_id": row["unit_id_0"],
                "manager_id": row["manager_id_0"],
                "tier": row["tier_0"],
                "aum": row["aum_0"],
                "value_before": row["value_before"] or 0,
            }
    return result


def score(hits: list[Hit]) -> int:
    """The sum of the fired signals' weights."""
    sig = catalogue.active()
    return sum(sig[h.signal].weight for h in hits if h.signal in sig)


def leading(hits: list[Hit]) -> str:
    """The heaviest signal fired (the first in catalogue order on a tie)."""
    sig = catalogue.active()
    return max(hits, key=lambda h: (sig[h.signal].weight, -sig[h.signal].order)).signal
