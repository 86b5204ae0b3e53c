"""In a real browser: a customer's 360° view with holdings and the AUM chart; a maturity task worked to an outcome."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.holdings.jobs import nightly
from bankcrm.kit.time import today_in
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import make_customer
from tests.holdings.helpers import account, load, voucher, write_file

CIF = "90000000037"


def _given_holdings(url: str, tmp_path: Path) -> None:
    """am1's customer with a demand deposit and a 50,000.00 time deposit maturing in 5 days, loaded and batched."""
    settings = Settings(mode="test", database_url=url)
    today = today_in(settings.timezone)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, CIF, name="赵敏")
        deposit = account(
            "6222000000003702", CIF, product_code="TD-1Y", balance="50000.00",
            maturity_date=(today + timedelta(days=5)).isoformat(), auto_renew="N",
        )  # fmt: skip
        load(
            db,
            settings,
            write_file(tmp_path / "a.csv", "accounts", [account("6222000000003701", CIF), deposit]),
            "accounts",
        )
        balances = [
            {"account_no": "6222000000003701", "balance": "1200.00"},
            {"account_no": "6222000000003702", "balance": "50000.00"},
        ]
        load(db, settings, write_file(tmp_path / "b.csv", "balances", balances), "balances")
        load(
            db,
            settings,
            write_file(tmp_path / "t.csv", "transactions", [voucher("V1", "6222000000003701")]),
            "transactions",
        )
        nightly(db, settings)
    engine.dispose()


def test_see_the_360_view_and_complete_a_maturity_task(
    page: Page, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # given am1's customer with holdings loaded from core banking and the nightly batch run
    _given_holdings(live_database_url, tmp_path)
    sign_in(page, live_server, "am1")
    # when am1 opens the customer's 360° view
    page.goto(f"{live_server}/customers/{CIF}/360")
    # then the holdings are listed with masked numbers, and the AUM chart is drawn
    expect(page.locator("#holdings tbody tr")).to_have_count(2)
    expect(page.locator("#holdings")).to_contain_text("************3702")
    expect(page.locator("#holdings")).not_to_contain_text("6222000000003702")
    expect(page.locator("#balance-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#balance-chart canvas")).to_have_count(1)
    expect(page.locator("#maturities")).to_contain_text("50,000.00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1500)  # let the chart's entry animation finish before the screenshot
    page.screenshot(path=str(ARTIFACTS / "customer-360.png"), full_page=True)
    # and the change-history link opens the customer's history tab
    page.click("#customer-history-link")
    expect(page.locator("#tab-history")).to_be_visible()
    page.goto(f"{live_server}/customers/{CIF}/360")
    # when am1 goes to the task list and records that 40,000.00 was renewed
    page.click("#left-nav >> text=Tasks")
    row = page.locator("tr[data-testid^='task-'][data-status='OPEN']").filter(has_text="TD-1Y")
    expect(row).to_have_count(1)
    task_id = re.sub(r"\D", "", row.get_attribute("data-testid") or "")
    page.select_option(f"[data-testid='task-{task_id}-outcome']", "RENEWED")
    page.fill(f"[data-testid='task-{task_id}-amount-kept']", "40000")
    page.click(f"[data-testid='task-{task_id}-submit']")
    # then the task shows as done with its outcome and the amount kept
    expect(page).to_have_url(re.compile(rf"/tasks\?completed={task_id}$"))
    page.click("[data-testid='task-filter-done']")
    expect(page.locator(f"[data-testid='task-{task_id}-outcome-label']")).to_have_text("Renewed")
    expect(page.locator(f"[data-testid='task-{task_id}-kept']")).to_contain_text("40,000.00")
    page.screenshot(path=str(ARTIFACTS / "maturity-task-done.png"), full_page=True)
