"""The home page cards' queries: totals, movers, tasks, maturities, loans and AUM by unit and manager, in scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.scope import customer_scope
from bankcrm.holdings.repository import AUM_CATEGORIES, MATURING_CATEGORIES, _positive, _scoped_customers
from bankcrm.models.customer import Customer
from bankcrm.models.holding import (
    Account,
    BalanceSnapshot,
    CustomerFigure,
    LoanContract,
    Product,
)
from bankcrm.models.org import OrgUnit
from bankcrm.models.task import Task, TaskStatus


def figure_totals(db: Session, principal: Principal) -> tuple[int, int, int, int]:
    """(customers with figures, AUM, deposits, loans) summed over the nightly figures of customers in scope."""
    stmt = select(
        func.count(),
        func.sum(CustomerFigure.aum),
        func.sum(CustomerFigure.deposit_balance),
        func.sum(CustomerFigure.loan_balance),
    ).where(CustomerFigure.customer_id.in_(_scoped_customers(principal)))
    n, aum, deposits, loans_ = db.execute(stmt).one()
    return int(n), int(aum or 0), int(deposits or 0), int(loans_ or 0)


def snapshot_day(db: Session, on_or_before: date) -> date | None:
    """The newest day with balance snapshots on or before a date."""
    return db.scalar(select(func.max(BalanceSnapshot.balance_date)).where(BalanceSnapshot.balance_date <= on_or_before))


def snapshot_totals(db: Session, principal: Principal, day: date) -> dict[str, int]:
    """Positive snapshot balances on one day by product category, customers in scope."""
    stmt = (
        select(Product.category, func.sum(_positive(BalanceSnapshot.balance)))
        .join(Account, Account.id == BalanceSnapshot.account_id)
        .join(Product, Product.code == Account.product_code)
        # Scoped through the account (indexed by customer), then its snapshot by primary key (account, day).
        .where(BalanceSnapshot.balance_date == day, Account.customer_id.in_(_scoped_customers(principal)))
        .group_by(Product.category)
    )
    return {c: int(s or 0) for c, s in db.execute(stmt)}


def aum_movers(db: Session, principal: Principal, day: date, limit: int, up: bool) -> list[tuple[Customer, int, int]]:
    """(customer, AUM now, AUM on ``day``) of customers in scope whose AUM rose (or fell) most since that day."""
    then = (
        select(BalanceSnapshot.customer_id.label("cid"), func.sum(_positive(BalanceSnapshot.balance)).label("aum"))
        .join(Account, Account.id == BalanceSnapshot.account_id)
        .join(Product, Product.code == Account.product_code)
        .where(
            BalanceSnapshot.balance_date == day,
            Product.category.in_(AUM_CATEGORIES),
            Account.customer_id.in_(_scoped_customers(principal)),
        )
        .group_by(BalanceSnapshot.customer_id)
        .subquery()
    )
    before = func.coalesce(then.c.aum, 0)
    change = CustomerFigure.aum - before
    stmt = (
        select(Customer, CustomerFigure.aum, before)
        .join(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .outerjoin(then, then.c.cid == Customer.id)
        .where(Customer.id.in_(_scoped_customers(principal)), change > 0 if up else change < 0)
        .order_by(change.desc() if up else change, Customer.id)
        .limit(limit)
    )
    return [(c, int(now), int(was)) for c, now, was in db.execute(stmt)]


def my_open_tasks(principal: Principal) -> Any:
    """The condition for the principal's open tasks: theirs, or unassigned on customers in scope (as /tasks lists)."""
    return and_(
        Task.status == TaskStatus.OPEN,
        or_(
            Task.assignee_id == principal.user_id,
            and_(Task.assignee_id.is_(None), Task.customer_id.in_(_scoped_customers(principal))),
        ),
    )


def count_tasks(db: Session, principal: Principal, start: date | None, end: date) -> int:
    """The principal's open tasks due in [start, end] (from any day when start is None)."""
    where = [my_open_tasks(principal), Task.due_date <= end]
    if start is not None:
        where.append(Task.due_date >= start)
    return db.scalar(select(func.count()).select_from(Task).where(*where)) or 0


def maturing_sum(db: Session, principal: Principal, start: date, end: date) -> tuple[int, int]:
    """(accounts, balance) of open time deposits and wealth products in scope maturing in [start, end]."""
    stmt = (
        select(func.count(), func.sum(Account.balance))
        .join(Product, Product.code == Account.product_code)
        .where(
            Product.category.in_(MATURING_CATEGORIES),
            Account.status != "CLOSED",
            Account.maturity_date >= start,
            Account.maturity_date <= end,
            Account.customer_id.in_(_scoped_customers(principal)),
        )
    )
    n, total = db.execute(stmt).one()
    return int(n), int(total or 0)


def loans_by_class(db: Session, principal: Principal) -> dict[str, tuple[int, int]]:
    """Active loans of customers in scope by five-category class: (contracts, outstanding)."""
    stmt = (
        select(LoanContract.classification, func.count(), func.sum(LoanContract.outstanding))
        .where(LoanContract.status == "ACTIVE", LoanContract.customer_id.in_(_scoped_customers(principal)))
        .group_by(LoanContract.classification)
    )
    return {c: (int(n), int(s or 0)) for c, n, s in db.execute(stmt)}


def holdings_by_product(db: Session, principal: Principal) -> list[tuple[Product, str, int, int, int]]:
    """(product, currency, holdings, customers, balance) of customers in scope, in the catalogue's order.

    Holdings are accounts not closed (balance: the latest delivered) and active loans (balance: outstanding).
    """
    scoped = _scoped_customers(principal)
    accounts = (
        select(
            Account.product_code,
            Account.currency,
            func.count(),
            func.count(func.distinct(Account.customer_id)),
            func.sum(Account.balance),
        )
        .where(Account.status != "CLOSED", Account.customer_id.in_(scoped))
        .group_by(Account.product_code, Account.currency)
    )
    loans = (
        select(
            LoanContract.product_code,
            LoanContract.currency,
            func.count(),
            func.count(func.distinct(LoanContract.customer_id)),
            func.sum(LoanContract.outstanding),
        )
        .where(LoanContract.status == "ACTIVE", LoanContract.customer_id.in_(scoped))
        .group_by(LoanContract.product_code, LoanContract.currency)
    )
    found = {(p, c): (int(n), int(k), int(s or 0)) for p, c, n, k, s in [*db.execute(accounts), *db.execute(loans)]}
    products = {p.code: p for p in db.scalars(select(Product).where(Product.code.in_({p for p, _ in found})))}
    keys = sorted(found, key=lambda pc: (products[pc[0]].sort_order, pc[0], pc[1]))
    return [(products[p], c, *found[(p, c)]) for p, c in keys]


def overdue_by_assignee(db: Session, principal: Principal, today: date) -> list[tuple[int | None, int]]:
    """(assignee, open tasks past due) on customers in scope, most first."""
    n = func.count()
    stmt = (
        select(Task.assignee_id, n)
        .where(
            Task.status == TaskStatus.OPEN,
            Task.due_date < today,
            Task.customer_id.in_(_scoped_customers(principal)),
        )
        .group_by(Task.assignee_id)
        .order_by(n.desc(), Task.assignee_id)
    )
    return [(a, int(c)) for a, c in db.execute(stmt)]


def aum_by_unit(db: Session, principal: Principal, limit: int) -> list[tuple[OrgUnit, int, int]]:
    """(home unit, customers, AUM) of customers in scope by their home unit, largest AUM first."""
    total = func.sum(CustomerFigure.aum)
    stmt = (
        select(OrgUnit, func.count(), total)
        .join(Customer, Customer.home_unit_id == OrgUnit.id)
        .join(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .where(customer_scope(principal))
        .group_by(OrgUnit.id)
        .order_by(total.desc(), OrgUnit.id)
        .limit(limit)
    )
    return [(u, int(n), int(s or 0)) for u, n, s in db.execute(stmt)]


def aum_by_manager(db: Session, principal: Principal, limit: int) -> list[tuple[int | None, int, int]]:
    """(account manager, customers, AUM) of customers in scope by their manager, largest AUM first."""
    total = func.sum(CustomerFigure.aum)
    stmt = (
        select(Customer.account_manager_id, func.count(), total)
        .join(CustomerFigure, CustomerFigure.customer_id == Customer.id)
        .join(OrgUnit, Customer.home_unit_id == OrgUnit.id)
        .where(customer_scope(principal))
        .group_by(Customer.account_manager_id)
        .order_by(total.desc(), func.coalesce(Customer.account_manager_id, 0))
        .limit(limit)
    )
    return [(m, int(n), int(s or 0)) for m, n, s in db.execute(stmt)]


def maturity_follow_ups(db: Session, principal: Principal, start: date, end: date) -> tuple[int, int, int, int]:
    """Maturity tasks on customers in scope due in [start, end]: (due, done, amount due, amount kept of the done)."""
    done = Task.status == TaskStatus.DONE
    stmt = select(
        func.count(),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((done, Task.amount_due), else_=0)),
        func.sum(case((done, Task.amount_kept), else_=0)),
    ).where(
        Task.kind == "MATURITY",
        Task.due_date >= start,
        Task.due_date <= end,
        Task.customer_id.in_(_scoped_customers(principal)),
    )
    n, n_done, due, kept = db.execute(stmt).one()
    return int(n), int(n_done or 0), int(due or 0), int(kept or 0)
