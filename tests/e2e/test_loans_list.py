"""In a real browser: the /loans list shows the loans of customers in view and filters them by class."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import sign_in
from tests.factories import make_customer
from tests.holdings.helpers import load, loan, write_file

PERSON = "90000000416"  # a CIF no other browser test uses: they share one live database
LOAN_DAY = date(2026, 2, 16)  # a business day no other browser test loads loans for


def test_the_loans_list_shows_and_filters_loans(
    page: Page, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # given am1's customer with a substandard loan 97 days overdue and a normal one
    settings = Settings(mode="test", database_url=live_database_url)
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, PERSON, name="司马贷款")
        loans = [
            loan("LN00041601", PERSON, classification="SUBSTANDARD", days_overdue="97", amount="2000000.00",
                 drawn="2000000.00", outstanding="1234567.89"),
            loan("LN00041602", PERSON),
        ]  # fmt: skip
        assert load(db, settings, write_file(tmp_path / "l.csv", "loans", loans), "loans", LOAN_DAY).rejects == []
    engine.dispose()
    # when am1 opens the loans list
    sign_in(page, live_server, "am1")
    page.goto(f"{live_server}/loans")
    # then both loans are rows with the customer, the contract number masked, the class, the outstanding and
    # the days overdue
    bad = page.locator("#loans-table tbody tr", has_text="******1601")
    expect(bad).to_contain_text(PERSON)
    expect(bad).not_to_contain_text("LN00041601")
    expect(bad).to_contain_text("1,234,567.89")
    expect(bad.locator("[data-class='SUBSTANDARD']")).to_be_visible()
    expect(bad.locator("td").nth(7)).to_have_text("97")
    expect(page.locator("#loans-table tbody tr", has_text="******1602")).to_have_count(1)
    # when am1 keeps substandard loans only
    page.select_option("select[name='loan_class']", "SUBSTANDARD")
    # then the normal loan is gone and the substandard one stays
    expect(page.locator("#loans-table tbody tr", has_text="******1602")).to_have_count(0)
    expect(page.locator("#loans-table tbody tr", has_text="******1601")).to_have_count(1)
