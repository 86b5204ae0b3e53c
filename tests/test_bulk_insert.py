"""bankcrm.db's bulk inserts: a frame's rows with shared values (``insert_frame``) are stored exactly as the same
rows given as dicts to ``insert_many`` (days, times, empty values, ids in order)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from bankcrm.db import insert_frame, insert_many
from bankcrm.models.value import CustomerContribution
from tests.factories import make_customer


def test_a_frame_with_shared_values_is_stored_as_its_rows_as_dicts_are(db: Session) -> None:
    # Given two customers' lines as a frame, with nulls, and the values every line shares
    a, b = make_customer(db, "91000000031"), make_customer(db, "91000000032")
    lines = pl.DataFrame(
        {
            "customer_id": [a.id, a.id, b.id],
            "kind": ["deposit_margin", "fee_income", "service_txn"],
            "ref": ["6222****0001", "FEE", "COUNTER"],
            "product_code": ["DD-CNY", None, None],
            "days": [31, 31, 31],
            "count": [0, 2, 5],
            "avg_balance": [1_000_000, None, None],
            "customer_rate_bp": [35, None, None],
            "ftp_rate_bp": [160, None, None],
            "amount": [1062, 1500, -250],
        }
    )
    fixed = {
        "month": date(2026, 10, 1),
        "as_of": date(2026, 10, 31),
        "computed_at": datetime(2026, 11, 1, 3, tzinfo=UTC),
    }
    # When they are written once as a frame and once as dicts (month apart, to tell them apart)
    insert_frame(db, CustomerContribution, lines, fixed)
    insert_many(db, CustomerContribution, [r | fixed | {"month": date(2026, 9, 1)} for r in lines.to_dicts()])
    # Then the stored values are the same, as the database holds them (SQLite: text), in the same order
    sql = (
        "SELECT id, customer_id, kind, ref, product_code, days, count, avg_balance, customer_rate_bp, ftp_rate_bp,"
        " amount, as_of, computed_at FROM customer_contribution WHERE month = :m ORDER BY id"
    )
    stmt = text(sql).bindparams(bindparam("m", type_=Date))
    framed, as_dicts = db.execute(stmt, {"m": date(2026, 10, 1)}).all(), db.execute(stmt, {"m": date(2026, 9, 1)}).all()
    assert [r[1:] for r in framed] == [r[1:] for r in as_dicts]
    assert [r[0] for r in framed] == sorted(r[0] for r in framed)
    assert [r[1:5] for r in framed] == [
        (a.id, "deposit_margin", "6222****0001", "DD-CNY"),
        (a.id, "fee_income", "FEE", None),
        (b.id, "service_txn", "COUNTER", None),
    ]
