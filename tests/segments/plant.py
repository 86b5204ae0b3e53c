"""The hand-built set of customers every condition type is checked against (see test_conditions.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from tests.conftest import unit_id
from tests.factories import make_customer
from tests.segments.helpers import TODAY, add, customer

A, B, C, D, E, F = (f"8824000000{i}" for i in range(1, 7))


def plant(db: Session, today: date) -> dict[str, Customer]:
    """Six customers: A fell from ¥150k to ¥100k AUM (VIP), B from ¥90k to ¥80k (VIP), C small and in a
    household, D a corporate in a group, E a VIP in Shanghai (am2), F with no snapshot row at all."""
    out = {
        A: customer(db, A, aum=10_000_000, aum_before=15_000_000, tier="VIP", held_wealth=1),
        B: customer(db, B, aum=8_000_000, aum_before=9_000_000, tier="VIP", manager="manager"),
        C: customer(db, C, aum=100_000, aum_before=0),
        D: customer(db, D, kind="corporate"),
        E: customer(db, E, aum=10_000_000, aum_before=20_000_000, tier="VIP", unit="SH", manager="am2"),
        F: make_customer(db, F),
    }
    out[A].created_at = datetime(2020, 1, 1, tzinfo=UTC)
    batch = add(db, "ingest_batch", source="CORE", file_type="accounts", business_date=TODAY, checksum="s" * 64)
    add(
        db,
        "account",
        customer_id=out[A].id,
        account_no_enc="enc",
        account_no_index=f"seg-{A}",
        account_no_masked="6222****0001",
        product_code="WM-R1-90D",
        unit_id=unit_id(db, "BJ"),
        currency="CNY",
        status="ACTIVE",
        open_date=date(2024, 1, 1),
        balance=100_000,
        batch_id=batch,
    )
    add(
        db,
        "customer_figure",
        customer_id=out[A].id,
        as_of=today,
        aum=0,
        deposit_balance=0,
        loan_balance=0,
        monthly_avg_balance=0,
        product_count=1,
        last_txn_date=today - timedelta(days=10),
        balance_series="[]",
    )
    add(db, "customer_tag", customer_id=out[B].id, tag_code="KEY_FOLLOW", source="manual", applied_at=datetime.now(UTC))
    household = add(db, "household")
    add(db, "household_member", customer_id=out[C].id, household_id=household, manual=False)
    group = add(
        db,
        "corporate_group",
        core_customer_id=out[D].id,
        status="ACCEPTED",
        fingerprint="f" * 64,
        shape="s" * 64,
        member_count=1,
        controller_count=0,
        loan_balance=0,
        guarantees_given=0,
        deposit_balance=0,
    )
    add(db, "corporate_group_member", group_id=group, customer_id=out[D].id, role="CORE", depth=0)
    db.flush()
    return out
