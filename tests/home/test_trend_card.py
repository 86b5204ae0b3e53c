"""The management AUM trend card: the scope's AUM and deposits at the last six month-ends, as chart data and a table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.holdings.service import cards
from bankcrm.holdings.service.figures import recompute
from bankcrm.kit.time import BankDay
from tests.conftest import signed_in
from tests.factories import make_customer, make_user
from tests.holdings.helpers import account, load, loan, write_file
from tests.home.test_role_cards import _principal

A, B, C = "90000000311", "90000000322", "90000000333"
LAST = date(2026, 11, 2)  # the newest business date: after the October month-end, not itself one
TODAY = BankDay.of(date(2026, 11, 3), "Asia/Shanghai")  # the home page's day; the newest business date leads
ENDS = [
    date(2026, 5, 31),
    date(2026, 6, 30),
    date(2026, 7, 31),
    date(2026, 8, 31),
    date(2026, 9, 30),
    date(2026, 10, 31),
]

# Balances per business day of accounts 1 (A demand), 2 (A wealth), 3 (B time deposit), 4 (C demand, Shanghai).
BALANCES = {
    date(2026, 6, 30): ("1000.00", "5000.00", "20000.00", "700.00"),
    date(2026, 7, 15): ("9999.00", "9999.00", "9999.00", "9999.00"),  # not July's last: never read
    date(2026, 7, 28): ("1500.00", "5000.00", "20000.00", "800.00"),  # July's last, before its month-end
    # August: no delivery at all
    date(2026, 9, 30): ("-300.00", "6000.00", "20000.00", "900.00"),  # A overdrawn: counts as nothing
    date(2026, 10, 31): ("2000.00", "6000.00", "25000.00", "1000.00"),
    LAST: ("3000.00", "6000.00", "25000.00", "1100.00"),  # this month: no month-end yet
}


def given_a_bank_with_months_of_balances(db: Session, settings: Settings, tmp_path: Path) -> None:
    """am1's A in BJ (demand, wealth, an 80,000.00 loan) and B in the BJ-CY sub-branch (time deposit); am2's C in SH.

    A head-office management user "homgr" besides the demo's BJ branch manager.
    """
    make_customer(db, A)
    make_customer(db, B, unit="BJ-CY")
    make_customer(db, C, unit="SH", manager="am2")
    make_user(db, "homgr", "HO", "management")
    wealth = {"product_code": "WM-R2-180D", "rate": "2.80", "maturity_date": "2027-06-01"}
    td = {"product_code": "TD-1Y", "rate": "1.75", "auto_renew": "N", "maturity_date": "2027-01-10"}
    accounts = [
        account("6222000000003101", A),
        account("6222000000003102", A, **wealth),
        account("6222000000003103", B, **td, branch_code="BJ-CY"),
        account("6222000000003104", C, branch_code="SH"),
    ]
    load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts", day=date(2026, 6, 30))
    load(db, settings, write_file(tmp_path / "l.csv", "loans", [loan("LN00003101", A)]), "loans", day=LAST)
    for day, amounts in BALANCES.items():
        rows = [{"account_no": f"622200000000310{i + 1}", "balance": b} for i, b in enumerate(amounts)]
        load(db, settings, write_file(tmp_path / f"b{day}.csv", "balances", rows), "balances", day=day)
    recompute(db, LAST, settings.timezone, full=True)


def _rows(trend: cards.Trend) -> list[tuple[date, date | None, int | None, int | None, int | None, int | None]]:
    return [(p.month_end, p.day, p.aum, p.deposits, p.aum_change, p.deposits_change) for p in trend.points]


def test_month_ends_run_back_from_the_newest_business_date_and_include_it_when_it_is_one() -> None:
    assert cards.month_ends(LAST, 6) == ENDS
    assert cards.month_ends(date(2026, 10, 31), 3) == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    assert cards.month_ends(date(2026, 3, 15), 3) == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]


def test_the_trend_sums_each_months_last_snapshot_in_the_principals_scope(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # given six months of balances
    given_a_bank_with_months_of_balances(db, settings, tmp_path)
    # when the BJ branch manager reads the trend (their subtree: A in BJ, B in BJ-CY)
    branch = cards.trend_card(db, _principal(db, "manager"), TODAY)
    # then May has no snapshot; June is 30 June: AUM 1,000 + 5,000 (wealth) + 20,000, deposits 1,000 + 20,000;
    # July is 28 July (not the 15th): 26,500.00 and 21,500.00, +500.00 each; August has no delivery of its own
    # (28 July's is not repeated); September: A's overdraft counts as nothing, so 6,000 + 20,000 and deposits
    # 20,000, no change (August is empty); October 31: 2,000 + 6,000 + 25,000, +7,000.00 each; C (SH) nowhere
    assert _rows(branch) == [
        (ENDS[0], None, None, None, None, None),
        (ENDS[1], date(2026, 6, 30), 2_600_000, 2_100_000, None, None),
        (ENDS[2], date(2026, 7, 28), 2_650_000, 2_150_000, 50_000, 50_000),
        (ENDS[3], None, None, None, None, None),
        (ENDS[4], date(2026, 9, 30), 2_600_000, 2_000_000, None, None),
        (ENDS[5], date(2026, 10, 31), 3_300_000, 2_700_000, 700_000, 700_000),
    ]
    # and loans are today's 80,000.00 only: no month-end figure exists
    assert branch.loans_now == 8_000_000
    # when head-office management reads it, C's demand deposit is added at each point
    bank = cards.trend_card(db, _principal(db, "homgr"), TODAY)
    assert _rows(bank) == [
        (ENDS[0], None, None, None, None, None),
        (ENDS[1], date(2026, 6, 30), 2_670_000, 2_170_000, None, None),
        (ENDS[2], date(2026, 7, 28), 2_730_000, 2_230_000, 60_000, 60_000),
        (ENDS[3], None, None, None, None, None),
        (ENDS[4], date(2026, 9, 30), 2_690_000, 2_090_000, None, None),
        (ENDS[5], date(2026, 10, 31), 3_400_000, 2_800_000, 710_000, 710_000),
    ]
    # and am2 (their own book: C) sees C alone
    assert [p.aum for p in cards.trend_card(db, _principal(db, "am2"), TODAY).points] == [
        None,
        70_000,
        80_000,
        None,
        90_000,
        100_000,
    ]


def test_the_chart_data_is_the_callers_trend_in_yuan_with_no_loan_figure(
    make_client, db: Session, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # given six months of balances
    given_a_bank_with_months_of_balances(db, settings, tmp_path)
    # when the BJ branch manager fetches the chart data
    data = signed_in(make_client(), "manager").get("/home/cards/trend.json").json()
    # then it holds their subtree's figures as exact yuan text, null where a month has no balances, and loans
    # null at every month-end (today's outstanding apart)
    assert data == {
        "month_ends": [d.isoformat() for d in ENDS],
        "snapshot_days": [None, "2026-06-30", "2026-07-28", None, "2026-09-30", "2026-10-31"],
        "aum": [None, "26000.00", "26500.00", None, "26000.00", "33000.00"],
        "deposits": [None, "21000.00", "21500.00", None, "20000.00", "27000.00"],
        "loans": [None] * 6,
        "loans_now": "80000.00",
    }
    # and am2 gets their own book's: C alone
    assert signed_in(make_client(), "am2").get("/home/cards/trend.json").json()["aum"] == [
        None,
        "700.00",
        "800.00",
        None,
        "900.00",
        "1000.00",
    ]


def test_the_branch_managers_home_page_has_the_chart_and_the_same_numbers_as_a_table(
    make_client, db: Session, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # given six months of balances
    given_a_bank_with_months_of_balances(db, settings, tmp_path)
    # when the BJ branch manager opens the home page
    page = signed_in(make_client(), "manager").get("/").text
    # then the trend card right after the portfolio card holds the chart's element pointing at its data and script
    assert page.index('data-card="portfolio"') < page.index('data-card="aum-trend"') < page.index('data-card="movers"')
    assert 'data-chart="aum-trend" data-src="/home/cards/trend.json"' in page
    assert "/static/vendor/echarts/echarts.min.js" in page
    # and a table row per month-end with AUM, deposits and their change on the month
    october = page[page.index('<tr data-month-end="2026-10-31">') :]
    october = october[: october.index("</tr>")]
    assert "<td>2026-10-31</td>" in october
    assert 'data-trend="aum">33,000.00<' in october and 'data-trend="deposits">27,000.00<' in october
    assert 'data-trend="aum-change"><span class="text-green">+7,000.00</span>' in october
    august = page[page.index('<tr data-month-end="2026-08-31">') :]
    august = august[: august.index("</tr>")]
    assert "No balances delivered" in august and 'data-trend="aum">—<' in august
    # and the table says loans have no month-end history, with today's outstanding
    assert "only today&#39;s outstanding (80,000.00)" in page
