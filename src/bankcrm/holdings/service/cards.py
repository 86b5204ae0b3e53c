"""The holdings module's home-page cards: the day's work, maturities, the portfolio and its movers, loan classes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import users as user_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import names as customer_names
from bankcrm.holdings import repository
from bankcrm.holdings.repository import AUM_CATEGORIES, DEPOSIT_CATEGORIES, LOAN_CATEGORIES
from bankcrm.holdings.repository import cards as card_queries
from bankcrm.kit.time import BankDay
from bankcrm.models.customer import CodeItem
from bankcrm.models.holding import Product
from bankcrm.models.org import OrgUnit

MOVERS = 5  # customers listed each way on the movers card


def month_end_before(as_of: date) -> date:
    """The last day of the month before as_of's month."""
    return date(as_of.year, as_of.month, 1) - timedelta(days=1)


def _last_month_day(db: Session, today: BankDay) -> date | None:
    """The newest snapshot day on or before the last month-end (as of the newest business date, else today)."""
    as_of = repository.latest_business_date(db) or today.day
    return card_queries.snapshot_day(db, month_end_before(as_of))


@dataclass(frozen=True)
class Work:
    """The viewer's open tasks and the money maturing soon in their scope."""

    week_start: date  # today: what fell due earlier this week is counted as past due
    week_end: date  # Sunday
    due_this_week: int
    overdue: int
    maturing_7: tuple[int, int]  # (accounts, balance fen) in the next 7 days
    maturing_30: tuple[int, int]


def work_card(db: Session, principal: Principal, today: BankDay) -> Work:
    """Open tasks due from today to Sunday, and past due; deposits and wealth maturing in 7 and 30 days."""
    day = today.day
    sunday = day + timedelta(days=6 - day.weekday())
    return Work(
        week_start=day,
        week_end=sunday,
        due_this_week=card_queries.count_tasks(db, principal, day, sunday),
        overdue=card_queries.count_tasks(db, principal, None, day - timedelta(days=1)),
        maturing_7=card_queries.maturing_sum(db, principal, day, day + timedelta(days=7)),
        maturing_30=card_queries.maturing_sum(db, principal, day, day + timedelta(days=30)),
    )


@dataclass(frozen=True)
class Portfolio:
    """AUM, deposits and loans of the customers in scope, with the change since last month-end where it is stored."""

    customers: int
    aum: int
    deposits: int
    loans: int
    month_end: date | None  # the snapshot day compared with; None: no snapshot that old
    aum_change: int | None
    deposits_change: int | None


def portfolio_card(db: Session, principal: Principal, today: BankDay) -> Portfolio:
    """Sums of the nightly figures in scope; last month's AUM and deposits from that month-end's balance snapshots.

    Loans have no month-end figure stored (loan contracts carry only today's outstanding), so no loan change.
    """
    customers, aum, deposits, loans = card_queries.figure_totals(db, principal)
    day = _last_month_day(db, today)
    if day is None:
        return Portfolio(customers, aum, deposits, loans, None, None, None)
    then = card_queries.snapshot_totals(db, principal, day)
    aum_then = sum(v for c, v in then.items() if c in AUM_CATEGORIES)
    deposits_then = sum(v for c, v in then.items() if c in DEPOSIT_CATEGORIES)
    return Portfolio(customers, aum, deposits, loans, day, aum - aum_then, deposits - deposits_then)


@dataclass(frozen=True)
class Mover:
    """A customer whose AUM moved since last month-end."""

    cif_no: str
    name: str  # as the reader may see it (customer.name.read), as every list shows it
    aum: int
    change: int


@dataclass(frozen=True)
class Movers:
    """The customers in scope whose AUM rose and fell most since last month-end."""

    month_end: date | None
    up: list[Mover]
    down: list[Mover]


def movers_card(db: Session, principal: Principal, today: BankDay) -> Movers:
    """Top risers and fallers by AUM against the last month-end snapshot (a customer absent then had none)."""
    day = _last_month_day(db, today)
    if day is None:
        return Movers(None, [], [])

    def rows(up: bool) -> list[Mover]:
        found = card_queries.aum_movers(db, principal, day, MOVERS, up)
        return [Mover(c.cif_no, customer_names.display_name(principal, c), now, now - was) for c, now, was in found]

    return Movers(day, rows(True), rows(False))


def loan_class_card(db: Session, principal: Principal) -> list[tuple[CodeItem, int, int]]:
    """Active loans in scope per five-category class, in the code table's order: (class, contracts, outstanding)."""
    counts = card_queries.loans_by_class(db, principal)
    return [(item, *counts.get(item.code, (0, 0))) for item in catalogue.code_table(db, "loan_class")]


@dataclass(frozen=True)
class ProductHolding:
    """One product's holdings in the viewer's scope, in one currency."""

    product: Product
    currency: str
    digits: int  # the currency's minor units, for the amount
    holdings: int  # accounts not closed, or active loan contracts
    customers: int
    balance: int  # minor units: balances of accounts, outstanding of loans
    is_loan: bool  # listed on /loans


def products_card(db: Session, principal: Principal) -> list[ProductHolding]:
    """Per product held by customers in scope: how many accounts (or loans), customers and the money in them."""
    digits = repository.minor_units(db)
    return [
        ProductHolding(p, cur, digits.get(cur, 2), n, k, total, p.category in LOAN_CATEGORIES)
        for p, cur, n, k, total in card_queries.holdings_by_product(db, principal)
    ]


def overdue_card(db: Session, principal: Principal, today: BankDay) -> list[tuple[str | None, int]]:
    """Open tasks past due on customers in scope per assignee (None: not yet assigned), most first."""
    rows = card_queries.overdue_by_assignee(db, principal, today.day)
    names = user_service.display_names(db, {a for a, _ in rows if a is not None})
    return [(names.get(a) if a is not None else None, n) for a, n in rows]


RANKED = 10  # units and managers listed on the ranking card


@dataclass(frozen=True)
class Ranking:
    """Home units and account managers in scope by the AUM of their customers."""

    units: list[tuple[OrgUnit, int, int]]  # (unit, customers, AUM)
    managers: list[tuple[str | None, int, int]]  # (manager's name or None: no manager, customers, AUM)


def ranking_card(db: Session, principal: Principal) -> Ranking:
    """The units and managers with the most AUM among the customers in scope (from the nightly figures)."""
    by_manager = card_queries.aum_by_manager(db, principal, RANKED)
    names = user_service.display_names(db, {m for m, _, _ in by_manager if m is not None})
    managers = [(names.get(m) if m is not None else None, n, aum) for m, n, aum in by_manager]
    return Ranking(card_queries.aum_by_unit(db, principal, RANKED), managers)


RETENTION_DAYS = 28  # the retention card looks back four weeks


@dataclass(frozen=True)
class Retention:
    """Maturity follow-ups in scope due in the past four weeks, and how much of the money was kept."""

    start: date
    end: date
    due: int
    done: int
    amount_due: int  # fen, of the done follow-ups
    amount_kept: int
    rate: Decimal | None  # per cent, one decimal; None: nothing done with an amount due


def retention_card(db: Session, principal: Principal, today: BankDay) -> Retention:
    """Maturity follow-ups due in the 28 days to today, those done, and amount kept / amount due of the done ones."""
    end = today.day
    start = end - timedelta(days=RETENTION_DAYS - 1)
    due, done, amount_due, kept = card_queries.maturity_follow_ups(db, principal, start, end)
    rate = None
    if amount_due > 0:
        rate = (Decimal(kept * 100) / Decimal(amount_due)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Retention(start, end, due, done, amount_due, kept, rate)


TREND_MONTHS = 6  # month-ends on the AUM trend card


def month_ends(as_of: date, count: int) -> list[date]:
    """The last ``count`` month-ends on or before as_of, oldest first (as_of itself when it is one)."""
    newest = as_of if (as_of + timedelta(days=1)).day == 1 else month_end_before(as_of)
    ends = [newest]
    while len(ends) < count:
        ends.append(month_end_before(ends[-1]))
    return ends[::-1]


@dataclass(frozen=True)
class TrendPoint:
    """The scope's AUM and deposits at one month-end, from that month's last balance snapshots."""

    month_end: date
    day: date | None  # the newest snapshot day of that month on or before its end; None: no snapshot that month
    aum: int | None  # fen; None with day None (no figure, never zero)
    deposits: int | None
    aum_change: int | None  # against the previous point; None when either has no figure
    deposits_change: int | None


@dataclass(frozen=True)
class Trend:
    """AUM and deposits of the customers in scope at the last month-ends; loans only as of today.

    Core banking delivers a loan's outstanding of today only (loan_contract has no history), so the
    trend has no loan figure at any month-end; ``loans_now`` is today's outstanding from the figures.
    """

    points: list[TrendPoint]
    loans_now: int


def _change(now: int | None, then: int | None) -> int | None:
    return None if now is None or then is None else now - then


def trend_card(db: Session, principal: Principal, today: BankDay) -> Trend:
    """Six month-ends up to the newest business date (else today), each summed from its month's last snapshot.

    A month without a snapshot has no figure rather than the previous month's repeated.
    """
    as_of = repository.latest_business_date(db) or today.day
    points: list[TrendPoint] = []
    for end in month_ends(as_of, TREND_MONTHS):
        day = card_queries.snapshot_day(db, end)
        if day is None or day <= month_end_before(end):
            points.append(TrendPoint(end, None, None, None, None, None))
            continue
        totals = card_queries.snapshot_totals(db, principal, day)
        aum = sum(v for c, v in totals.items() if c in AUM_CATEGORIES)
        deposits = sum(v for c, v in totals.items() if c in DEPOSIT_CATEGORIES)
        before = points[-1] if points else None
        points.append(
            TrendPoint(
                end,
                day,
                aum,
                deposits,
                _change(aum, before.aum if before else None),
                _change(deposits, before.deposits if before else None),
            )
        )
    return Trend(points, card_queries.figure_totals(db, principal)[3])


def _yuan(fen: int | None) -> str | None:
    # Exact decimal text: a float would round large sums.
    return None if fen is None else str(Decimal(fen).scaleb(-2).quantize(Decimal("0.01")))


def trend_series(trend: Trend) -> dict[str, object]:
    """The trend as the chart's JSON: month-ends, yuan as decimal strings (null: no figure), loans null throughout."""
    return {
        "month_ends": [p.month_end.isoformat() for p in trend.points],
        "snapshot_days": [p.day.isoformat() if p.day else None for p in trend.points],
        "aum": [_yuan(p.aum) for p in trend.points],
        "deposits": [_yuan(p.deposits) for p in trend.points],
        # No month-end loan balance is kept: never drawn, never zero.
        "loans": [None for _ in trend.points],
        "loans_now": _yuan(trend.loans_now),
    }
