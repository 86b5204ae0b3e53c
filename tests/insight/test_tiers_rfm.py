"""Value tiers at exactly their bounds, RFM quintile scores and groups, and the catalogues against the schema."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bankcrm.insight import catalogue
from bankcrm.insight.service import snapshot
from bankcrm.insight.service.compute import compute
from bankcrm.models.insight import CustomerMonth

OCT = date(2026, 10, 1)
REFERENCE = Path(__file__).resolve().parents[2] / "src" / "bankcrm" / "reference_data"


def tier_of(kind: str, deposit_fen: int, loan_fen: int = 0) -> str:
    """The October tier of a customer holding ``deposit_fen`` on demand all month (and a loan)."""
    frame = compute(
        [1],
        [OCT],
        date(2026, 10, 31),
        timezone="Asia/Shanghai",
        own_banks=frozenset(),
        customers=[(1, kind, 1, None, datetime(2020, 1, 1), None)],
        accounts=[(10, 1, "DEMAND", "DD-CNY", date(2020, 1, 1), None)],
        loans=[(1, "CL-WC", date(2020, 1, 1), None, loan_fen)] if loan_fen else [],
        balances=[(10, date(2026, 9, 30), deposit_fen)],
        vouchers=[],
        last_before=[],
        tiers_before=[],
    )
    assert frame["aum_avg"].to_list() == [deposit_fen]
    return str(frame["tier"].item())


@pytest.mark.parametrize(
    ("kind", "deposit", "loans", "tier"),
    [
        ("individual", 4_999_999, 0, "MASS"),
        ("individual", 5_000_000, 0, "VIP"),  # ¥50,000.00 exactly: 贵宾 (lower bounds are inclusive)
        ("individual", 49_999_999, 0, "VIP"),
        ("individual", 50_000_000, 0, "WEALTH"),  # ¥500,000.00
        ("individual", 599_999_999, 0, "WEALTH"),
        ("individual", 600_000_000, 0, "PRIVATE"),  # ¥6,000,000.00
        ("corporate", 499_999_999, 999_999_999, "C_GENERAL"),
        ("corporate", 500_000_000, 0, "C_KEY"),  # deposits ¥5,000,000.00
        ("corporate", 0, 1_000_000_000, "C_KEY"),  # or loans ¥10,000,000.00
        ("corporate", 4_999_999_999, 9_999_999_999, "C_KEY"),
        ("corporate", 5_000_000_000, 0, "C_STRATEGIC"),  # deposits ¥50,000,000.00
        ("corporate", 0, 10_000_000_000, "C_STRATEGIC"),  # or loans ¥100,000,000.00
    ],
)
def test_a_tier_starts_exactly_at_its_lower_bound(kind: str, deposit: int, loans: int, tier: str) -> None:
    # Given a customer's month-average deposits (and loans outstanding)
    # When the month is computed
    # Then the tier is the highest whose bound is reached, a bound itself included
    assert tier_of(kind, deposit, loans) == tier


def _row(customer_id: int, days: int | None, vouchers: int, aum: int) -> dict[str, Any]:
    zeros = {c.name: 0 for c in CustomerMonth.__table__.columns if not c.nullable}
    return zeros | {
        "month": OCT,
        "customer_id": customer_id,
        "as_of": date(2026, 10, 31),
        "kind": "individual",
        "unit_id": 1,
        "tier": "MASS",
        "days_since_txn": days,
        "txn_in_count": vouchers,
        "aum_avg": aum,
        "computed_at": datetime(2026, 11, 1, tzinfo=UTC),
    }


def test_rfm_scores_are_quintiles_within_the_bank_and_name_the_eight_groups(db: Session) -> None:
    # Given ten customers' October rows: customer i last transacted 10*i days ago (customer 10 never),
    # made i vouchers, and held i * 1,000.00 on average; customer 3 holds the most
    rows = [_row(i, None if i == 10 else 10 * i, i, 100_000 * i) for i in range(1, 11)]
    rows[2]["aum_avg"] = 10_000_000
    db.execute(insert(CustomerMonth), rows)
    # When October is scored
    snapshot.score_month(db, OCT, 3)
    # Then each score counts the quintile cut points passed (recency: fewer days is better, none scores 1)
    got = db.execute(
        select(CustomerMonth.customer_id, CustomerMonth.r_score, CustomerMonth.f_score, CustomerMonth.m_score,
               CustomerMonth.rfm_group).where(CustomerMonth.month == OCT).order_by(CustomerMonth.customer_id)
    ).all()  # fmt: skip
    assert [tuple(r) for r in got] == [
        (1, 5, 1, 1, "GENERAL_DEVELOP"),
        (2, 5, 1, 1, "GENERAL_DEVELOP"),
        (3, 4, 2, 5, "IMPORTANT_DEVELOP"),
        (4, 4, 2, 2, "GENERAL_DEVELOP"),
        (5, 3, 3, 2, "GENERAL_VALUE"),
        (6, 2, 3, 3, "IMPORTANT_RETAIN"),
        (7, 2, 4, 3, "IMPORTANT_RETAIN"),
        (8, 1, 4, 4, "IMPORTANT_RETAIN"),
        (9, 1, 5, 4, "IMPORTANT_RETAIN"),
        (10, 1, 5, 5, "IMPORTANT_RETAIN"),
    ]


def test_the_feature_catalogue_names_every_snapshot_column_once() -> None:
    # Given the snapshot table and the shipped feature catalogue
    columns = [c.name for c in CustomerMonth.__table__.columns if c.name not in catalogue.NOT_FEATURES]
    # Then the catalogue lists exactly its columns, in the table's order, with labels in both languages
    assert [f.name for f in catalogue.features()] == columns
    assert all(f.label_en and f.label_zh and f.description_en and f.description_zh for f in catalogue.features())


def _codes(name: str) -> list[str]:
    with (REFERENCE / name).open(encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh)]


def test_every_channel_and_product_category_has_its_snapshot_columns() -> None:
    # Given the txn_channel and product_category code tables
    # Then each channel has a count and an amount column, and each category a products-held column
    columns = {c.name for c in CustomerMonth.__table__.columns}
    assert sorted(catalogue.CHANNELS) == sorted(_codes("txn_channel.csv"))
    assert {f"{p}_{w}" for p in catalogue.CHANNELS.values() for w in ("count", "amount")} <= columns
    assert sorted(catalogue.HELD) == sorted(_codes("product_category.csv"))
    assert set(catalogue.HELD.values()) <= columns
    # And the eight RFM groups and the tiers carry labels in both languages
    assert [g.code for g in catalogue.rfm_groups()][:2] == ["IMPORTANT_VALUE", "IMPORTANT_DEVELOP"]
    assert [(t.code, t.min_balance) for t in catalogue.tiers() if t.kind == "individual"] == [
        ("MASS", 0), ("VIP", 5_000_000), ("WEALTH", 50_000_000), ("PRIVATE", 600_000_000)
    ]  # fmt: skip
