"""The monthly customer snapshot: exact figures of a hand-built customer month by month, incremental = full."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.holdings.service import figures
from bankcrm.insight.service import snapshot
from bankcrm.models.insight import CustomerMonth
from tests.holdings.helpers import load, write_file
from tests.insight.helpers import AS_OF, DD, given_the_hand_built_customer

COLUMNS = (
    "as_of", "aum_end", "aum_avg", "demand_end", "demand_avg", "time_end", "time_avg", "loans_outstanding",
    "held_demand", "held_time", "held_loan", "txn_in_count", "txn_in_amount", "txn_out_count", "txn_out_amount",
    "txn_batch_amount", "txn_mobile_amount", "txn_pos_count", "txn_pos_amount", "transfer_out_other_count",
    "transfer_out_other_amount", "salary_count", "salary_amount", "days_since_txn", "tenure_months", "age", "tier",
    "tier_change",
)  # fmt: skip


def table(db: Session) -> list[dict[str, Any]]:
    """Every snapshot row without its computation time, in key order."""
    rows = db.scalars(select(CustomerMonth).order_by(CustomerMonth.month, CustomerMonth.customer_id))
    return [
        {c.name: getattr(r, c.name) for c in CustomerMonth.__table__.columns if c.name != "computed_at"} for r in rows
    ]


def test_the_backfill_gives_the_hand_built_customer_exact_figures_month_by_month(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a customer with a demand account from 15 July (1,000.00 delivered 31 July, 2,000.00 on 14 August,
    # 500.00 on 30 September), a 50,000.00 time deposit from 14 August, a loan from 20 August (80,000.00
    # outstanding), and vouchers in September and October
    cid = given_the_hand_built_customer(db, settings, tmp_path)
    # When the snapshot is backfilled as of 30 October 2026
    done = snapshot.run(db, AS_OF, timezone=settings.timezone, backfill=True)
    # Then July to October have one row each, every figure exact in fen (averages carry each delivered balance
    # forward day by day and round down; 30 September 23:30 in Shanghai is still September)
    assert (done.mode, done.customers, done.rows) == ("backfill", 1, 4)
    rows = [r for r in table(db) if r["customer_id"] == cid]
    got = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert got == [
        (date(2026, 7, 31), 100000, 3225, 100000, 3225, 0, 0, 0,
         1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 41, "MASS", None),
        (date(2026, 8, 31), 5200000, 3061289, 200000, 158064, 5000000, 2903225, 8000000,
         1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 1, 41, "MASS", 0),
        (date(2026, 9, 30), 5050000, 5195000, 50000, 195000, 5000000, 5000000, 8000000,
         1, 1, 1, 1, 850000, 2, 129900, 850000, 120000, 1, 9900, 1, 120000, 1, 850000, 0, 2, 41, "VIP", 1),
        (date(2026, 10, 30), 5050000, 5050000, 50000, 50000, 5000000, 5000000, 8000000,
         1, 1, 1, 0, 0, 1, 30000, 0, 0, 1, 30000, 0, 0, 0, 0, 28, 3, 41, "VIP", 0),
    ]  # fmt: skip
    assert [r["month"] for r in rows] == [date(2026, m, 1) for m in (7, 8, 9, 10)]
    assert {(r["kind"], r["lifecycle_stage"]) for r in rows} == {("individual", None)}


def test_the_bank_s_own_name_is_no_other_bank(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given the hand-built customer whose September transfer went to 招商银行, and the bank is 招商银行
    cid = given_the_hand_built_customer(db, settings, tmp_path)
    # When the snapshot is backfilled knowing the bank's own name
    snapshot.run(db, AS_OF, timezone=settings.timezone, backfill=True, own_banks=frozenset({"招商银行"}))
    # Then September has no transfer out to another bank
    september = [r for r in table(db) if r["customer_id"] == cid and r["month"] == date(2026, 9, 1)]
    assert [(r["transfer_out_other_count"], r["transfer_out_other_amount"]) for r in september] == [(0, 0)]


def test_the_incremental_run_equals_a_full_recomputation(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given two hand-built customers backfilled as of 30 October, their figures computed
    first = given_the_hand_built_customer(db, settings, tmp_path)
    second = given_the_hand_built_customer(db, settings, tmp_path, "90000000012", n=1)
    figures.recompute(db, AS_OF, settings.timezone)
    snapshot.run(db, AS_OF, timezone=settings.timezone, backfill=True)
    # When a new balance of the first customer's demand account arrives for 30 October and the nightly runs
    path = write_file(tmp_path / "late.csv", "balances", [{"account_no": DD, "balance": "8000.00"}])
    load(db, settings, path, "balances", AS_OF)
    figures.recompute(db, AS_OF, settings.timezone)
    done = snapshot.run(db, AS_OF, timezone=settings.timezone)
    incremental = table(db)
    # Then only the first customer was recomputed (September and October) ...
    assert (done.mode, done.customers, done.rows) == ("incremental", 1, 2)
    october = {r["customer_id"]: r["demand_end"] for r in incremental if r["month"] == date(2026, 10, 1)}
    assert october == {first: 800000, second: 50000}
    # ... and the table is exactly what a full recomputation writes
    snapshot.run(db, AS_OF, timezone=settings.timezone, full=True)
    assert table(db) == incremental
    # And a run with nothing changed recomputes no one
    assert snapshot.run(db, AS_OF, timezone=settings.timezone).customers == 0


def test_the_backfill_writes_a_chunk_s_rows_month_by_month(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given two hand-built customers with history
    first = given_the_hand_built_customer(db, settings, tmp_path)
    second = given_the_hand_built_customer(db, settings, tmp_path, "90000000012", n=1)
    figures.recompute(db, AS_OF, settings.timezone)
    # When the snapshot is backfilled
    done = snapshot.run(db, AS_OF, timezone=settings.timezone, backfill=True)
    # Then the rows were stored in the order month, customer (each month's rows together, so the month's scoring
    # pass rewrites its own pages only), as SQLite's rowids show (PostgreSQL's ctid is no witness: the scoring
    # UPDATE writes each row's new version wherever the heap has room)
    sqlite = db.get_bind().dialect.name == "sqlite"
    order = "rowid" if sqlite else "month, customer_id"
    stored = db.execute(text(f"SELECT month, customer_id FROM customer_month ORDER BY {order}")).all()  # noqa: S608
    months = sorted({m for m, _ in stored})
    assert len(stored) == done.rows == 2 * len(months)
    assert [c for _, c in stored] == [first, second] * len(months)
    assert [str(m) for m, _ in stored] == [str(m) for m in months for _ in (first, second)]
