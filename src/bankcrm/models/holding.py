"""What customers hold, as delivered by core banking: products, accounts, loan contracts, balances, vouchers.

Account and contract numbers are C2: encrypted (AAD binds the token to table, column and the
number's blind index, because bulk loads know no row id before insert), blind-indexed, masked.
Balances and amounts are integers in the minor units of their currency (fen for CNY, whole yen for
JPY, fils for BHD); rates in basis points (1.75 % = 175).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankcrm.kit.time import utcnow
from bankcrm.models.base import Base


class Product(Base):
    """One product of the bank's catalogue (shipped as data, reference_data/catalogue/product.csv)."""

    __tablename__ = "product"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(12))  # code_item product_category
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    term_months: Mapped[int | None]
    risk_level: Mapped[str | None] = mapped_column(String(2))  # R1..R5 for wealth products and funds
    # Whether an account of this product may be overdrawn (a negative balance loads and counts as a liability).
    allows_overdraft: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int]


class Currency(Base):
    """An ISO 4217 currency (shipped as data, reference_data/catalogue/currency.csv) and whether the bank uses it."""

    __tablename__ = "currency"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_zh: Mapped[str] = mapped_column(String(200))
    minor_units: Mapped[int]  # digits after the point an amount is kept in: JPY 0, CNY 2, BHD 3
    active: Mapped[bool]  # set by the bank (bankcrm currencies activate|deactivate); files may use active ones
    sort_order: Mapped[int]


class Account(Base):
    """A deposit, wealth, fund, insurance, credit or debit card, or acceptance-bill account of one customer."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    account_no_enc: Mapped[str] = mapped_column(Text)  # C2
    account_no_index: Mapped[str] = mapped_column(String(64), unique=True)
    account_no_masked: Mapped[str] = mapped_column(String(40))
    product_code: Mapped[str] = mapped_column(ForeignKey("product.code"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))  # code_item account_status
    open_date: Mapped[date]
    close_date: Mapped[date | None]
    rate_bp: Mapped[int | None]
    maturity_date: Mapped[date | None] = mapped_column(index=True)
    auto_renew: Mapped[bool | None]
    balance: Mapped[int] = mapped_column(BigInteger, default=0)  # C2; latest delivered balance, minor units
    balance_date: Mapped[date | None]
    # A debit card's demand account (C2 like any account number: only its blind index and masked form).
    linked_account_index: Mapped[str | None] = mapped_column(String(64))
    linked_account_masked: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountParty(Base):
    """A customer's role on an account other than its owner's: joint holder, authorised signatory, attorney, guardian.

    The owner (the primary holder) is ``account.customer_id``, set by the accounts file, and is never a row
    here. Rows come from ``account_parties`` deliveries, keyed by that delivery: an account's parties are
    those of the newest delivery (business date, then batch) that named the account, so a later file
    replaces an account's earlier parties and a corrected re-delivery replaces its own rows only.
    """

    __tablename__ = "account_party"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)  # code_item account_party_role
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), primary_key=True, index=True)
    business_date: Mapped[date]  # the delivery's business date (which delivery of an account is newest)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]  # exclusive: the party's last day is the day before

    __table_args__ = (Index("ix_account_party_account_delivery", "account_id", "business_date", "batch_id"),)


class LoanContract(Base):
    """A loan contract: amount, drawn, outstanding, term, repayment, guarantee, five-category class."""

    __tablename__ = "loan_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contract_no_enc: Mapped[str] = mapped_column(Text)  # C2
    contract_no_index: Mapped[str] = mapped_column(String(64), unique=True)
    contract_no_masked: Mapped[str] = mapped_column(String(40))
    product_code: Mapped[str] = mapped_column(ForeignKey("product.code"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))  # code_item loan_status
    amount: Mapped[int] = mapped_column(BigInteger)
    drawn: Mapped[int] = mapped_column(BigInteger)
    outstanding: Mapped[int] = mapped_column(BigInteger)
    rate_bp: Mapped[int]
    term_months: Mapped[int]
    start_date: Mapped[date]
    maturity_date: Mapped[date] = mapped_column(index=True)
    repayment_method: Mapped[str] = mapped_column(String(20))  # code_item repayment_method
    guarantee_type: Mapped[str] = mapped_column(String(20))  # code_item guarantee_type
    classification: Mapped[str] = mapped_column(String(20))  # code_item loan_class (正常 … 损失)
    days_overdue: Mapped[int] = mapped_column(default=0)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BalanceSnapshot(Base):
    """An account's balance at the end of one business day."""

    __tablename__ = "balance_snapshot"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    balance_date: Mapped[date] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    balance: Mapped[int] = mapped_column(BigInteger)  # C2, fen
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id"), index=True)

    __table_args__ = (
        Index("ix_balance_snapshot_customer_date", "customer_id", "balance_date"),
        # Month-end lookups: the newest snapshot day on or before a date, and every row of one day.
        Index("ix_balance_snapshot_date", "balance_date"),
    )


class AccountTransaction(Base):
    """One voucher (记账凭证) posted to an account.

    A fact table without foreign keys or a primary-key index: per-row referential checks and a
    unique index cost more than the bulk load itself. Ingest guarantees what they would: it resolves
    account and customer, rejects a voucher number repeated in a file, and replaces a delivery's
    rows (found by the small BRIN index on batch_id, as one load writes them together) in the same
    transaction; accounts are never deleted.
    """

    __tablename__ = "account_transaction"

    # Keyed by its delivery: a voucher number is unique per source and business date (ingest enforces it).
    batch_id: Mapped[int] = mapped_column()  # ingest_batch.id
    voucher_no: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int]  # account.id
    customer_id: Mapped[int]  # customer.id
    txn_time: Mapped[datetime]  # UTC
    amount: Mapped[int] = mapped_column(BigInteger)  # fen, always positive; direction says which way
    direction: Mapped[str] = mapped_column(String(1))  # D debit (out) | C credit (in)
    channel: Mapped[str] = mapped_column(String(12))  # code_item txn_channel
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_bank: Mapped[str | None] = mapped_column(String(200))
    purpose_code: Mapped[str | None] = mapped_column(String(12))  # code_item txn_purpose
    summary: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_account_transaction_customer_time", "customer_id", "txn_time"),
        # BRIN on PostgreSQL (a few pages, nearly free to keep up during COPY); a plain index on SQLite.
        Index("ix_account_transaction_batch", "batch_id", postgresql_using="brin"),
    )
    # The ORM's identity for a row, not a database constraint.
    __mapper_args__ = {"primary_key": [batch_id, voucher_no]}  # noqa: RUF012 - SQLAlchemy reads it once


class CustomerFigure(Base):
    """Derived figures of one customer, recomputed by the nightly batch (fen)."""

    __tablename__ = "customer_figure"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    as_of: Mapped[date]
    aum: Mapped[int] = mapped_column(BigInteger)
    deposit_balance: Mapped[int] = mapped_column(BigInteger)
    loan_balance: Mapped[int] = mapped_column(BigInteger)
    monthly_avg_balance: Mapped[int] = mapped_column(BigInteger)
    product_count: Mapped[int]
    last_txn_date: Mapped[date | None]
    balance_series: Mapped[str] = mapped_column(Text)  # JSON [["2026-01", fen], ...] 12 month-ends
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class FigureDirty(Base):
    """Customers whose holdings changed since their figures were computed (ingest marks, nightly clears)."""

    __tablename__ = "customer_figure_dirty"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
