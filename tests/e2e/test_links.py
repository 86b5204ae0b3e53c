"""In a real browser: add a shareholder link between two companies and see it from both sides."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.db import make_engine, session_scope
from tests.e2e.conftest import sign_in
from tests.factories import make_customer

HOLDER, COMPANY = "90000000045", "90000000053"


def test_add_a_shareholder_link_and_read_it_from_the_company(page: Page, live_server: str, live_database_url: str):
    # given two Beijing companies of am1
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, HOLDER, name="北京控股集团有限公司", kind="corporate")
        make_customer(db, COMPANY, name="北京星河科技有限公司", kind="corporate")
    engine.dispose()
    sign_in(page, live_server, "am1")
    # when am1 records on the holder's page that it holds 60 % of the company
    page.goto(f"{live_server}/customers/{HOLDER}")
    page.click("text=Relationships")
    page.select_option("#link_type", "SHAREHOLDER_OF")
    page.fill("#to_cif_no", COMPANY)
    page.fill("#share_pct", "60")
    page.click("#link-submit")
    # then the holder lists the outgoing link
    expect(page.locator("#outgoing-links")).to_contain_text("北京星河科技有限公司")
    expect(page.locator("#outgoing-links")).to_contain_text("60")
    # and the company reads it the other way round
    page.goto(f"{live_server}/customers/{COMPANY}/links")
    expect(page.locator("#incoming-links")).to_contain_text("北京控股集团有限公司")
    expect(page.locator("#incoming-links")).to_contain_text("Has shareholder")
