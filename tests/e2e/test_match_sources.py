"""In a real browser: the customer page's Sources tab, and undoing a merge from the kept customer's page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import sign_in
from tests.holdings.helpers import DAY, load, write_file
from tests.matching.helpers import person
from tests.matching.plant import plant_pair
from tests.matching.test_customers_feed import cif_of

PREFIX = "9480000"  # the pair is 94800000001 (kept) and 94800000002 (merged away): no other browser test uses them
KEPT, MERGED = f"{PREFIX}0001", f"{PREFIX}0002"


def test_the_sources_tab_lists_each_source_and_its_number(
    page: Page, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # given a customer delivered by core banking and, with the same ID, by the credit system
    settings = Settings(mode="test", database_url=live_database_url)
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        core = person("E2E-SRC-1", name="欧阳明")
        load(db, settings, write_file(tmp_path / "c.csv", "customers", [core]), "customers")
        credit = person("E2E-K-1", name="欧阳明", id_no=core["id_no"], mobile="13900139000")
        load(db, settings, write_file(tmp_path / "k.csv", "customers", [credit]), "customers", DAY, source="CREDIT")
        cif = cif_of(db, "CORE", "E2E-SRC-1")
    engine.dispose()
    # when the operations manager opens the customer and its Sources tab
    sign_in(page, live_server, "ops")
    page.goto(f"{live_server}/customers/{cif}")
    page.click("#tab-link-sources")
    # then each source is a row with its own customer number and how it was linked
    rows = page.locator("#tab-sources tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("[data-source-customer='E2E-SRC-1']")).to_contain_text("New customer")
    expect(page.locator("[data-source-customer='E2E-K-1']")).to_contain_text("Same ID")
    expect(page.locator("#tab-sources-merges")).to_have_count(0)


def test_the_manager_undoes_a_merge_from_the_kept_customers_page(
    page: Page, browser: Browser, live_server: str, live_database_url: str
) -> None:
    # given a planted pair that ops proposes to merge and the branch manager approves
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        review_id = plant_pair(db, PREFIX).review.id
    engine.dispose()
    sign_in(page, live_server, "ops")
    page.goto(f"{live_server}/match-reviews/{review_id}")
    page.click("#propose-merge")
    expect(page.locator("#review-status")).to_have_text("Merge waiting for approval")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    checker = context.new_page()
    sign_in(checker, live_server, "manager")
    checker.goto(f"{live_server}/match-reviews/{review_id}")
    checker.click("#approve-merge")
    expect(checker.locator("#review-status")).to_have_text("Merged")
    # when the manager opens the kept customer's Sources tab
    checker.goto(f"{live_server}/customers/{KEPT}")
    checker.click("#tab-link-sources")
    # then the merged number is listed there, with a button to undo the merge
    expect(checker.locator(f"[data-merged-cif='{MERGED}']")).to_be_visible()
    # when the manager undoes it
    checker.click(f"[data-unmerge='{MERGED}']")
    # then the kept customer's page is back, saved, and the merged customer is itself again
    expect(checker.locator("#cif-no")).to_have_text(KEPT)
    expect(checker.locator(".alert-success")).to_contain_text("Saved.")
    checker.click("#tab-link-sources")
    expect(checker.locator("#tab-sources")).to_be_visible()
    expect(checker.locator("#tab-sources-merges")).to_have_count(0)
    checker.goto(f"{live_server}/customers/{MERGED}")
    expect(checker.locator("#cif-no")).to_have_text(MERGED)
    checker.goto(f"{live_server}/match-reviews/{review_id}")
    expect(checker.locator("#review-status")).to_have_text("Merge undone")
    context.close()
