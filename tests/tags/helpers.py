"""Hand-built customers with figures, accounts and vouchers for the rule-tag tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bankcrm.models.base import Base
from bankcrm.models.customer import Customer, IndividualProfile
from tests.conftest import unit_id
from tests.factories import make_customer

TODAY = date(2026, 11, 30)


def add(db: Session, table: str, **values: Any) -> Any:
    """Insert one row; its single primary key, if any."""
    result = db.execute(insert(Base.metadata.tables[table]).values(values))
    pk = result.inserted_primary_key
    return pk[0] if pk and len(pk) == 1 else None


def batch(db: Session) -> int:
    """A delivery the planted accounts and vouchers belong to."""
    return add(db, "ingest_batch", source="CORE", file_type="accounts", business_date=TODAY, checksum="t" * 64)  # type: ignore[no-any-return]


def customer(
    db: Session,
    cif_no: str,
    *,
    aum: int = 0,
    last_txn: date | None = None,
    products: int = 0,
    born: date | None = date(1985, 6, 15),
    unit: str = "BJ",
    manager: str | None = "am1",
    kind: str = "individual",
) -> Customer:
    """A customer with nightly figures (fen) as given."""
    c = make_customer(db, cif_no, unit=unit, manager=manager, kind=kind)
    if kind == "individual":
        profile = db.get(IndividualProfile, c.id)
        assert profile is not None
        profile.birth_date = born
    add(
        db,
        "customer_figure",
        customer_id=c.id,
        as_of=TODAY,
        aum=aum,
        deposit_balance=aum,
        loan_balance=0,
        monthly_avg_balance=aum,
        product_count=products,
        last_txn_date=last_txn,
        balance_series="[]",
        computed_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    db.flush()
    return c


def account(
    db: Session, c: Customer, batch_id: int, product: str, *, maturity: date | None = None, closed: bool = False
) -> int:
    """An account of ``product`` held by the customer."""
    return add(  # type: ignore[no-any-return]
        db,
        "account",
        customer_id=c.id,
        account_no_enc="enc",
        account_no_index=f"{c.cif_no}-{product}-{maturity}-{closed}",
        account_no_masked="6222****0001",
        product_code=product,
        unit_id=unit_id(db, "BJ"),
        currency="CNY",
        status="CLOSED" if closed else "ACTIVE",
        open_date=date(2024, 1, 1),
        close_date=date(2026, 1, 1) if closed else None,
        maturity_date=maturity,
        balance=100_000,
        batch_id=batch_id,
    )


def voucher(db: Session, c: Customer, batch_id: int, account_id: int, no: str, when: datetime, purpose: str) -> None:
    """A credit voucher with the given purpose code."""
    add(
        db,
        "account_transaction",
        batch_id=batch_id,
        voucher_no=no,
        account_id=account_id,
        customer_id=c.id,
        txn_time=when,
        amount=800_000,
        direction="C",
        channel="COUNTER",
        purpose_code=purpose,
    )
