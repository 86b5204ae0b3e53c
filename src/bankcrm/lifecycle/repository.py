"""Queries of the lifecycle module: the snapshot figures rules read, stages and history, tasks, roll-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import insert_many
from bankcrm.insight import catalogue as insight_catalogue
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.lifecycle import CustomerStage, CustomerStageHistory, LifecycleTask
from bankcrm.models.org import OrgUnit
from bankcrm.models.task import Task

HELD = sorted(set(insight_catalogue.HELD.values()))


def snapshot_months(db: Session) -> list[date]:
    """Every month the snapshot holds, oldest first."""
    return sorted(db.scalars(select(CustomerMonth.month).distinct()))


def first_unevaluated(db: Session) -> date | None:
    """The oldest month with a row whose stage is not filled (a new month, or one the snapshot rewrote)."""
    return db.scalar(select(func.min(CustomerMonth.month)).where(CustomerMonth.lifecycle_stage.is_(None)))


def unevaluated_customers(db: Session, first: date, last: date) -> set[int]:
    """The customers with a row of a month in [first, last] whose stage is not filled."""
    stmt = select(CustomerMonth.customer_id).where(
        CustomerMonth.month >= first, CustomerMonth.month <= last, CustomerMonth.lifecycle_stage.is_(None)
    )
    return set(db.scalars(stmt.distinct()))


def newest_as_of(db: Session, month: date) -> date | None:
    """The business date a month's rows were computed as of."""
    return db.scalar(select(func.max(CustomerMonth.as_of)).where(CustomerMonth.month == month))


def customers_of(db: Session, month: date) -> list[int]:
    """The customers with a row in the month, ascending."""
    return list(
        db.scalars(select(CustomerMonth.customer_id).where(CustomerMonth.month == month).order_by("customer_id"))
    )


FIGURE_SCHEMA: dict[str, Any] = {
    "customer_id": pl.Int64,
    "month": pl.Date,
    "aum": pl.Int64,
    "loans": pl.Int64,
    "products": pl.Int64,
    "tenure_months": pl.Int64,
    "transactions": pl.Int64,
    "stage": pl.Utf8,
}


def figure_rows(db: Session, months: list[date], ids: list[int], *, dense: bool) -> pl.DataFrame:
    """(customer id, month, AUM, loans, products, tenure, transactions, stage) of these customers (ascending);
    ``dense``: every customer of the month between the first and the last is among them (read as a range).

    Read by the driver's cursor, months as the driver gives them (SQLite: the stored text, parsed in one go): a
    first run reads four months of every customer for each of 24 months, where SQLAlchemy's rows and per-value
    date conversion cost more than deciding the stages."""
    cm = CustomerMonth.__table__.c
    products = sum((cm[c] for c in HELD[1:]), cm[HELD[0]])
    stmt = select(
        cm.customer_id,
        cm.month,
        cm.aum_end,
        cm.loans_outstanding,
        products.label("products"),
        cm.tenure_months,
        (cm.txn_in_count + cm.txn_out_count).label("transactions"),
        cm.lifecycle_stage,
    ).where(cm.month.in_(months))
    stmt = stmt.where(cm.customer_id.between(ids[0], ids[-1]) if dense else cm.customer_id.in_(ids))
    conn = db.connection()
    sqlite = conn.dialect.name == "sqlite"
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    schema = FIGURE_SCHEMA | {"month": pl.String} if sqlite else FIGURE_SCHEMA
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        frame = pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")
    finally:
        cursor.close()
    return frame.with_columns(pl.col("month").str.to_date("%Y-%m-%d")) if sqlite else frame


def set_stages(db: Session, month: date, stage: str, ids: list[int]) -> None:
    """Fill the month's snapshot rows of these customers with their stage."""
    db.execute(
        update(CustomerMonth)
        .where(CustomerMonth.month == month, CustomerMonth.customer_id.in_(ids))
        .values(lifecycle_stage=stage)
        .execution_options(synchronize_session=False)
    )


def replace_history(db: Session, month: date, ids: list[int], rows: list[dict[str, Any]]) -> None:
    """Swap these customers' moves of the month for the new ones."""
    db.execute(
        delete(CustomerStageHistory)
        .where(CustomerStageHistory.month == month, CustomerStageHistory.customer_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    insert_many(db, CustomerStageHistory, rows)


def refresh_current(db: Session, ids: list[int], month: date, now: Any) -> None:
    """Each customer's current stage: their newest move (the stage changes only by a move)."""
    h = CustomerStageHistory
    newest = (
        select(h.customer_id, func.max(h.month).label("m"))
        .where(h.customer_id.in_(ids))
        .group_by(h.customer_id)
        .subquery()
    )
    rows = db.execute(
        select(h.customer_id, h.to_stage, h.month, h.rule).join(
            newest, (newest.c.customer_id == h.customer_id) & (newest.c.m == h.month)
        )
    ).all()
    db.execute(
        delete(CustomerStage).where(CustomerStage.customer_id.in_(ids)).execution_options(synchronize_session=False)
    )
    if rows:
        values = [
            {"customer_id": c, "stage": s, "since": m, "rule": r, "month": max(m, month), "updated_at": now}
            for c, s, m, r in rows
        ]
        insert_many(db, CustomerStage, values)


def raised(db: Session, month: date, ids: list[int]) -> set[tuple[int, str]]:
    """(customer id, stage) of the playbook tasks already raised for the month's entries."""
    stmt = select(LifecycleTask.customer_id, LifecycleTask.stage).where(
        LifecycleTask.month == month, LifecycleTask.customer_id.in_(ids)
    )
    return {(c, s) for c, s in db.execute(stmt)}


def managers(db: Session, ids: list[int]) -> dict[int, int | None]:
    """Customer id → its account manager."""
    stmt = select(Customer.id, Customer.account_manager_id).where(Customer.id.in_(ids))
    return {c: m for c, m in db.execute(stmt)}


def add_task(db: Session, task: Task, month: date, stage: str) -> None:
    """A playbook task and the key that marks its stage entry as served."""
    db.add(task)
    db.flush()
    db.add(LifecycleTask(customer_id=task.customer_id, month=month, stage=stage, task_id=task.id))


def current(db: Session, customer_id: int) -> CustomerStage | None:
    """A customer's current stage row."""
    return db.get(CustomerStage, customer_id)


def history(db: Session, customer_id: int) -> Sequence[CustomerStageHistory]:
    """A customer's moves, newest first."""
    stmt = (
        select(CustomerStageHistory)
        .where(CustomerStageHistory.customer_id == customer_id)
        .order_by(CustomerStageHistory.month.desc())
    )
    return db.scalars(stmt).all()


def latest_evaluated(db: Session) -> date | None:
    """The newest month whose stages are filled."""
    return db.scalar(select(func.max(CustomerMonth.month)).where(CustomerMonth.lifecycle_stage.is_not(None)))


def stage_rows(db: Session, principal: Principal, month: date, under_path: str) -> Sequence[Any]:
    """(home unit id, unit path, tier, stage) per customer in scope homed under the unit, for the month."""
    stmt = (
        select(OrgUnit.id, OrgUnit.path, CustomerMonth.tier, CustomerMonth.lifecycle_stage)
        .join(Customer, Customer.id == CustomerMonth.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(
            CustomerMonth.month == month,
            CustomerMonth.lifecycle_stage.is_not(None),
            OrgUnit.path.startswith(under_path, autoescape=True),
            customer_scope(principal),
        )
    )
    return db.execute(stmt).all()


def flow_rows(db: Session, principal: Principal, month: date, before: date, under_path: str) -> Sequence[Any]:
    """(stage the month before, stage in the month, customers) for customers in scope homed under the unit."""
    prev = CustomerMonth.__table__.alias("prev")
    stmt = (
        select(prev.c.lifecycle_stage, CustomerMonth.lifecycle_stage, func.count())
        .join(prev, (prev.c.customer_id == CustomerMonth.customer_id) & (prev.c.month == before), isouter=True)
        .join(Customer, Customer.id == CustomerMonth.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(
            CustomerMonth.month == month,
            CustomerMonth.lifecycle_stage.is_not(None),
            OrgUnit.path.startswith(under_path, autoescape=True),
            customer_scope(principal),
        )
        .group_by(prev.c.lifecycle_stage, CustomerMonth.lifecycle_stage)
    )
    return db.execute(stmt).all()


def units_by_id(db: Session, ids: set[int]) -> dict[int, OrgUnit]:
    """Org units by id."""
    return {u.id: u for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all()} if ids else {}
