"""Two years of history in the demo: every month in the snapshot and the contribution, moves every watch list
shows, customers who grew and customers who drained, and the year-end bonus before each Chinese New Year."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.demo import paths
from bankcrm.insight import schemas as insight_schemas
from bankcrm.insight.service import watch
from bankcrm.insight.service.compute import add_months, month_start, months_between
from bankcrm.models.access import User
from bankcrm.models.holding import AccountTransaction
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.value import CustomerContribution
from bankcrm.web import lists


def test_the_snapshot_holds_24_months_and_the_first_partial_one(demo_db: Session, demo_today: date) -> None:
    # Given the demo built with its default 24 months of core-banking files ending yesterday
    newest = month_start(demo_today - timedelta(days=1))
    # Then the snapshot has every month from the files' first (partial) month to the running one
    months = demo_db.scalars(select(CustomerMonth.month).distinct().order_by(CustomerMonth.month)).all()
    assert months == months_between(add_months(newest, -24), newest)
    # And a customer who banked here before the window has a row in each of the 25
    longest = demo_db.scalar(
        select(func.count())
        .select_from(CustomerMonth)
        .group_by(CustomerMonth.customer_id)
        .order_by(func.count().desc())
    )
    assert longest == 25
    # And the contribution was backfilled over the 24 months ending with the running one
    computed = demo_db.scalars(select(CustomerContribution.month).distinct().order_by(CustomerContribution.month))
    assert computed.all() == months_between(add_months(newest, -23), newest)


def test_the_branch_managers_watch_lists_each_have_customers(demo_db: Session) -> None:
    # Given the Beijing branch manager
    manager = principal_for(demo_db.scalars(select(User).where(User.username == "manager")).one())
    spec = insight_schemas.TIER_WATCH
    # When the newest month's tier watch lists are read in the manager's scope
    for which in watch.WHICH:
        page = watch.tier_watch(
            demo_db,
            manager,
            lists.page_of(spec, 1, 200),
            "zh_CN",
            which=which,
            month=None,
            sort=lists.sort_of(spec, None),
        )
        # Then each list (moved up, moved down, within 10 % of dropping) has someone in the Beijing branch
        assert page.total > 0, which
        assert all(row.unit_code.startswith("BJ") for row in page.items)
        change = {"up": 1, "down": -1, "near": 0}[which]
        assert all(row.tier_change == change for row in page.items) or which == "near"


def test_some_vip_customers_aum_fell_more_than_a_fifth_in_three_months(demo_db: Session) -> None:
    # Given the newest month of the snapshot and the month three before it
    newest = demo_db.scalar(select(func.max(CustomerMonth.month)))
    assert newest is not None
    now, before = CustomerMonth, select(CustomerMonth).where(CustomerMonth.month == add_months(newest, -3)).subquery()
    # When the 贵宾 customers whose average AUM fell by more than 20 % are picked
    fell = demo_db.scalars(
        select(now.customer_id)
        .join(before, before.c.customer_id == now.customer_id)
        .where(now.month == newest, now.tier == "VIP", now.aum_avg * 5 < before.c.aum_avg * 4)
    ).all()
    # Then there are some (drained customers who kept enough to stay 贵宾)
    assert len(fell) > 0
    # And others grew: someone's average AUM more than doubled over the two years
    first = select(CustomerMonth).where(CustomerMonth.month == add_months(newest, -23)).subquery()
    grew = select(func.count()).select_from(now).join(first, first.c.customer_id == now.customer_id)
    assert (demo_db.scalar(grew.where(now.month == newest, now.aum_avg > 2 * first.c.aum_avg)) or 0) > 0


def test_the_year_end_bonus_is_paid_two_weeks_before_each_chinese_new_year(demo_db: Session, demo_today: date) -> None:
    # Given the window of the demo's vouchers
    last = demo_today - timedelta(days=1)
    first = add_months(last, -24)
    # Then the bonuses were paid on exactly the days two weeks before each Chinese New Year in the window
    expected = {
        d - timedelta(days=14) for d in paths.SPRING_FESTIVAL.values() if first <= d - timedelta(days=14) <= last
    }
    paid = demo_db.scalars(select(AccountTransaction.txn_time).where(AccountTransaction.summary == "年终奖")).all()
    assert {t.date() for t in paid} == expected
    # And red packets went out in the New Year's week
    packets = demo_db.scalars(select(AccountTransaction.txn_time).where(AccountTransaction.summary == "红包")).all()
    festivals = {d for d in paths.SPRING_FESTIVAL.values() if first <= d <= last}
    assert {t.date() for t in packets} <= {d + timedelta(days=k) for d in festivals for k in (-2, -1, 0, 1)}
    assert len(packets) > 0
