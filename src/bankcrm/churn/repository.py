"""Queries of the churn module: the snapshot as a frame, models and their statuses, scores."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from bankcrm.insight import catalogue as insight_catalogue
from bankcrm.models.churn import ChurnModel, ChurnScore
from bankcrm.models.insight import CustomerMonth

HELD = sorted(set(insight_catalogue.HELD.values()))
SCHEMA = {
    "customer_id": pl.Int64,
    "month": pl.Date,
    "kind": pl.String,
    "tier": pl.String,
    "aum_end": pl.Int64,
    "aum_avg": pl.Int64,
    "time_end": pl.Int64,
    "wealth_end": pl.Int64,
    "products": pl.Int32,
    "transfer_out_other_count": pl.Int32,
    "transfer_out_other_amount": pl.Int64,
    "salary_count": pl.Int32,
    "days_since_txn": pl.Int32,
    "tenure_months": pl.Int32,
    "age": pl.Int32,
    "txn_count": pl.Int32,
}
CHUNK = 200_000


def _select(first: date | None, last: date | None, ids: tuple[int, int] | None = None) -> Any:
    cm = CustomerMonth.__table__.c
    stmt = select(
        cm.customer_id,
        cm.month,
        cm.kind,
        cm.tier,
        cm.aum_end,
        cm.aum_avg,
        cm.time_end,
        (cm.wealth_end + cm.fund_end).label("wealth_end"),
        sum((cm[c] for c in HELD[1:]), cm[HELD[0]]).label("products"),
        cm.transfer_out_other_count,
        cm.transfer_out_other_amount,
        cm.salary_count,
        cm.days_since_txn,
        cm.tenure_months,
        cm.age,
        (cm.txn_in_count + cm.txn_out_count).label("txn_count"),
    )
    if first is not None:
        stmt = stmt.where(cm.month >= first)
    if last is not None:
        stmt = stmt.where(cm.month <= last)
    if ids is not None:
        stmt = stmt.where(cm.customer_id >= ids[0], cm.customer_id < ids[1])
    return stmt.order_by(cm.customer_id, cm.month)


def snapshot_frame(
    db: Session, first: date | None = None, last: date | None = None, ids: tuple[int, int] | None = None
) -> pl.DataFrame:
    """The snapshot columns the features read, months first..last (``ids``: customers lo ≤ id < hi): COPY to CSV
    on PostgreSQL (millions of rows without a Python tuple each), chunked fetches on SQLite."""
    stmt = _select(first, last, ids)
    conn = db.connection()
    if conn.dialect.name == "postgresql":
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        raw: Any = conn.connection.driver_connection
        buf = io.BytesIO()
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buf.write(block)
        buf.seek(0)
        return pl.read_csv(buf, schema=SCHEMA)
    # SQLite: the driver's cursor, months kept as their stored text and parsed in one go (SQLAlchemy's rows and
    # per-value date conversion cost more than the features built from them).
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    text_schema = SCHEMA | {"month": pl.String}
    frames = []
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        while part := cursor.fetchmany(CHUNK):
            frames.append(pl.DataFrame(part, schema=text_schema, orient="row"))
    finally:
        cursor.close()
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=text_schema)
    return frame.with_columns(pl.col("month").str.to_date("%Y-%m-%d"))


def snapshot_blocks(db: Session, first: date | None, last: date | None, customers: int) -> Iterator[pl.DataFrame]:
    """The snapshot frame a block of ``customers`` consecutive customer ids at a time (every month of each), so
    no more than a block's rows are held at once; empty blocks are skipped."""
    cm = CustomerMonth.__table__.c
    bounds = select(func.min(cm.customer_id), func.max(cm.customer_id))
    if first is not None:
        bounds = bounds.where(cm.month >= first)
    if last is not None:
        bounds = bounds.where(cm.month <= last)
    low, high = db.execute(bounds).one()
    if low is None:
        return
    for start in range(int(low), int(high) + 1, customers):
        frame = snapshot_frame(db, first, last, (start, start + customers))
        if not frame.is_empty():
            yield frame


def snapshot_months(db: Session) -> list[date]:
    """Every month the snapshot holds, oldest first."""
    return sorted(db.scalars(select(CustomerMonth.month).distinct()))


def newest_as_of(db: Session, month: date) -> date | None:
    """The business date a month's rows were computed as of."""
    return db.scalar(select(func.max(CustomerMonth.as_of)).where(CustomerMonth.month == month))


def models(db: Session, target: str) -> Sequence[ChurnModel]:
    """Every model of the target, newest first."""
    return db.scalars(select(ChurnModel).where(ChurnModel.target == target).order_by(ChurnModel.id.desc())).all()


def model(db: Session, model_id: int) -> ChurnModel | None:
    """One model by id."""
    return db.get(ChurnModel, model_id)


def champion(db: Session, target: str) -> ChurnModel | None:
    """The model of the target that scores customers now."""
    return db.scalar(select(ChurnModel).where(ChurnModel.target == target, ChurnModel.status == "CHAMPION"))


def add(db: Session, row: ChurnModel) -> ChurnModel:
    """Store a model (flush: its id is known)."""
    db.add(row)
    db.flush()
    return row


def retire_champions(db: Session, target: str) -> None:
    """The target's champion becomes retired (before another is promoted)."""
    db.execute(
        update(ChurnModel)
        .where(ChurnModel.target == target, ChurnModel.status == "CHAMPION")
        .values(status="RETIRED")
        .execution_options(synchronize_session="fetch")
    )


def replace_scores(db: Session, month: date, rows: list[dict[str, Any]], now: datetime) -> None:
    """The month's scores swapped for these (COPY on PostgreSQL)."""
    delete_scores(db, month)
    write_scores(db, rows, now)


def delete_scores(db: Session, month: date) -> None:
    """The month's scores removed (before they are written again, block by block)."""
    db.execute(delete(ChurnScore).where(ChurnScore.month == month))


def write_scores(db: Session, rows: list[dict[str, Any]], now: datetime) -> None:
    """Scores added (COPY on PostgreSQL)."""
    if not rows:
        return
    conn = db.connection()
    cols = ["month", "customer_id", "model_id", "probability", "reasons", "scored_at"]
    if conn.dialect.name != "postgresql":
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(ChurnScore), [r | {"scored_at": now} for r in rows[start : start + 20_000]])
        return
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY churn_score ({', '.join(cols)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([r["month"], r["customer_id"], r["model_id"], r["probability"], r["reasons"], now])


def scored_months(db: Session) -> list[date]:
    """Months with scores, oldest first."""
    return sorted(db.scalars(select(ChurnScore.month).distinct()))


def customer_scores(db: Session, customer_id: int, limit: int = 12) -> Sequence[ChurnScore]:
    """A customer's scores, newest month first."""
    stmt = (
        select(ChurnScore).where(ChurnScore.customer_id == customer_id).order_by(ChurnScore.month.desc()).limit(limit)
    )
    return db.scalars(stmt).all()


def month_scores(db: Session, month: date, min_probability: float = 0.0) -> Sequence[ChurnScore]:
    """A month's scores at or above a probability, highest first."""
    stmt = (
        select(ChurnScore)
        .where(ChurnScore.month == month, ChurnScore.probability >= min_probability)
        .order_by(ChurnScore.probability.desc(), ChurnScore.customer_id)
    )
    return db.scalars(stmt).all()
