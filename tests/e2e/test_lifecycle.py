"""In a real browser: the lifecycle tab shows a customer's moves, and the lifecycle page draws its bars and Sankey
diagram without a single CSP violation."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.lifecycle.service.evaluate import evaluate_month
from tests.e2e.conftest import sign_in
from tests.e2e.test_charts_csp import _violations, _watch
from tests.lifecycle.helpers import given_a_customer_over, held, month_of

CIF = "90000000561"  # a CIF no other browser test uses
FIRST = date(2019, 1, 1)  # months no other browser test writes: evaluating them touches only this customer


def test_the_lifecycle_tab_and_page_draw_without_any_csp_violation(
    page: Page, live_server: str, live_database_url: str
) -> None:
    # Given am1's customer growing then declining over January to April 2019, those months evaluated
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        rows = [held(1, 100000), held(1, 100000), held(1, 100000), held(1, 60000)]
        given_a_customer_over(db, CIF, rows, first=FIRST, name="钱周期")
        for n in range(4):
            evaluate_month(db, month_of(n, FIRST), raise_tasks=False, today=date(2019, 5, 2))
    engine.dispose()
    console = _watch(page)
    sign_in(page, live_server, "am1")
    # When am1 opens the customer's lifecycle tab, and the lifecycle page for April 2019
    page.goto(f"{live_server}/customers/{CIF}")
    page.click("#tab-link-lifecycle")
    expect(page.locator("[data-lifecycle='stage']")).to_have_text("Decline")
    expect(page.locator("#lifecycle-history tr[data-rule]")).to_have_count(2)
    page.goto(f"{live_server}/lifecycle?month=2019-04")
    for chart in ("#lifecycle-bars", "#lifecycle-sankey"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
    expect(page.locator("#lifecycle-flows tr[data-from='FORMATION'] td[data-to='DECLINE']")).to_have_text("1")
    # Then no page reported a CSP violation
    assert _violations(page, console) == []
