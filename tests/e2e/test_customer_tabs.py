"""In a real browser: the customer page's module tabs load their content when first opened."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.holdings.helpers import make_customer

PERSON = "90000000117"  # a CIF no other browser test uses: they share one live database


def test_module_tabs_load_by_htmx_when_opened(page: Page, live_server: str, live_database_url: str):
    # given an individual customer of am1 with no holdings, household or links yet
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, PERSON, name="王五")
    engine.dispose()
    sign_in(page, live_server, "am1")
    page.goto(f"{live_server}/customers/{PERSON}")
    # then the registry's tabs follow the customer's own, in order
    expect(page.locator("[data-module-tab]")).to_have_count(11)
    tabs = page.locator("[data-module-tab]").evaluate_all("els => els.map(e => e.dataset.moduleTab)")
    assert tabs == [
        "holdings",
        "insight",
        "lifecycle",
        "churn",
        "warnings",
        "household",
        "links",
        "tags",
        "leads",
        "managers",
        "contribution",
    ]
    # when am1 opens the holdings tab, then its content is loaded from the holdings module
    page.click("#tab-link-holdings")
    expect(page.locator("#tab-holdings-accounts")).to_contain_text("No accounts.")
    expect(page.locator("#tab-holdings #customer-360")).to_have_attribute("href", f"/customers/{PERSON}/360")
    # and the household and managers tabs load theirs
    page.click("#tab-link-household")
    expect(page.locator("#tab-household-none")).to_be_visible()
    page.click("#tab-link-managers")
    expect(page.locator("#tab-managers-current")).to_contain_text("李明 Li Ming")
    # and the contribution tab says no month is computed yet, with the trend's table
    page.click("#tab-link-contribution")
    expect(page.locator("#contribution-none")).to_be_visible()
    expect(page.locator("#contribution-trend tbody tr")).to_have_count(12)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-module-tabs.png"), full_page=True)
