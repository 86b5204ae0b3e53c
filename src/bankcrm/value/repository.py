"""Value queries: pricing rows in force, the month's balances, loans, vouchers and products, contribution lines.

Every read of customers' lines for a person goes through ``customer_scope`` (the caller's data scope); the
batch's reads are the system's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import CodeItem, Customer
from bankcrm.models.group import CorporateGroup, CorporateGroupMember
from bankcrm.models.holding import Account, AccountTransaction, BalanceSnapshot, LoanContract, Product
from bankcrm.models.household import Household, HouseholdMember
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.org import OrgUnit
from bankcrm.models.value import CustomerContribution, FtpRate, PricingChange, ValueParameter

DEPOSIT_CATEGORIES = ("DEMAND", "TIME")
FEE_PURPOSE = "FEE"
GROUP_LIVE = ("PROPOSED", "ACCEPTED")
GROUP_ROLES = ("CORE", "MEMBER")


# --- pricing -------------------------------------------------------------------------------------------------


def ftp_rows(db: Session) -> Sequence[FtpRate]:
    """Every curve point ever in force, oldest first."""
    return db.scalars(select(FtpRate).order_by(FtpRate.effective_from, FtpRate.currency, FtpRate.term_code)).all()


def parameter_rows(db: Session) -> Sequence[ValueParameter]:
    """Every value parameter ever in force, oldest first."""
    stmt = select(ValueParameter).order_by(ValueParameter.effective_from, ValueParameter.kind, ValueParameter.code)
    return db.scalars(stmt).all()


def replace_pricing(db: Session, effective_from: date, ftp: list[dict[str, Any]], params: list[dict[str, Any]]) -> None:
    """Write curve points and parameters from one date; a row of the same key and date (an earlier change for
    the same day) is replaced, every other key stays as it is."""
    for r in ftp:
        db.execute(
            delete(FtpRate).where(
                FtpRate.currency == r["currency"],
                FtpRate.term_code == r["term_code"],
                FtpRate.effective_from == effective_from,
            )
        )
    for p in params:
        db.execute(
            delete(ValueParameter).where(
                ValueParameter.kind == p["kind"],
                ValueParameter.code == p["code"],
                ValueParameter.effective_from == effective_from,
            )
        )
    if ftp:
        db.execute(insert(FtpRate), ftp)
    if params:
        db.execute(insert(ValueParameter), params)


def add_change(db: Session, change: PricingChange) -> None:
    """Insert a change request and give it its id."""
    db.add(change)
    db.flush()


def change(db: Session, change_id: int, *, lock: bool = False) -> PricingChange | None:
    """One change request (locked for the decision on PostgreSQL)."""
    stmt = select(PricingChange).where(PricingChange.id == change_id)
    return db.scalars(stmt.with_for_update() if lock else stmt).first()


def changes(db: Session, limit: int = 50) -> Sequence[PricingChange]:
    """The newest change requests."""
    return db.scalars(select(PricingChange).order_by(PricingChange.id.desc()).limit(limit)).all()


def fee_purposes(db: Session) -> list[str]:
    """Voucher purpose codes that are fees: FEE and the codes filed under it (code table txn_purpose)."""
    stmt = select(CodeItem.code).where(
        CodeItem.category == "txn_purpose", or_(CodeItem.code == FEE_PURPOSE, CodeItem.parent_code == FEE_PURPOSE)
    )
    return sorted(db.scalars(stmt).all())


# --- the month's facts (batch) -------------------------------------------------------------------------------


def deposit_balances(db: Session, start: date, end: date) -> Sequence[Any]:
    """Per deposit account with snapshots in [start, end]: its terms and the sum and number of snapshot days.

    An overdrawn day counts as a zero balance: an overdraft is lending, not funding.
    """
    positive = case((BalanceSnapshot.balance > 0, BalanceSnapshot.balance), else_=0)
    stmt = (
        select(
            Account.id,
            Account.customer_id,
            Account.product_code,
            Account.currency,
            Account.rate_bp,
            Account.account_no_masked,
            Product.term_months,
            func.sum(positive),
            func.count(),
        )
        .join(Product, Product.code == Account.product_code)
        .join(BalanceSnapshot, BalanceSnapshot.account_id == Account.id)
        .where(
            Product.category.in_(DEPOSIT_CATEGORIES),
            BalanceSnapshot.balance_date >= start,
            BalanceSnapshot.balance_date <= end,
        )
        .group_by(
            Account.id,
            Account.customer_id,
            Account.product_code,
            Account.currency,
            Account.rate_bp,
            Account.account_no_masked,
            Product.term_months,
        )
    )
    return db.execute(stmt).all()


def live_loans(db: Session, start: date, end: date) -> Sequence[Any]:
    """Loan contracts with money outstanding that were drawn by ``end`` and not matured before ``start``."""
    stmt = select(
        LoanContract.id,
        LoanContract.customer_id,
        LoanContract.product_code,
        LoanContract.currency,
        LoanContract.rate_bp,
        LoanContract.contract_no_masked,
        LoanContract.term_months,
        LoanContract.classification,
        LoanContract.outstanding,
        LoanContract.start_date,
    ).where(
        LoanContract.outstanding > 0,
        LoanContract.start_date <= end,
        or_(LoanContract.maturity_date >= start, LoanContract.days_overdue > 0),
    )
    return db.execute(stmt).all()


def fee_totals(db: Session, purposes: list[str], since: datetime, until: datetime) -> Sequence[Any]:
    """Per customer: fees charged (debits) less fees refunded (credits) and the vouchers counted, in [since, until)."""
    signed = case((AccountTransaction.direction == "D", AccountTransaction.amount), else_=-AccountTransaction.amount)
    stmt = (
        select(AccountTransaction.customer_id, func.sum(signed), func.count())
        .where(
            AccountTransaction.purpose_code.in_(purposes),
            AccountTransaction.txn_time >= since,
            AccountTransaction.txn_time < until,
        )
        .group_by(AccountTransaction.customer_id)
    )
    return db.execute(stmt).all()


def voucher_counts(db: Session, since: datetime, until: datetime) -> Sequence[Any]:
    """Per customer and channel: vouchers posted in [since, until)."""
    stmt = (
        select(AccountTransaction.customer_id, AccountTransaction.channel, func.count())
        .where(AccountTransaction.txn_time >= since, AccountTransaction.txn_time < until)
        .group_by(AccountTransaction.customer_id, AccountTransaction.channel)
    )
    return db.execute(stmt).all()


def product_counts(db: Session, start: date, end: date) -> list[tuple[int, str, int]]:
    """Per customer and product category: accounts and loan contracts open at some time in [start, end]."""
    accounts = (
        select(Account.customer_id, Product.category, func.count())
        .join(Product, Product.code == Account.product_code)
        .where(Account.open_date <= end, or_(Account.close_date.is_(None), Account.close_date >= start))
        .group_by(Account.customer_id, Product.category)
    )
    loans = (
        select(LoanContract.customer_id, Product.category, func.count())
        .join(Product, Product.code == LoanContract.product_code)
        .where(
            LoanContract.start_date <= end,
            or_(LoanContract.outstanding > 0, LoanContract.maturity_date >= start),
        )
        .group_by(LoanContract.customer_id, Product.category)
    )
    return [(c, k, n) for c, k, n in db.execute(accounts).all()] + [(c, k, n) for c, k, n in db.execute(loans).all()]


def replace_month(db: Session, month: date, rows: list[dict[str, Any]]) -> None:
    """Replace every contribution line of one month."""
    db.execute(delete(CustomerContribution).where(CustomerContribution.month == month))
    for start in range(0, len(rows), 5_000):
        db.execute(insert(CustomerContribution), rows[start : start + 5_000])


def computed_months(db: Session) -> dict[date, date]:
    """Each month with lines → the business date it was computed as of."""
    stmt = select(CustomerContribution.month, func.max(CustomerContribution.as_of)).group_by(CustomerContribution.month)
    return {m: a for m, a in db.execute(stmt).all()}


def first_snapshot_day(db: Session) -> date | None:
    """The oldest delivered balance day (a backfill starts no earlier)."""
    return db.scalar(select(func.min(BalanceSnapshot.balance_date)))


# --- reads for people ------------------------------------------------------------------------------------------


def lines(db: Session, customer_id: int, month: date) -> Sequence[CustomerContribution]:
    """One customer's lines of one month, in the order of the explanation."""
    stmt = select(CustomerContribution).where(
        CustomerContribution.customer_id == customer_id, CustomerContribution.month == month
    )
    return db.scalars(stmt.order_by(CustomerContribution.id)).all()


def monthly_totals(db: Session, customer_id: int, since: date) -> dict[date, int]:
    """One customer's total per month from ``since``."""
    stmt = (
        select(CustomerContribution.month, func.sum(CustomerContribution.amount))
        .where(CustomerContribution.customer_id == customer_id, CustomerContribution.month >= since)
        .group_by(CustomerContribution.month)
    )
    return {m: int(t) for m, t in db.execute(stmt).all()}


def latest_month(db: Session) -> date | None:
    """The newest month with lines."""
    return db.scalar(select(func.max(CustomerContribution.month)))


def units_by_id(db: Session, ids: set[int]) -> dict[int, OrgUnit]:
    """Org units by id."""
    return {u.id: u for u in db.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all()} if ids else {}


def customer_totals(db: Session, principal: Principal, month: date, under_path: str) -> Sequence[Any]:
    """Per customer in scope homed under the unit: (id, CIF no., kind, home unit id and path, total of the month)."""
    stmt = (
        select(
            Customer.id,
            Customer.cif_no,
            Customer.kind,
            OrgUnit.id,
            OrgUnit.path,
            func.sum(CustomerContribution.amount),
        )
        .join(Customer, Customer.id == CustomerContribution.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(
            CustomerContribution.month == month,
            OrgUnit.path.startswith(under_path, autoescape=True),
            customer_scope(principal),
        )
        .group_by(Customer.id, Customer.cif_no, Customer.kind, OrgUnit.id, OrgUnit.path)
    )
    return db.execute(stmt).all()


def manager_shares(db: Session, customer_ids: list[int], day: date) -> Sequence[Any]:
    """(customer id, manager id, share bp) of the assignments holding on ``day``."""
    if not customer_ids:
        return []
    stmt = select(ManagerAssignment.customer_id, ManagerAssignment.manager_id, ManagerAssignment.share_bp).where(
        ManagerAssignment.valid_from <= day,
        or_(ManagerAssignment.valid_to.is_(None), ManagerAssignment.valid_to > day),
    )
    out: list[Any] = []
    for start in range(0, len(customer_ids), 2_000):
        part = customer_ids[start : start + 2_000]
        out += db.execute(stmt.where(ManagerAssignment.customer_id.in_(part))).all()
    return out


def households_of(db: Session, customer_ids: list[int]) -> dict[int, int]:
    """Customer id → household id, for members of households that exist."""
    out: dict[int, int] = {}
    stmt = (
        select(HouseholdMember.customer_id, HouseholdMember.household_id)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(Household.dissolved_at.is_(None))
    )
    for start in range(0, len(customer_ids), 2_000):
        part = customer_ids[start : start + 2_000]
        out.update({c: h for c, h in db.execute(stmt.where(HouseholdMember.customer_id.in_(part))).all()})
    return out


def groups_of(db: Session, customer_ids: list[int]) -> dict[int, int]:
    """Corporate customer id → the live corporate group it belongs to (core or member; lowest group id)."""
    out: dict[int, int] = {}
    stmt = (
        select(CorporateGroupMember.customer_id, func.min(CorporateGroupMember.group_id))
        .join(CorporateGroup, CorporateGroup.id == CorporateGroupMember.group_id)
        .where(
            and_(
                CorporateGroup.status.in_(GROUP_LIVE),
                CorporateGroup.ended_at.is_(None),
                CorporateGroupMember.role.in_(GROUP_ROLES),
            )
        )
        .group_by(CorporateGroupMember.customer_id)
    )
    for start in range(0, len(customer_ids), 2_000):
        part = customer_ids[start : start + 2_000]
        out.update({c: g for c, g in db.execute(stmt.where(CorporateGroupMember.customer_id.in_(part))).all()})
    return out


def names_of_users(db: Session, ids: set[int]) -> dict[int, str]:
    """User id → display name."""
    from bankcrm.models.access import User

    stmt = select(User.id, User.display_name).where(User.id.in_(ids))
    return {i: n for i, n in db.execute(stmt).all()} if ids else {}


def core_names(db: Session, group_ids: set[int]) -> dict[int, str]:
    """Group id → the name of its core customer."""
    if not group_ids:
        return {}
    stmt = (
        select(CorporateGroup.id, Customer.name)
        .join(Customer, Customer.id == CorporateGroup.core_customer_id)
        .where(CorporateGroup.id.in_(group_ids))
    )
    return {i: n for i, n in db.execute(stmt).all()}


def tiers_of(db: Session, customer_ids: list[int], month: date) -> dict[int, str]:
    """Customer id → value tier in the month's snapshot row (customers without a row are left out)."""
    out: dict[int, str] = {}
    stmt = select(CustomerMonth.customer_id, CustomerMonth.tier).where(CustomerMonth.month == month)
    for start in range(0, len(customer_ids), 2_000):
        part = customer_ids[start : start + 2_000]
        out.update({c: t for c, t in db.execute(stmt.where(CustomerMonth.customer_id.in_(part))).all()})
    return out
