"""Rows the sales tests stand on: an account written straight into the holdings (what an ingest would load)."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account
from bankcrm.models.ingest import IngestBatch

_seq = itertools.count(7000)


def given_an_account(db: Session, customer: Customer, product: str, balance: int, opened: date) -> Account:
    """An active account of the product opened on ``opened`` with ``balance`` fen."""
    n = next(_seq)
    batch = IngestBatch(source=f"S{n}", file_type="accounts", business_date=opened, checksum=f"{n:064d}")
    db.add(batch)
    db.flush()
    account = Account(
        customer_id=customer.id,
        account_no_enc="x",
        account_no_index=f"sales{n}",
        account_no_masked=f"6222****{n:04d}",
        product_code=product,
        unit_id=customer.home_unit_id,
        currency="CNY",
        status="ACTIVE",
        open_date=opened,
        balance=balance,
        batch_id=batch.id,
    )
    db.add(account)
    db.flush()
    return account
