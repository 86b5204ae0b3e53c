"""In a real browser: am1 opens a warning, reads the reasons, logs a visit and an outcome; a warning nobody acted on
shows up for the branch manager as escalated."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from bankcrm.earlywarning.service import raising
from bankcrm.models.customer import Customer
from bankcrm.models.earlywarning import EarlyWarning
from tests.e2e.conftest import sign_in
from tests.lifecycle.helpers import given_a_customer_over, held

WORKED, IGNORED = "90000000581", "90000000582"  # CIFs no other browser test uses
FIRST = date(2018, 1, 1)  # months no other browser test writes: the step reads only these two customers
RAISED = date(2018, 7, 2)


def given_two_warnings_for_am1(url: str) -> tuple[int, int]:
    """Two customers of am1 whose AUM fell 62% from March to June 2018 and who moved money to other banks; the step
    raised a warning for each on 2 July; the second was raised a week earlier and nobody acted: escalated."""
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        pay = {"salary_count": 1, "salary_amount": 1_500_000}
        out = {"transfer_out_other_count": 3, "transfer_out_other_amount": 48_000_000}
        steady = held(3, 10_000_000, **pay)
        rows = [steady, steady, steady, steady, held(3, 9_000_000, **pay, **out), held(3, 3_800_000, **pay)]
        for cif, name in ((WORKED, "钱预警"), (IGNORED, "孙预警")):
            given_a_customer_over(db, cif, rows, first=FIRST, name=name)
        raising.raise_from_signals(db, RAISED, date(2018, 6, 1))
        ids = {
            cif: db.scalars(
                select(EarlyWarning.id)
                .join(Customer, Customer.id == EarlyWarning.customer_id)
                .where(Customer.cif_no == cif)
            ).one()
            for cif in (WORKED, IGNORED)
        }
        ignored = db.get(EarlyWarning, ids[IGNORED])
        assert ignored is not None
        ignored.due_on = date(2018, 6, 29)
        raising.escalate_due(db, date(2018, 7, 3))
    engine.dispose()
    return ids[WORKED], ids[IGNORED]


def test_am1_works_a_warning_to_an_outcome_and_the_ignored_one_is_escalated_to_manager(
    page: Page, browser: Browser, live_server: str, live_database_url: str
) -> None:
    worked, ignored = given_two_warnings_for_am1(live_database_url)
    # When am1 opens the warning from the list
    sign_in(page, live_server, "am1")
    page.goto(f"{live_server}/warnings")
    page.click(f"tr[data-warning='{worked}'] td a >> nth=0")
    # Then the reasons are in words with the figures
    reasons = page.locator("#warning-reasons li")
    expect(reasons.nth(0)).to_have_text("AUM down 62% in 3 months (¥100,000 → ¥38,000)")
    expect(reasons.nth(1)).to_have_text("3 transfers, ¥480,000, to other banks in 3 months")
    # When am1 logs a visit
    page.select_option("#action", "VISIT")
    page.fill("#contact_on", "2018-07-03")
    page.fill("#note", "Visited: rate offer discussed")
    page.click("#action-save")
    # Then it is on the timeline and the warning is acted on
    expect(page.locator("#warning-timeline li[data-kind='ACTION']")).to_contain_text("Visit")
    expect(page.locator("#warning-status")).to_have_attribute("data-status", "ACTED")
    # When am1 records the outcome: retained
    page.select_option("#outcome", "RETAINED")
    page.click("#outcome-save")
    expect(page.locator("#warning-status")).to_have_attribute("data-status", "CLOSED")
    expect(page.locator("#warning-outcome")).to_have_text("Retained")
    # And the branch manager finds the ignored one among the escalated
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    manager = context.new_page()
    sign_in(manager, live_server, "manager")
    manager.goto(f"{live_server}/warnings?view=escalated")
    expect(manager.locator(f"tr[data-warning='{ignored}']")).to_have_attribute("data-status", "ESCALATED")
    expect(manager.locator(f"tr[data-warning='{worked}']")).to_have_count(0)
    context.close()
