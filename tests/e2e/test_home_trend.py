"""In a real browser: the branch manager's AUM trend card draws its chart under the CSP, and its table holds the
same numbers as the chart's data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.holdings.service import cards
from bankcrm.kit.time import BankDay
from bankcrm.models.access import User
from tests.e2e.conftest import sign_in
from tests.e2e.test_charts_csp import _violations, _watch
from tests.factories import make_customer
from tests.holdings.helpers import account, load, write_file

CIF = "90000000401"
ACCOUNT = "6222000000040101"


def _money(text: str) -> str:
    """A table cell as the chart's decimal text: 12,345.00 → 12345.00."""
    return text.strip().replace(",", "")


def test_the_trend_chart_draws_under_the_csp_and_the_table_holds_its_numbers(
    page: Page, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # Given a customer of am1 in Beijing (the branch manager's subtree) with balances at the end of August and
    # September (the live database is shared: other tests' customers may add to the same month-ends)
    engine = make_engine(live_database_url)
    settings = Settings(mode="test", database_url=live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, CIF, name="赵趋势")
        load(db, settings, write_file(tmp_path / "a.csv", "accounts", [account(ACCOUNT, CIF)]), "accounts")
        for day, balance in ((date(2026, 8, 31), "4000.00"), (date(2026, 9, 30), "6500.00")):
            rows = [{"account_no": ACCOUNT, "balance": balance}]
            load(db, settings, write_file(tmp_path / f"b{day}.csv", "balances", rows), "balances", day=day)
    with session_scope(sessionmaker(bind=engine)) as db:
        manager = auth_service.principal_for(db.query(User).filter_by(username="manager").one())
        expected = cards.trend_series(cards.trend_card(db, manager, BankDay.now(settings.timezone)))
    engine.dispose()
    assert expected["aum"][-2:] != [None, None]  # this customer's months are among the six points
    console = _watch(page)
    # When the branch manager opens the home page
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/")
    chart = page.locator("#aum-trend-chart")
    # Then the chart is drawn on one canvas
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    # And it was drawn from the manager's figures, AUM and deposits only (no loan line: no month-end loan figure)
    drawn = page.evaluate(
        """() => {
            const option = window.echarts.getInstanceByDom(document.querySelector("#aum-trend-chart")).getOption();
            return {months: option.xAxis[0].data, series: option.series.map((s) => [s.name, s.data])};
        }"""
    )
    number = [None if v is None else float(v) for v in expected["aum"]]
    deposits = [None if v is None else float(v) for v in expected["deposits"]]
    assert drawn == {"months": expected["month_ends"], "series": [["AUM", number], ["Deposits", deposits]]}
    # And its tooltip at the newest month-end shows (built as elements, no inline style)
    page.evaluate(
        """() => {
            const chart = window.echarts.getInstanceByDom(document.querySelector("#aum-trend-chart"));
            chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 5});
        }"""
    )
    expect(page.locator("#aum-trend-chart .chart-tip")).to_contain_text(re.compile(r"AUM"))
    # And the table below holds the same month-ends, AUM and deposits
    rows = page.locator("#aum-trend-table tbody tr")
    expect(rows).to_have_count(6)
    for i, month_end in enumerate(expected["month_ends"]):
        row = rows.nth(i)
        assert row.get_attribute("data-month-end") == month_end
        aum = _money(row.locator("[data-trend='aum']").inner_text())
        dep = _money(row.locator("[data-trend='deposits']").inner_text())
        assert (aum, dep) == (expected["aum"][i] or "—", expected["deposits"][i] or "—"), month_end
    expect(page.locator("[data-trend='loans-note']")).to_contain_text("only today's outstanding")
    # And the page reported no CSP violation at all
    assert _violations(page, console) == []
