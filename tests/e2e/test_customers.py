"""In a real browser: enter a customer, fix an ID error, get it approved, find it by pinyin initials."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from bankcrm.kit.validators import resident_id_check_char
from tests.e2e.conftest import ARTIFACTS, sign_in

FIRST17 = "11010519850615123"
GOOD_ID = FIRST17 + resident_id_check_char(FIRST17)
BAD_ID = FIRST17 + ("0" if GOOD_ID[-1] != "0" else "1")


def test_enter_fix_approve_and_find_a_customer(page: Page, browser: Browser, live_server: str):
    # given am1 fills in a new individual customer with a wrong ID check digit
    sign_in(page, live_server, "am1")
    page.click("#left-nav >> text=Customers")
    page.click("#new-individual")
    page.fill("#f-name", "王小明")
    page.select_option("#f-gender", "M")
    page.fill("#f-birth_date", "1985-06-15")
    page.fill("#f-id_no", BAD_ID)
    page.fill("#f-phones-0-number", "13912345678")
    # the inline check already says so while typing
    page.click("#f-name")
    expect(page.locator("#check-id_no")).to_contain_text("check digit")
    page.click("#submit-customer")
    # then the error shows at the ID field and the other input is kept
    expect(page.locator("[data-field-error='id_no']")).to_have_text("The check digit of this ID number is wrong.")
    expect(page.locator("#f-name")).to_have_value("王小明")
    # when the ID is corrected and the form submitted
    page.fill("#f-id_no", GOOD_ID)
    page.click("#submit-customer")
    expect(page).to_have_url(re.compile(r"/approvals/\d+\?submitted=1$"))
    approval_url = page.url.split("?")[0]

    # and the branch manager approves it in another browser
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    manager = context.new_page()
    sign_in(manager, live_server, "manager")
    manager.goto(approval_url)
    manager.click("#approve")
    expect(manager.locator("#request-status")).to_have_text("Approved")
    context.close()

    # then am1 finds the customer by pinyin initials, named in full (it serves the customer), with the ID masked
    page.goto(f"{live_server}/customers")
    page.fill("#customer-q", "wxm")
    row = page.locator("#customers tbody tr").first
    expect(row).to_contain_text("王小明")
    masked = GOOD_ID[:3] + "*" * 11 + GOOD_ID[-4:]
    expect(row).to_contain_text(masked)
    row.locator("a").click()
    expect(page.locator("#id-no")).to_have_text(masked)
    expect(page.locator("body")).not_to_contain_text(GOOD_ID)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-detail-masked.png"), full_page=True)
    # and may reveal it on request (audited)
    page.click("[data-unmask='id_no']")
    expect(page.locator("[data-unmasked]")).to_have_text(GOOD_ID)
