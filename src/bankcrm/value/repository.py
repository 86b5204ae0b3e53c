"""Value queries: pricing rows in force, the month's balances, loans, vouchers and products, contribution lines.

Every read of customers' lines for a person goes through ``customer_scope`` (the caller's data scope); the
batch's reads are the system's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Date, DateTime, and_, bindparam, case, delete, func, insert, or_, select, text, union
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import insert_frame
from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import CodeItem, Customer
from bankcrm.models.group import CorporateGroup, CorporateGroupMember
from bankcrm.models.holding import (
    Account,
    AccountTransaction,
    BalanceSnapshot,
    CustomerFigure,
    LoanContract,
    Product,
)
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


def _batch_rows(db: Session, stmt: Any) -> Sequence[Any]:
    """A batch read's rows through the session's connection: the same rows as ``db.execute``, without the ORM's
    per-row loading (a first run reads a year of every customer's accounts, balances and vouchers) and, when no
    column's type converts the driver's values (integers and text), as the driver's own tuples."""
    db.flush()
    conn = db.connection()
    result = conn.execute(stmt)
    types = [c.type.dialect_impl(conn.dialect) for c in stmt.selected_columns]
    if any(t.result_processor(conn.dialect, None) is not None for t in types):
        return result.all()
    return result.cursor.fetchall()


def deposit_balances(db: Session, start: date, end: date, ids: list[int] | None = None) -> Sequence[Any]:
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
            *_among(Account.customer_id, ids),
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
    return _batch_rows(db, stmt)


def live_loans(db: Session, start: date, end: date, ids: list[int] | None = None) -> Sequence[Any]:
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
        *_among(LoanContract.customer_id, ids),
    )
    return _batch_rows(db, stmt)


def fee_totals(
    db: Session, purposes: list[str], since: datetime, until: datetime, ids: list[int] | None = None
) -> Sequence[Any]:
    """Per customer: fees charged (debits) less fees refunded (credits) and the vouchers counted, in [since, until)."""
    signed = case((AccountTransaction.direction == "D", AccountTransaction.amount), else_=-AccountTransaction.amount)
    stmt = (
        select(AccountTransaction.customer_id, func.sum(signed), func.count())
        .where(
            AccountTransaction.purpose_code.in_(purposes),
            AccountTransaction.txn_time >= since,
            AccountTransaction.txn_time < until,
            *_among(AccountTransaction.customer_id, ids),
        )
        .group_by(AccountTransaction.customer_id)
    )
    return _batch_rows(db, stmt)


def voucher_counts(db: Session, since: datetime, until: datetime, ids: list[int] | None = None) -> Sequence[Any]:
    """Per customer and channel: vouchers posted in [since, until)."""
    stmt = (
        select(AccountTransaction.customer_id, AccountTransaction.channel, func.count())
        .where(
            AccountTransaction.txn_time >= since,
            AccountTransaction.txn_time < until,
            *_among(AccountTransaction.customer_id, ids),
        )
        .group_by(AccountTransaction.customer_id, AccountTransaction.channel)
    )
    return _batch_rows(db, stmt)


def product_counts(db: Session, start: date, end: date, ids: list[int] | None = None) -> list[tuple[int, str, int]]:
    """Per customer and product category: accounts and loan contracts open at some time in [start, end]."""
    accounts = (
        select(Account.customer_id, Product.category, func.count())
        .join(Product, Product.code == Account.product_code)
        .where(
            Account.open_date <= end,
            or_(Account.close_date.is_(None), Account.close_date >= start),
            *_among(Account.customer_id, ids),
        )
        .group_by(Account.customer_id, Product.category)
    )
    loans = (
        select(LoanContract.customer_id, Product.category, func.count())
        .join(Product, Product.code == LoanContract.product_code)
        .where(
            LoanContract.start_date <= end,
            or_(LoanContract.outstanding > 0, LoanContract.maturity_date >= start),
            *_among(LoanContract.customer_id, ids),
        )
        .group_by(LoanContract.customer_id, Product.category)
    )
    return [(c, k, n) for c, k, n in _batch_rows(db, accounts)] + [(c, k, n) for c, k, n in _batch_rows(db, loans)]


def _among(column: Any, ids: list[int] | None) -> list[Any]:
    """No condition for the whole bank; else the column in ``ids`` (a chunk: an IN list both databases take)."""
    return [] if ids is None else [column.in_(ids)]


def replace_month(db: Session, month: date, lines: pl.DataFrame, fixed: dict[str, Any]) -> None:
    """Replace every contribution line of one month: ``lines`` (columns named as the table's), each with the
    ``fixed`` values (month, as of, computed at); COPY / executemany, no per-row statement work."""
    db.execute(delete(CustomerContribution).where(CustomerContribution.month == month))
    insert_frame(db, CustomerContribution, lines, fixed)


def replace_lines(db: Session, month: date, ids: list[int], lines: pl.DataFrame, fixed: dict[str, Any]) -> None:
    """Replace these customers' lines of one month (``lines`` are theirs, as in ``replace_month``)."""
    db.execute(
        delete(CustomerContribution).where(
            CustomerContribution.month == month, CustomerContribution.customer_id.in_(ids)
        )
    )
    insert_frame(db, CustomerContribution, lines, fixed)


def month_state(db: Session, month: date) -> tuple[date | None, date | None, datetime | None]:
    """Of a month's lines: the oldest and newest business date computed as of, and when last computed."""
    line = CustomerContribution
    stmt = select(func.min(line.as_of), func.max(line.as_of), func.max(line.computed_at)).where(line.month == month)
    low, high, at = db.execute(stmt).one()
    return low, high, at


def customers_in_month(db: Session, month: date) -> int:
    """How many customers have lines in a month."""
    line = CustomerContribution
    stmt = select(func.count(func.distinct(line.customer_id))).where(line.month == month)
    return int(db.scalar(stmt) or 0)


def pricing_changed_since(db: Session, since: datetime, month: date) -> bool:
    """Whether a change approved after ``since`` holds from ``month``'s first day or earlier (it may reprice it)."""
    stmt = select(PricingChange.id).where(
        PricingChange.status == "approved", PricingChange.decided_at > since, PricingChange.effective_from <= month
    )
    return db.execute(stmt.limit(1)).first() is not None


def changed_customers(
    db: Session, since: datetime, after: date, end: date, after_moment: datetime, end_moment: datetime
) -> list[int]:
    """Customers whose month's facts may differ from when their lines were computed at ``since`` as of ``after``:
    figures recomputed (the dirty-customer queue drained by the figures step) or record changed after ``since``,
    and — when the business date moved on to ``end`` — any balance, voucher, account or loan dated in between."""
    parts: list[Any] = [
        select(CustomerFigure.customer_id).where(CustomerFigure.computed_at > since),
        select(Customer.id).where(Customer.updated_at > since),
    ]
    if end > after:
        parts += [
            select(BalanceSnapshot.customer_id).where(
                BalanceSnapshot.balance_date > after, BalanceSnapshot.balance_date <= end
            ),
            select(AccountTransaction.customer_id).where(
                AccountTransaction.txn_time >= after_moment, AccountTransaction.txn_time < end_moment
            ),
            select(Account.customer_id).where(Account.open_date > after, Account.open_date <= end),
            select(LoanContract.customer_id).where(LoanContract.start_date > after, LoanContract.start_date <= end),
        ]
    return sorted({i for i in db.scalars(union(*parts)) if i is not None})


# A later business date in the same month changes a line only through its days: these recompute it from the
# line's own stored figures with the rounding of ``compute.rounded`` (integer division of non-negative numbers).
_ROUNDED = "(CASE WHEN {n} < 0 THEN -((abs({n}) * 2 + {d}) / (2 * {d})) ELSE (abs({n}) * 2 + {d}) / (2 * {d}) END)"
_DEPOSIT = _ROUNDED.format(n="avg_balance * (ftp_rate_bp - customer_rate_bp) * :days", d=3_650_000)
_LOAN = _ROUNDED.format(n="avg_balance * (days + :delta) * (customer_rate_bp - ftp_rate_bp)", d=3_650_000)
_LOSS = "-" + _ROUNDED.format(n="avg_balance * (days + :delta) * ftp_rate_bp", d=3_650_000)
_SERVICE = "-" + _ROUNDED.format(n='"count" * :cost * :days', d=":month_days")


def move_on(
    db: Session, month: date, as_of: date, days: int, delta: int, month_days: int, costs: dict[str, int], now: datetime
) -> None:
    """Every line of the month repriced from ``delta`` days earlier to ``as_of`` (``days`` priced now)."""
    params: dict[str, Any] = {"month": month, "as_of": as_of, "now": now, "days": days, "delta": delta}
    stamp = "as_of = :as_of, computed_at = :now"

    def update(kind: str, sets: str, where: str = "", extra: dict[str, Any] | None = None) -> None:
        sql = f"UPDATE customer_contribution SET {sets}, {stamp} WHERE month = :month AND kind = :kind{where}"  # noqa: S608 -- our constant fragments; values bound
        stmt = text(sql).bindparams(
            bindparam("month", type_=Date), bindparam("as_of", type_=Date), bindparam("now", type_=DateTime)
        )
        db.execute(stmt, {**params, "kind": kind, **(extra or {})})

    update("deposit_margin", f"days = :days, amount = {_DEPOSIT}")
    update("loan_margin", f"amount = {_LOAN}, days = days + :delta")
    update("expected_loss", f"amount = {_LOSS}, days = days + :delta")
    update("fee_income", "days = :days")
    update("service_txn", "days = :days")
    for ref, cost in costs.items():
        update(
            "service_product",
            f"days = :days, amount = {_SERVICE}",
            " AND ref = :ref",
            {"ref": ref, "cost": cost, "month_days": month_days},
        )


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
