"""In a real browser, the whole 三位一体 chain: the teller refers a customer, am1 accepts, logs a call, qualifies and
converts it, drags the opportunity it opened to 签约, the ingest of the product wins it, the teller is credited."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.sales import jobs as sales_jobs
from tests.e2e.conftest import sign_in
from tests.holdings.helpers import account, load, make_customer, write_file

PERSON = "90000000591"  # a CIF no other browser test uses: they share one live database


def test_a_referral_becomes_a_won_opportunity_and_the_teller_is_credited(
    page: Page, browser: Browser, live_server: str, live_database_url: str, tmp_path: Path
) -> None:
    # Given a Wangjing customer whose primary manager is am1
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, PERSON, unit="BJ-CY-01", name="周转介")

    # When the teller refers the customer for wealth management from the customer page
    sign_in(page, live_server, "teller")
    page.goto(f"{live_server}/customers/{PERSON}")
    page.click("#tab-link-leads")
    page.click("[data-testid='refer-WEALTH']")
    expect(page.locator("#referral-made")).to_be_visible()
    lead_id = page.locator("#customer-leads tbody tr").first.get_attribute("data-lead")

    # And am1 accepts it, logs a call with the customer, marks it contacted and qualified, and converts it
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    am1 = context.new_page()
    sign_in(am1, live_server, "am1")
    am1.goto(f"{live_server}/leads/{lead_id}")
    am1.click("#lead-accept")
    am1.goto(f"{live_server}/activities/week")
    form = am1.locator("#activity-form")
    form.locator("[name=cif_no]").fill(PERSON)
    form.locator("[name=starts_at]").fill(datetime.now().strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=kind]").select_option("CALL")
    form.locator("[name=status]").select_option("DONE")
    form.locator("[name=notes]").fill("客户有意购买稳健型理财")
    form.locator("button[type=submit]").click()
    expect(am1.locator("#calendar")).to_contain_text("周")
    am1.goto(f"{live_server}/leads/{lead_id}")
    am1.click("#lead-contacted")
    am1.click("#lead-qualify")
    am1.click("#lead-convert")

    # Then the lead is converted and names the opportunity it opened, in the first stage
    am1.click("#lead-opportunity")
    expect(am1.locator("[data-testid=stage]")).to_have_text("识别")
    opportunity_id = am1.url.rstrip("/").split("/")[-1]

    # When am1 drags it to 签约 on the board
    am1.goto(f"{live_server}/opportunities/board")
    expect(am1.locator("#board")).to_have_attribute("data-ready", "true")
    am1.locator(f"[data-testid=card-{opportunity_id}]").drag_to(am1.locator(".sales-cards[data-stage=SIGNING]"))
    expect(am1.locator("#board")).to_have_attribute("data-moved", f"{opportunity_id}:SIGNING")

    # And core banking delivers the customer's new wealth product, and the nightly step proposes the win
    settings = Settings(mode="test", database_url=live_database_url)
    row = account(
        "6222000000005911",
        PERSON,
        product_code="WM-R2-180D",
        open_date=date.today().isoformat(),
        balance="200000.00",
        rate="2.80",
        maturity_date="2099-01-01",
        auto_renew="N",
    )
    with session_scope(sessionmaker(bind=engine)) as db:
        result = load(
            db, settings, write_file(tmp_path / "accounts.csv", "accounts", [row]), "accounts", day=date.today()
        )
        assert (result.run.rows_loaded, [r.reason for r in result.rejects]) == (1, [])
        assert sales_jobs.wins_job(db, settings).rows == 1
    engine.dispose()

    # Then am1 confirms the win with the actual amount
    am1.goto(f"{live_server}/opportunities/{opportunity_id}")
    expect(am1.locator("[data-testid=proposed]")).to_contain_text("200,000.00")
    am1.click("[data-testid=confirm-win]")
    expect(am1.locator("[data-testid=stage]")).to_have_text("赢单")
    context.close()

    # And the teller sees the referral converted and credited
    page.goto(f"{live_server}/referrals")
    mine = page.locator(f"#my-referrals tr[data-lead='{lead_id}']")
    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "CONVERTED")
    expect(page.locator("#leaderboard tr[data-referrer='teller']")).to_be_visible()
