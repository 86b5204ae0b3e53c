"""In a real browser: the teller refers a customer from the customer page, am1 accepts it, the teller sees it."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.holdings.helpers import make_customer

PERSON = "90000000171"  # a CIF no other browser test uses: they share one live database


def test_teller_refers_am1_accepts_teller_sees_the_progress(
    page: Page, browser: Browser, live_server: str, live_database_url: str
) -> None:
    # Given a Wangjing customer whose primary manager is am1
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, PERSON, unit="BJ-CY-01", name="钱七")
    engine.dispose()

    # When the teller opens the customer's Leads tab and clicks "Wealth management" (two clicks)
    sign_in(page, live_server, "teller")
    page.goto(f"{live_server}/customers/{PERSON}")
    page.click("#tab-link-leads")
    page.click("[data-testid='refer-WEALTH']")

    # Then the referral is made and listed on the tab, with am1 as its manager
    expect(page.locator("#referral-made")).to_be_visible()
    row = page.locator("#customer-leads tbody tr").first
    expect(row).to_contain_text("李明 Li Ming")
    lead_id = row.get_attribute("data-lead")

    # When am1, in their own browser, opens their leads and accepts it
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    manager = context.new_page()
    sign_in(manager, live_server, "am1")
    manager.goto(f"{live_server}/leads?view=mine")
    manager.click(f"#lead-list tr[data-lead='{lead_id}'] a")
    manager.click("#lead-accept")
    expect(manager.locator("#lead-history")).to_contain_text("Accepted by 李明 Li Ming")
    context.close()

    # Then the teller's referrals page shows the lead with am1, accepted (✓), assigned
    page.goto(f"{live_server}/referrals")
    mine = page.locator(f"#my-referrals tr[data-lead='{lead_id}']")
    expect(mine).to_contain_text("李明 Li Ming ✓")
    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "ASSIGNED")
    expect(page.locator("#leaderboard")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "referrals-teller.png"), full_page=True)
