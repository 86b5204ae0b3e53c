"""In a real browser: the contribution charts (the customer tab's trend, the value page's Pareto) draw and show
their tooltips without a single CSP violation."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.value.service import compute
from tests.e2e.conftest import sign_in
from tests.e2e.test_charts_csp import _violations, _watch
from tests.factories import make_customer
from tests.value.helpers import batch, deposit

CIF = "90000000531"  # a CIF no other browser test uses


def test_the_contribution_charts_draw_without_any_csp_violation(
    page: Page, live_server: str, live_database_url: str
) -> None:
    # Given am1's customer with a demand deposit in October 2026, October's contribution computed
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        customer = make_customer(db, CIF, name="孙贡献")
        deposit(db, customer, batch(db), "DD-CNY", 0, {date(2026, 10, 10): 36_500_000})
        compute.compute_month(db, date(2026, 10, 1), date(2026, 11, 30), "Asia/Shanghai")
    engine.dispose()
    console = _watch(page)
    sign_in(page, live_server, "am1")
    # When am1 opens the customer's contribution tab for October, and the value page for October
    page.goto(f"{live_server}/customers/{CIF}")
    page.click("#tab-link-contribution")
    expect(page.locator("#contribution-lines tr[data-kind='deposit_margin']")).to_have_count(1)
    page.click("#contribution-trend a >> text=2026-10")
    for chart in ("#contribution-trend-chart",):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
    assert _violations(page, console) == [], "tab"
    page.goto(f"{live_server}/value?month=2026-10")
    expect(page.locator("#value-pareto-chart")).to_have_attribute("data-rendered", "true")
    page.evaluate(
        """() => {
            const chart = window.echarts.getInstanceByDom(document.querySelector("#value-pareto-chart"));
            chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 11});
        }"""
    )
    expect(page.locator("#value-pareto-chart .chart-tip")).to_contain_text("100")
    # Then no page reported a CSP violation
    assert _violations(page, console) == []
