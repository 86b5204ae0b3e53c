"""In a real browser: the chart pages draw under the CSP without a single violation; a graph tooltip shows
a customer's name as text, never as HTML."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.holdings.jobs import nightly
from bankcrm.models.relationship import CustomerLink
from tests.e2e.conftest import sign_in
from tests.factories import make_customer
from tests.holdings.helpers import account, load, write_file

CIF, EVIL, FRIEND = "90000000102", "90000000087", "90000000095"
EVIL_NAME = '<img src=x onerror="window.__xss=1">北京恶意<b>科技</b>有限公司'

# Collects every CSP violation the page reports, from its first script on.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sample, e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


def _watch(page: Page) -> list[str]:
    """CSP complaints on the console, besides the events collected by WATCH_CSP."""
    console: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__csp")) + console


def test_the_chart_pages_draw_without_any_csp_violation(
    page: Page, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # Given am1's customer with a demand deposit and its balance (balance chart; nothing maturing, so the other
    # browser tests' task lists stay as they were) and two linked companies (graph)
    engine = make_engine(live_database_url)
    settings = Settings(mode="test", database_url=live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, CIF, name="钱多多")
        load(db, settings, write_file(tmp_path / "a.csv", "accounts", [account("6222000000010201", CIF)]), "accounts")
        balance = [{"account_no": "6222000000010201", "balance": "1200.00"}]
        load(db, settings, write_file(tmp_path / "b.csv", "balances", balance), "balances")
        nightly(db, settings)  # the figures, with the month-end balances the chart draws
        evil = make_customer(db, EVIL, name=EVIL_NAME, kind="corporate")
        friend = make_customer(db, FRIEND, name="北京友好商贸有限公司", kind="corporate")
        db.add(
            CustomerLink(
                from_customer_id=evil.id,
                to_customer_id=friend.id,
                link_type="SUBSIDIARY_OF",
                valid_from=date(2020, 1, 1),
            )
        )
    engine.dispose()
    console = _watch(page)
    sign_in(page, live_server, "am1")
    # When am1 opens each page with a chart, waits for it to be drawn and shows its first tooltip
    for path, chart in (
        (f"/customers/{CIF}/360", "#balance-chart"),
        ("/maturities", "#maturities-chart"),
        (f"/customers/{EVIL}/relationships", "#customer-graph"),
    ):
        page.goto(f"{live_server}{path}")
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        expect(page.locator(chart).locator("canvas")).to_have_count(1)
        # And a tooltip is shown (ECharts' own tooltip markup carries style attributes)
        page.evaluate(
            """(sel) => {
                const chart = window.echarts.getInstanceByDom(document.querySelector(sel));
                // the latest point with a value of a chart over time (other browser tests may deliver later days to
                // the shared database, leaving the newest months empty); the centre of a graph
                const axis = chart.getOption().xAxis;
                const values = chart.getOption().series[0].data || [];
                let last = axis && axis.length ? axis[0].data.length - 1 : 0;
                while (last > 0 && (values[last] === null || values[last] === undefined)) { last -= 1; }
                chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: last});
            }""",
            chart,
        )
        expect(page.locator(f"{chart} > div").nth(1)).to_contain_text(re.compile(r"\S"))  # ECharts' tooltip box
        # Then the page reported no CSP violation at all
        assert _violations(page, console) == [], path
    # When the tooltip of the company with HTML in its name is shown (the centre of the graph)
    tooltip = page.locator("#customer-graph .chart-tip")
    # Then it shows the name as text: no element made from it, no script run
    expect(tooltip).to_contain_text(EVIL_NAME)
    assert tooltip.locator("img, b").count() == 0
    assert page.evaluate("window.__xss === undefined")
    assert _violations(page, console) == []
