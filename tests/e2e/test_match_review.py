"""In a real browser: ops merges a planted duplicate, the manager approves, the old number finds the kept one."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import sign_in
from tests.matching.plant import plant_pair

PREFIX = "9470000"  # the pair is 94700000001 (kept) and 94700000002 (merged away)
KEPT, MERGED = f"{PREFIX}0001", f"{PREFIX}0002"


def test_ops_merges_a_duplicate_the_manager_approves_and_unmerge_brings_both_back(
    page: Page, browser: Browser, live_server: str, live_database_url: str
) -> None:
    # given a planted pair of duplicates in Beijing, with holdings, links and a household each
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        review_id = plant_pair(db, PREFIX).review.id
    engine.dispose()
    # when ops opens the queue and the pair
    sign_in(page, live_server, "ops")
    page.goto(f"{live_server}/match-reviews")
    page.click(f"[data-review='{review_id}'] a")
    expect(page.locator("#review-probability")).to_contain_text("87.0 %")
    expect(page.locator("#left-cif")).to_have_text(KEPT)
    expect(page.locator("#right-cif")).to_have_text(MERGED)
    expect(page.locator("[data-field='emails']")).to_contain_text("m@example.com")
    # and proposes keeping the first, with the second's e-mail
    page.select_option("select[name='field.emails']", "other")
    page.click("#propose-merge")
    # then the merge waits for someone else
    expect(page.locator("#review-status")).to_have_text("Merge waiting for approval")
    expect(page.locator("#waiting-checker")).to_be_visible()
    # when the branch manager approves it
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    checker = context.new_page()
    sign_in(checker, live_server, "manager")
    checker.goto(f"{live_server}/match-reviews/{review_id}")
    expect(checker.locator("#review-survivor")).to_contain_text(KEPT)
    checker.click("#approve-merge")
    expect(checker.locator("#review-status")).to_have_text("Merged")
    # then the old CIF number finds the kept customer, saying so
    checker.goto(f"{live_server}/customers/{MERGED}")
    expect(checker.locator("#cif-no")).to_have_text(KEPT)
    expect(checker.locator("#merged-from")).to_contain_text(MERGED)
    # when the manager undoes the merge
    checker.goto(f"{live_server}/match-reviews/{review_id}")
    checker.click("#unmerge")
    expect(checker.locator("#review-status")).to_have_text("Merge undone")
    # then both customers are back, each under its own number
    checker.goto(f"{live_server}/customers/{MERGED}")
    expect(checker.locator("#cif-no")).to_have_text(MERGED)
    expect(checker.locator("#merged-from")).to_have_count(0)
    checker.goto(f"{live_server}/customers/{KEPT}")
    expect(checker.locator("#cif-no")).to_have_text(KEPT)
    context.close()
