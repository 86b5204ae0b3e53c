"""Queries for holdings, figures and tasks; reads for one customer assume the caller checked the customer's scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.db import ordered
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.customer import Customer
from bankcrm.models.holding import (
    Account,
    AccountParty,
    AccountTransaction,
    BalanceSnapshot,
    Currency,
    CustomerFigure,
    FigureDirty,
    LoanContract,
    Product,
)
from bankcrm.models.ingest import IngestBatch
from bankcrm.models.org import OrgUnit
from bankcrm.models.task import Task, TaskStatus

# A debit card is in none of these: its money is its demand account's, counted there.
AUM_CATEGORIES = ("DEMAND", "TIME", "WEALTH", "FUND", "INSURANCE")
DEPOSIT_CATEGORIES = ("DEMAND", "TIME")
CREDIT_CARD = "CARD"  # a credit card's balance is what the customer owes
MATURING_CATEGORIES = ("TIME", "WEALTH")
LOAN_CATEGORIES = ("PLOAN", "CLOAN")  # held as loan contracts, not accounts


def accounts(db: Session, customer_id: int) -> list[tuple[Account, Product]]:
    """A customer's accounts with their product, open ones first."""
    stmt = (
        select(Account, Product)
        .join(Product, Product.code == Account.product_code)
        .where(Account.customer_id == customer_id)
        .order_by((Account.status == "CLOSED"), Product.sort_order, Account.open_date)
    )
    return list(db.execute(stmt))


def current_parties() -> Any:
    """Condition on AccountParty: the row is of the newest delivery (business date, then batch) naming its account."""
    newer = aliased(AccountParty)
    later = (newer.business_date > AccountParty.business_date) | (
        (newer.business_date == AccountParty.business_date) & (newer.batch_id > AccountParty.batch_id)
    )
    return ~select(newer.account_id).where(newer.account_id == AccountParty.account_id, later).exists()


def parties_valid_on(today: date) -> tuple[Any, ...]:
    """Conditions on AccountParty: the role holds on ``today`` and comes from the newest delivery of its account."""
    return (
        AccountParty.valid_from <= today,
        or_(AccountParty.valid_to.is_(None), AccountParty.valid_to > today),
        current_parties(),
    )


def party_accounts(db: Session, customer_id: int, today: date) -> list[tuple[AccountParty, Account, Product]]:
    """The accounts a customer is party to but does not own, with its role, as delivered last and valid today."""
    stmt = (
        select(AccountParty, Account, Product)
        .join(Account, Account.id == AccountParty.account_id)
        .join(Product, Product.code == Account.product_code)
        .where(
            AccountParty.customer_id == customer_id,
            Account.customer_id != customer_id,
            *parties_valid_on(today),
        )
        .order_by((Account.status == "CLOSED"), Product.sort_order, Account.open_date, AccountParty.role)
    )
    return [(party, a, p) for party, a, p in db.execute(stmt)]


def co_parties(db: Session, owner_id: int, today: date) -> list[tuple[AccountParty, Customer]]:
    """The other parties of a customer's own accounts (joint holders, signatories), delivered last, valid today."""
    stmt = (
        select(AccountParty, Customer)
        .join(Account, Account.id == AccountParty.account_id)
        .join(Customer, Customer.id == AccountParty.customer_id)
        .where(
            Account.customer_id == owner_id,
            AccountParty.customer_id != owner_id,
            *parties_valid_on(today),
        )
        .order_by(AccountParty.account_id, AccountParty.role, Customer.cif_no)
    )
    return [(party, customer) for party, customer in db.execute(stmt)]


def loans(db: Session, customer_id: int) -> list[tuple[LoanContract, Product]]:
    """A customer's loan contracts with their product, active ones first."""
    stmt = (
        select(LoanContract, Product)
        .join(Product, Product.code == LoanContract.product_code)
        .where(LoanContract.customer_id == customer_id)
        .order_by((LoanContract.status != "ACTIVE"), LoanContract.maturity_date)
    )
    return list(db.execute(stmt))


def figure(db: Session, customer_id: int) -> CustomerFigure | None:
    """The customer's derived figures, if the nightly batch has computed them."""
    return db.get(CustomerFigure, customer_id)


def transactions(
    db: Session,
    customer_id: int,
    page: PageRequest,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    min_amount: int | None = None,
    max_amount: int | None = None,
    channel: str | None = None,
    sort: SortSpec | None = None,
) -> Page[tuple[AccountTransaction, str]]:
    """A customer's vouchers with the masked account number, filtered; newest first by default."""
    conditions: list[Any] = [AccountTransaction.customer_id == customer_id]
    if since is not None:
        conditions.append(AccountTransaction.txn_time >= since)
    if until is not None:
        conditions.append(AccountTransaction.txn_time < until)
    if min_amount is not None:
        conditions.append(AccountTransaction.amount >= min_amount)
    if max_amount is not None:
        conditions.append(AccountTransaction.amount <= max_amount)
    if channel:
        conditions.append(AccountTransaction.channel == channel)
    where = and_(*conditions)
    total = db.scalar(select(func.count()).select_from(AccountTransaction).where(where)) or 0
    stmt = (
        select(AccountTransaction, Account.account_no_masked)
        .join(Account, Account.id == AccountTransaction.account_id)
        .where(where)
    )
    if sort:
        stmt = ordered(stmt, sort, TXN_SORTS)
    else:
        stmt = stmt.order_by(AccountTransaction.txn_time.desc(), AccountTransaction.voucher_no.desc())
    stmt = stmt.offset(page.offset).limit(page.size)
    return Page(items=list(db.execute(stmt)), total=total, page=page.page, size=page.size)


LOAN_SORTS: dict[str, Any] = {
    "cif_no": Customer.cif_no,
    "product_code": LoanContract.product_code,
    "unit_code": OrgUnit.code,
    "outstanding": LoanContract.outstanding,
    "days_overdue": LoanContract.days_overdue,
    "maturity_date": LoanContract.maturity_date,
    "id": LoanContract.id,
}


def _in_order(column: Any, codes: list[str]) -> Any:
    """A code column sorted by its code table's order (unknown codes last), not alphabetically."""
    return case({c: i for i, c in enumerate(codes)}, value=column, else_=len(codes)) if codes else column


def loan_list(
    db: Session,
    principal: Principal,
    page: PageRequest,
    *,
    loan_class: str | None = None,
    status: str | None = None,
    branch: str | None = None,
    product: str | None = None,
    sort: SortSpec,
    class_order: list[str],
    status_order: list[str],
) -> Page[tuple[LoanContract, Customer, Product, str]]:
    """Loan contracts of customers in scope with their product and booking unit's code, filtered and sorted.

    ``branch`` is a unit code: loans booked there or at a unit under it (an unknown code matches none).
    """
    conditions: list[Any] = [LoanContract.customer_id.in_(_scoped_customers(principal))]
    if loan_class:
        conditions.append(LoanContract.classification == loan_class)
    if status:
        conditions.append(LoanContract.status == status)
    if product:
        conditions.append(LoanContract.product_code == product)
    if branch:
        path = db.scalar(select(OrgUnit.path).where(OrgUnit.code == branch))
        if path is None:
            return Page(items=[], total=0, page=page.page, size=page.size)
        conditions.append(OrgUnit.path.startswith(path, autoescape=True))
    stmt = (
        select(LoanContract, Customer, Product, OrgUnit.code)
        .join(Customer, Customer.id == LoanContract.customer_id)
        .join(Product, Product.code == LoanContract.product_code)
        .join(OrgUnit, OrgUnit.id == LoanContract.unit_id)
        .where(and_(*conditions))
    )
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    columns = LOAN_SORTS | {
        "classification": _in_order(LoanContract.classification, class_order),
        "status": _in_order(LoanContract.status, status_order),
    }
    stmt = ordered(stmt, sort, columns).offset(page.offset).limit(page.size)
    return Page(items=[tuple(r) for r in db.execute(stmt)], total=total, page=page.page, size=page.size)  # type: ignore[misc]


def loan_products(db: Session) -> list[Product]:
    """The loan products of the catalogue in its order."""
    return list(db.scalars(select(Product).where(Product.category.in_(LOAN_CATEGORIES)).order_by(Product.sort_order)))


def open_tasks_of_customer(db: Session, customer_id: int) -> list[Task]:
    """A customer's open tasks, soonest first."""
    stmt = select(Task).where(Task.customer_id == customer_id, Task.status == TaskStatus.OPEN).order_by(Task.due_date)
    return list(db.scalars(stmt))


# --- scoped lists -------------------------------------------------------------------------------


def _scoped_customers(principal: Principal) -> Select[Any]:
    return select(Customer.id).join(OrgUnit, Customer.home_unit_id == OrgUnit.id).where(customer_scope(principal))


# The transaction list's sort keys (holdings.schemas.TRANSACTION_LIST).
TXN_SORTS = {
    "txn_time": AccountTransaction.txn_time,
    "amount": AccountTransaction.amount,
    "channel": AccountTransaction.channel,
    "counterparty": AccountTransaction.counterparty_name,
    "purpose": AccountTransaction.purpose_code,
    "voucher_no": AccountTransaction.voucher_no,
}


# The task list's sort keys (holdings.schemas.TASK_LIST).
TASK_SORTS = {
    "id": Task.id,
    "cif_no": Customer.cif_no,
    "product_code": Task.product_code,
    "maturity_date": Task.maturity_date,
    "window_days": Task.window_days,
    "amount_due": Task.amount_due,
    "outcome": Task.outcome,
    "status": Task.status,
    "due_date": Task.due_date,
    "kind": Task.kind,
    "amount_kept": Task.amount_kept,
}


def tasks_for(
    db: Session, principal: Principal, page: PageRequest, status: str | None, sort: SortSpec | None = None
) -> Page[tuple[Task, Customer]]:
    """Tasks assigned to the principal, or unassigned on customers in their scope; soonest first by default."""
    stmt = (
        select(Task, Customer)
        .join(Customer, Customer.id == Task.customer_id)
        .where(
            or_(
                Task.assignee_id == principal.user_id,
                and_(Task.assignee_id.is_(None), Task.customer_id.in_(_scoped_customers(principal))),
            )
        )
    )
    if status:
        stmt = stmt.where(Task.status == status)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = ordered(stmt, sort, TASK_SORTS) if sort else stmt.order_by(Task.status, Task.due_date, Task.id)
    rows = db.execute(stmt.offset(page.offset).limit(page.size))
    return Page(items=list(rows), total=total, page=page.page, size=page.size)


def task(db: Session, task_id: int) -> Task | None:
    """One task, regardless of scope (the caller checks)."""
    return db.get(Task, task_id)


def maturity_tasks_between(db: Session, principal: Principal, start: date, end: date) -> list[Task]:
    """Maturity tasks on customers in scope with maturity dates in [start, end)."""
    stmt = select(Task).where(
        Task.kind == "MATURITY",
        Task.maturity_date >= start,
        Task.maturity_date < end,
        Task.customer_id.in_(_scoped_customers(principal)),
    )
    return list(db.scalars(stmt))


# --- nightly batch ------------------------------------------------------------------------------


def latest_business_date(db: Session) -> date | None:
    """The newest business date any file was loaded for."""
    return db.scalar(select(func.max(IngestBatch.business_date)))


def dirty_customer_ids(db: Session) -> list[int]:
    """Customers queued for recomputation."""
    return list(db.scalars(select(FigureDirty.customer_id).order_by(FigureDirty.customer_id)))


def customers_with_holdings(db: Session) -> list[int]:
    """Every customer with an account or a loan (a full recomputation)."""
    ids = select(Account.customer_id).union(select(LoanContract.customer_id))
    return sorted(db.scalars(ids))


def _positive(balance: Any) -> Any:
    return case((balance > 0, balance), else_=0)


def account_totals(db: Session, ids: list[int]) -> list[tuple[int, str, int, int, int]]:
    """(customer, category, sum of positive balances, sum overdrawn as a positive amount, products) of open accounts."""
    stmt = (
        select(
            Account.customer_id,
            Product.category,
            func.sum(_positive(Account.balance)),
            func.sum(_positive(-Account.balance)),
            func.count(func.distinct(Account.product_code)),
        )
        .join(Product, Product.code == Account.product_code)
        .where(Account.customer_id.in_(ids), Account.status != "CLOSED")
        .group_by(Account.customer_id, Product.category)
    )
    return [(c, cat, int(s or 0), int(o or 0), int(n)) for c, cat, s, o, n in db.execute(stmt)]


def loan_totals(db: Session, ids: list[int]) -> list[tuple[int, int, int]]:
    """(customer, outstanding sum, products) of active loans."""
    stmt = (
        select(
            LoanContract.customer_id,
            func.sum(LoanContract.outstanding),
            func.count(func.distinct(LoanContract.product_code)),
        )
        .where(LoanContract.customer_id.in_(ids), LoanContract.status == "ACTIVE")
        .group_by(LoanContract.customer_id)
    )
    return [(c, int(s or 0), int(n)) for c, s, n in db.execute(stmt)]


def last_transactions(db: Session, ids: list[int]) -> list[tuple[int, datetime]]:
    """(customer, time of the newest voucher)."""
    stmt = (
        select(AccountTransaction.customer_id, func.max(AccountTransaction.txn_time))
        .where(AccountTransaction.customer_id.in_(ids))
        .group_by(AccountTransaction.customer_id)
    )
    return [(c, t) for c, t in db.execute(stmt) if t is not None]


def daily_aum(db: Session, ids: list[int], since: date, until: date) -> list[tuple[int, date, int]]:
    """(customer, day, AUM that day) from balance snapshots of AUM products, days in [since, until].

    An overdrawn account adds nothing (it is a liability, not negative assets).
    """
    stmt = (
        select(BalanceSnapshot.customer_id, BalanceSnapshot.balance_date, func.sum(_positive(BalanceSnapshot.balance)))
        .join(Account, Account.id == BalanceSnapshot.account_id)
        .join(Product, Product.code == Account.product_code)
        .where(
            BalanceSnapshot.customer_id.in_(ids),
            BalanceSnapshot.balance_date >= since,
            BalanceSnapshot.balance_date <= until,
            Product.category.in_(AUM_CATEGORIES),
        )
        .group_by(BalanceSnapshot.customer_id, BalanceSnapshot.balance_date)
    )
    return [(c, d, int(s or 0)) for c, d, s in db.execute(stmt)]


def currencies(db: Session, *, active_only: bool = False) -> list[Currency]:
    """Currencies in display order."""
    stmt = select(Currency).order_by(Currency.sort_order, Currency.code)
    if active_only:
        stmt = stmt.where(Currency.active)
    return list(db.scalars(stmt))


def currencies_by_code(db: Session, codes: list[str]) -> list[Currency]:
    """The currencies with these codes (unknown codes are simply absent)."""
    return list(db.scalars(select(Currency).where(Currency.code.in_(codes))))


def minor_units(db: Session) -> dict[str, int]:
    """Minor units by currency code."""
    return {c: d for c, d in db.execute(select(Currency.code, Currency.minor_units))}


def replace_figures(db: Session, ids: list[int], rows: list[dict[str, Any]]) -> None:
    """Swap these customers' figures for the new ones and take them off the queue."""
    db.execute(delete(CustomerFigure).where(CustomerFigure.customer_id.in_(ids)))
    if rows:
        db.execute(insert(CustomerFigure), rows)
    db.execute(delete(FigureDirty).where(FigureDirty.customer_id.in_(ids)))


def maturing_accounts(db: Session, start: date, end: date) -> list[tuple[Account, Customer]]:
    """Open time deposits and wealth products maturing in [start, end], with their customer."""
    stmt = (
        select(Account, Customer)
        .join(Product, Product.code == Account.product_code)
        .join(Customer, Customer.id == Account.customer_id)
        .where(
            Product.category.in_(MATURING_CATEGORIES),
            Account.status != "CLOSED",
            Account.maturity_date >= start,
            Account.maturity_date <= end,
        )
    )
    return list(db.execute(stmt))


def maturing_loans(db: Session, start: date, end: date) -> list[tuple[LoanContract, Customer]]:
    """Active loans maturing in [start, end], with their customer."""
    stmt = (
        select(LoanContract, Customer)
        .join(Customer, Customer.id == LoanContract.customer_id)
        .where(
            LoanContract.status == "ACTIVE",
            LoanContract.maturity_date >= start,
            LoanContract.maturity_date <= end,
        )
    )
    return list(db.execute(stmt))


def maturity_tasks(db: Session, start: date, end: date) -> dict[tuple[str, int, date], Task]:
    """Existing maturity tasks for maturities in [start, end], by (holding kind, holding id, maturity date)."""
    stmt = select(Task).where(Task.kind == "MATURITY", Task.maturity_date >= start, Task.maturity_date <= end)
    return {(t.holding_kind or "", t.holding_id or 0, t.maturity_date): t for t in db.scalars(stmt) if t.maturity_date}


def add(db: Session, row: Any) -> None:
    """Add and flush."""
    db.add(row)
    db.flush()


# --- home cards (figures of the customers in the viewer's scope) --------------------------------
