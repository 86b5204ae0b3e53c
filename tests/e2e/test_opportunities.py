"""In a real browser: am1 opens an opportunity, drags it to 签约 on the board, the ingest of the product proposes it
won, and am1 confirms the win with the actual amount."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.sales import jobs as sales_jobs
from tests.e2e.conftest import sign_in
from tests.factories import make_customer
from tests.holdings.helpers import account, load, write_file

CIF = "90000000571"  # a CIF no other browser test uses


def test_am1_drags_an_opportunity_to_signing_and_confirms_the_win_the_ingest_proposed(
    browser: Browser, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # Given a customer of am1 in Beijing
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, CIF, name="孙商机")
    # When am1 opens an opportunity for a 3-month time deposit of 500,000 yuan from the form
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, "am1")
    page.goto(f"{live_server}/opportunities/new?cif_no={CIF}")
    page.select_option("#f-product_code", "TD-3M")
    page.fill("#f-amount", "500000")
    page.fill("#f-expected_close", "2027-01-31")
    page.click("#opportunity-form button[type=submit]")
    expect(page.locator("[data-testid=stage]")).to_have_text("识别")
    opportunity_id = page.url.rstrip("/").split("/")[-1]
    # and drags its card from 识别 to 签约 on the board
    page.goto(f"{live_server}/opportunities/board")
    expect(page.locator("#board")).to_have_attribute("data-ready", "true")
    card = page.locator(f"[data-testid=card-{opportunity_id}]")
    target = page.locator(".sales-cards[data-stage=SIGNING]")
    card.drag_to(target)
    expect(page.locator("#board")).to_have_attribute("data-moved", f"{opportunity_id}:SIGNING")
    page.goto(f"{live_server}/opportunities/{opportunity_id}")
    expect(page.locator("[data-testid=stage]")).to_have_text("签约")
    expect(page.locator("#history td[data-stage]")).to_have_count(2)
    # and the core-banking accounts file brings the customer's new TD-3M account of 480,000 yuan, then the step runs
    settings = Settings(mode="test", database_url=live_database_url)
    today = date.today().isoformat()
    row = account(
        "6222000000005711",
        CIF,
        product_code="TD-3M",
        open_date=today,
        balance="480000.00",
        rate="1.30",
        maturity_date="2099-01-01",
        auto_renew="Y",
    )
    with session_scope(sessionmaker(bind=engine)) as db:
        result = load(
            db, settings, write_file(tmp_path / "accounts.csv", "accounts", [row]), "accounts", day=date.today()
        )
        assert (result.run.rows_loaded, [r.reason for r in result.rejects]) == (1, [])
        assert sales_jobs.wins_job(db, settings).rows == 1
    engine.dispose()
    page.reload()
    expect(page.locator("[data-testid=proposed]")).to_contain_text("480,000.00")
    page.click("[data-testid=confirm-win]")
    # Then the opportunity is won with the actual amount
    expect(page.locator("[data-testid=stage]")).to_have_text("赢单")
    expect(page.locator("[data-testid=won-amount]")).to_have_text("480,000.00")
    context.close()
