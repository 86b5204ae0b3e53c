"""In a real browser: the branch manager builds "VIP customers whose AUM fell more than 20% in 3 months", sees the
live count, saves the segment and opens a member's insight tab."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, session_scope
from bankcrm.kit.time import today_in
from bankcrm.segments.repository.sql import add_months
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import make_customer
from tests.segments.helpers import month_row

FELL, STEADY = "10000000701", "10000000702"  # CIF numbers no other browser test uses (one live database)


def test_build_a_segment_see_the_count_save_it_and_open_a_members_insight_tab(
    page: Page, live_server: str, live_database_url: str
) -> None:
    # Given two VIP customers of am1 in Beijing this month: one whose month-average AUM fell from ¥200,000 to
    # ¥100,000 over three months, one steady at ¥100,000
    engine = make_engine(live_database_url)
    month = today_in(Settings(mode="test", database_url=live_database_url).timezone).replace(day=1)
    with session_scope(sessionmaker(bind=engine)) as db:
        for cif, before in ((FELL, 20_000_000), (STEADY, 10_000_000)):
            c = make_customer(db, cif, name="钱贵宾")
            month_row(db, c, month, aum_avg=10_000_000, aum_end=10_000_000, tier="VIP")
            month_row(db, c, add_months(month, -3), aum_avg=before, aum_end=before, tier="VIP")
    engine.dispose()
    # When the branch manager builds the segment: value tier is VIP, and AUM's change over 3 months is below -20%
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/segments/new")
    page.fill("#segment-name", "贵宾客户AUM三个月下降超20%")
    first = page.locator(".segment-row").nth(0)
    first.locator("[data-role=field]").select_option("feature:tier")
    first.locator("[data-role=op]").select_option("=")
    first.locator("[data-role=value]").fill("VIP")
    page.click("[data-action=add-condition]")
    second = page.locator(".segment-row").nth(1)
    second.locator("[data-role=field]").select_option("change:aum_avg")
    second.locator("[data-role=months]").fill("3")
    second.locator("[data-role=op]").select_option("<")
    second.locator("[data-role=value]").fill("-20")
    # Then the live count comes, its masked sample holding the customer whose AUM fell and not the steady one
    expect(page.locator(f"#segment-sample [data-cif='{FELL}']")).to_be_visible()
    expect(page.locator(f"#segment-sample [data-cif='{STEADY}']")).to_have_count(0)
    assert int(page.locator("#segment-count").get_attribute("data-count") or 0) >= 1
    # When the segment is saved
    page.click("#segment-save")
    # Then its page says the rule in words and lists the member
    expect(page.locator("#segment-words")).to_contain_text("Value tier is VIP")
    expect(page.locator(f"#segment-members [data-cif='{FELL}']")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "segment-detail.png"), full_page=True)
    # When the manager opens the member and their insight tab
    page.click(f"#segment-members [data-cif='{FELL}'] a")
    page.click("#tab-link-insight")
    # Then the member's monthly snapshot shows
    expect(page.locator("#tab-insight-head")).to_be_visible()
