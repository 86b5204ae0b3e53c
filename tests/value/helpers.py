"""A hand-built month for the contribution tests: one deposit, a loan in each class, fees, vouchers, managers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.auth import principal_for
from bankcrm.models.access import User
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, AccountTransaction, BalanceSnapshot, LoanContract
from bankcrm.models.ingest import IngestBatch
from tests.conftest import user_id
from tests.factories import make_customer

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
AS_OF = date(2026, 11, 30)
CLASSES = ("NORMAL", "SPECIAL_MENTION", "SUBSTANDARD", "DOUBTFUL", "LOSS")
_seq = iter(range(1, 10_000))


def principal(db: Session, username: str) -> Principal:
    """The signed-in view of a demo user."""
    user = db.scalars(select(User).where(User.username == username)).one()
    return principal_for(user)


def batch(db: Session) -> int:
    """An ingest batch for the rows to hang on."""
    n = next(_seq)
    row = IngestBatch(source=f"T{n}", file_type="accounts", business_date=AS_OF, checksum=f"{n:064d}")
    db.add(row)
    db.flush()
    return row.id


def deposit(
    db: Session, customer: Customer, batch_id: int, product: str, rate_bp: int, balances: dict[date, int]
) -> Account:
    """An account with its snapshot balances (fen)."""
    n = next(_seq)
    account = Account(
        customer_id=customer.id,
        account_no_enc="x",
        account_no_index=f"acct{n}",
        account_no_masked=f"6222****{n:04d}",
        product_code=product,
        unit_id=customer.home_unit_id,
        currency="CNY",
        status="ACTIVE",
        open_date=date(2026, 1, 5),
        rate_bp=rate_bp,
        balance=list(balances.values())[-1],
        batch_id=batch_id,
    )
    db.add(account)
    db.flush()
    for day, balance in balances.items():
        db.add(
            BalanceSnapshot(
                account_id=account.id, balance_date=day, customer_id=customer.id, balance=balance, batch_id=batch_id
            )
        )
    db.flush()
    return account


def loan(db: Session, customer: Customer, batch_id: int, klass: str, outstanding: int, start: date) -> LoanContract:
    """A one-year consumer loan at 4 % in a five-category class."""
    n = next(_seq)
    contract = LoanContract(
        customer_id=customer.id,
        contract_no_enc="x",
        contract_no_index=f"loan{n}",
        contract_no_masked=f"LN****{n:04d}",
        product_code="PL-CONS",
        unit_id=customer.home_unit_id,
        currency="CNY",
        status="ACTIVE",
        amount=outstanding,
        drawn=outstanding,
        outstanding=outstanding,
        rate_bp=400,
        term_months=12,
        start_date=start,
        maturity_date=date(start.year + 1, start.month, start.day),
        repayment_method="EQUAL_INSTALMENT",
        guarantee_type="CREDIT",
        classification=klass,
        batch_id=batch_id,
    )
    db.add(contract)
    db.flush()
    return contract


def voucher(
    db: Session, account: Account, batch_id: int, at: datetime, amount: int, direction: str, purpose: str, channel: str
) -> None:
    """One voucher (time in UTC)."""
    db.add(
        AccountTransaction(
            batch_id=batch_id,
            voucher_no=f"V{next(_seq):08d}",
            account_id=account.id,
            customer_id=account.customer_id,
            txn_time=at.replace(tzinfo=UTC),
            amount=amount,
            direction=direction,
            channel=channel,
            purpose_code=purpose,
        )
    )
    db.flush()


def share(db: Session, customer: Customer, username: str, role: str, share_bp: int) -> None:
    """A manager of the customer since January, with a performance share."""
    db.add(
        ManagerAssignment(
            customer_id=customer.id,
            manager_id=user_id(db, username),
            role=role,
            share_bp=share_bp,
            valid_from=date(2026, 1, 1),
        )
    )
    db.flush()


def given_customer_a(db: Session) -> tuple[Customer, Account]:
    """BJ's customer (am1 70 %, am2 30 %): a 1-year time deposit at 1.5 %, a 1,000,000.00 loan at 4 % in each of
    the five classes, three fee vouchers in October at the counter and one the evening before (local time)."""
    customer = make_customer(db, "90000000501", unit="BJ-CY", manager="am1")
    b = batch(db)
    td = deposit(
        db,
        customer,
        b,
        "TD-1Y",
        150,
        {
            date(2026, 10, 2): 100_000_000,
            date(2026, 10, 9): 100_000_000,
            date(2026, 10, 16): 200_000_000,
            date(2026, 10, 23): 200_000_000,
            date(2026, 11, 6): 100_000_000,
        },
    )
    for klass in CLASSES:
        loan(db, customer, b, klass, 100_000_000, date(2026, 1, 15))
    # 30 Sep 23:59 in Shanghai: September's; 31 Oct 23:30 in Shanghai: October's.
    voucher(db, td, b, datetime(2026, 9, 30, 15, 59), 9_999, "D", "FEE", "COUNTER")
    voucher(db, td, b, datetime(2026, 10, 5, 2, 0), 5_000, "D", "FEE", "COUNTER")
    voucher(db, td, b, datetime(2026, 10, 31, 15, 30), 2_000, "D", "FEE", "COUNTER")
    voucher(db, td, b, datetime(2026, 10, 12, 3, 0), 1_000, "C", "FEE", "COUNTER")
    share(db, customer, "am1", "primary", 7_000)
    share(db, customer, "am2", "co", 3_000)
    return customer, td
