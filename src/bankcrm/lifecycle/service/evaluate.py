"""The monthly evaluation: every customer of a month at once (polars over the snapshot, in chunks), the first
rule that holds names the stage; a change is a move, stored with the rule and the figures it read."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.insight.service.compute import add_months
from bankcrm.kit.time import utcnow
from bankcrm.lifecycle import catalogue, repository
from bankcrm.lifecycle.catalogue import FIGURES, NONE, Condition, Rule
from bankcrm.models.task import Task, TaskStatus

CHUNK = 20_000  # customers per round trip: four months of a few columns each stay small
NO_RULE = "NO_RULE"  # no rule held for a customer evaluated first: a prospect until one does


@dataclass(frozen=True)
class MonthRun:
    """What evaluating one month did."""

    month: date
    customers: int
    moves: int
    tasks: int


def month_end(month: date) -> date:
    """The month's last day."""
    return add_months(month, 1) - timedelta(days=1)


def figures_frame(df: pl.DataFrame, month: date) -> pl.DataFrame:
    """Per customer with a row in ``month``: every figure of FIGURES, from the month and the three before
    (``df``: the rows of ``repository.figure_rows``)."""
    m1, m2, m3 = (add_months(month, -n) for n in (1, 2, 3))
    cur = df.filter(pl.col("month") == month).drop("month", "stage").sort("customer_id")
    before = df.filter(pl.col("month") == m1).select(
        "customer_id",
        pl.col("aum").alias("aum_1m_ago"),
        pl.col("products").alias("products_1m_ago"),
        pl.col("stage").alias("stage_before"),
    )
    three = df.filter(pl.col("month") == m3).select("customer_id", pl.col("aum").alias("aum_3m_ago"))
    window = (
        df.filter(pl.col("month").is_in([m2, m1, month]))
        .group_by("customer_id")
        .agg(pl.col("aum").max().alias("top"), pl.len().alias("n"))
    )
    out = cur.join(before, on="customer_id", how="left").join(three, on="customer_id", how="left")
    out = out.join(window, on="customer_id", how="left")

    def change(old: str) -> pl.Expr:
        return pl.when(pl.col(old) > 0).then((pl.col("aum") - pl.col(old)) * 100.0 / pl.col(old)).otherwise(None)

    return out.with_columns(
        pl.col("stage_before").fill_null(NONE),
        pl.when(pl.col("n") == 3).then(pl.col("top")).otherwise(None).alias("aum_max_3m"),
        change("aum_1m_ago").alias("aum_change_1m_pct"),
        change("aum_3m_ago").alias("aum_change_3m_pct"),
        (pl.col("products") - pl.col("products_1m_ago")).alias("products_change_1m"),
    ).drop("top", "n")


def condition(c: Condition) -> pl.Expr:
    """One condition as a polars expression (a missing figure makes it false)."""
    col = pl.col(c.figure)
    if isinstance(c.value, tuple):
        return col.is_in(list(c.value))
    ops: dict[str, Callable[[pl.Expr, float], pl.Expr]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
    }
    return ops[c.op](col, c.value).fill_null(False)


def decide(frame: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """``frame`` with ``new_stage`` and ``rule``: the first rule holding, else the stage kept."""
    stage: Any = pl
    code: Any = pl
    for r in rules:
        held = pl.all_horizontal([condition(c) for c in r.conditions])
        stage = stage.when(held).then(pl.lit(r.to_stage))
        code = code.when(held).then(pl.lit(r.code))
    kept = pl.when(pl.col("stage_before") == NONE).then(pl.lit("PROSPECT")).otherwise(pl.col("stage_before"))
    none_held = pl.when(pl.col("stage_before") == NONE).then(pl.lit(NO_RULE)).otherwise(None)
    return frame.with_columns(stage.otherwise(kept).alias("new_stage"), code.otherwise(none_held).alias("rule"))


def shown(figure: str, value: Any) -> Any:
    """A figure as stored in a move: money and counts whole, percentages to one decimal."""
    if value is None:
        return None
    return round(value, 1) if FIGURES[figure][1] == "pct" else int(value)


@dataclass
class Decided:
    """What a run of several months has decided so far: each customer's last month decided (their current stage
    is refreshed from it once, at the end: ``refresh_stages``), and (customer, month, AUM, products, stage) of the
    last three months decided, which the next month reads instead of reading them back from the snapshot."""

    last_month: dict[int, date] = field(default_factory=dict)
    months: dict[date, pl.DataFrame] = field(default_factory=dict)


CARRIED = ["customer_id", "month", "aum", "products", "stage"]


def evaluate_month(
    db: Session,
    month: date,
    *,
    raise_tasks: bool,
    today: date,
    only: set[int] | None = None,
    decided: Decided | None = None,
) -> MonthRun:
    """Decide every customer of the month (or those of ``only``), fill the snapshot, store the moves, raise the
    playbook's tasks. Each customer's current stage is refreshed here, or, given ``decided`` (a run's months in
    order, with the same ``only``), left to the caller; the months before that ``decided`` holds are taken from it.
    """
    rules = catalogue.rules()
    by_code = {r.code: r for r in rules}
    plays = catalogue.playbook()
    months = [add_months(month, -n) for n in (3, 2, 1, 0)]
    # A month this run decided holds, for every customer it may read, exactly the rows the snapshot holds now.
    carried = [m for m in months[:3] if decided is not None and m in decided.months]
    read = [m for m in months if m not in carried]
    ids = repository.customers_of(db, month)
    if only is not None:
        ids = [c for c in ids if c in only]
    now = utcnow()
    moves = tasks = 0
    done: list[pl.DataFrame] = []
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows = repository.figure_rows(db, read, part, dense=only is None)
        if decided is not None and carried:
            before = [decided.months[m].filter(pl.col("customer_id").is_in(part)) for m in carried]
            rows = pl.concat([rows, *before], how="diagonal")
        frame = decide(figures_frame(rows, month), rules)
        if decided is not None:
            done.append(
                frame.select(
                    *CARRIED[:1], pl.lit(month).alias("month"), *CARRIED[2:4], pl.col("new_stage").alias("stage")
                )
            )
        for (stage,), group in frame.group_by(["new_stage"]):
            repository.set_stages(db, month, str(stage), group["customer_id"].to_list())
        changed = frame.filter(pl.col("new_stage") != pl.col("stage_before")).to_dicts()
        history = []
        for row in changed:
            rule = by_code.get(row["rule"])
            names = rule.figures() if rule else ["products"]
            figures = {n: shown(n, row[n]) for n in names if n != "stage_before"}
            history.append(
                {
                    "customer_id": row["customer_id"],
                    "month": month,
                    "from_stage": None if row["stage_before"] == NONE else row["stage_before"],
                    "to_stage": row["new_stage"],
                    "rule": row["rule"],
                    "figures": json.dumps(figures, sort_keys=True),
                    "decided_at": now,
                }
            )
        repository.replace_history(db, month, part, history)
        moves += len(history)
        if raise_tasks:
            tasks += _raise(db, month, part, [h for h in history if h["to_stage"] in plays], plays, today)
        if decided is None:
            repository.refresh_current(db, part, month, now)
        else:
            decided.last_month.update(dict.fromkeys(part, month))
    if decided is not None:
        empty = pl.DataFrame(schema={c: repository.FIGURE_SCHEMA[c] for c in CARRIED})
        decided.months[month] = pl.concat(done) if done else empty
        for m in [m for m in decided.months if m < months[1]]:  # the next month reads back to this one's m-2
            del decided.months[m]
    db.flush()
    return MonthRun(month, len(ids), moves, tasks)


def refresh_stages(db: Session, decided: Decided) -> None:
    """The current stage of each customer decided by a run, as ``evaluate_month`` refreshes it, from the last
    month the run decided them in (a customer's moves change only in the months that decide them)."""
    now = utcnow()
    by_month: dict[date, list[int]] = {}
    for customer, month in decided.last_month.items():
        by_month.setdefault(month, []).append(customer)
    for month, ids in sorted(by_month.items()):
        ids.sort()
        for i in range(0, len(ids), CHUNK):
            repository.refresh_current(db, ids[i : i + CHUNK], month, now)
    db.flush()


def _raise(
    db: Session, month: date, part: list[int], entries: list[dict[str, Any]], plays: dict[str, Any], today: date
) -> int:
    """One task per stage entry with a play, unless one was raised for that entry before."""
    if not entries:
        return 0
    done = repository.raised(db, month, part)
    todo = [e for e in entries if (e["customer_id"], e["to_stage"]) not in done]
    managers = repository.managers(db, [e["customer_id"] for e in todo])
    for e in todo:
        play = plays[e["to_stage"]]
        task = Task(
            kind=play.task_kind,
            customer_id=e["customer_id"],
            assignee_id=managers.get(e["customer_id"]),
            due_date=today + timedelta(days=play.due_days),
            status=TaskStatus.OPEN.value,
        )
        repository.add_task(db, task, month, e["to_stage"])
    return len(todo)
