"""In a real browser: a shareholder link makes a group, a risk manager queues the derivation and accepts it."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.jobs.service import runs
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import make_customer

PARENT, DAUGHTER = "90000000061", "90000000079"


def test_link_derive_accept_and_see_the_group_graph(page: Page, live_server: str, live_database_url: str):
    # given two Beijing companies of am1
    engine = make_engine(live_database_url)
    with session_scope(sessionmaker(bind=engine)) as db:
        make_customer(db, PARENT, name="北京母港控股有限公司", kind="corporate")
        make_customer(db, DAUGHTER, name="北京女港物流有限公司", kind="corporate")
    engine.dispose()
    # when am1 records on the parent's links page that it holds 75 % of the daughter
    sign_in(page, live_server, "am1")
    page.goto(f"{live_server}/customers/{PARENT}/links")
    page.select_option("#link_type", "SHAREHOLDER_OF")
    page.fill("#to_cif_no", DAUGHTER)
    page.fill("#share_pct", "75")
    page.click("#link-submit")
    expect(page.locator("#outgoing-links")).to_contain_text("北京女港物流有限公司")
    # and the risk manager derives groups from the groups page
    page.context.clear_cookies()
    sign_in(page, live_server, "risk")
    page.click("#left-nav >> text=Corporate groups")
    page.click("#derive-groups")
    expect(page.locator(".alert-info")).to_contain_text("Derivation queued")
    # and the batch runs the queued derivation (as ``bankcrm batch queued`` does)
    engine = make_engine(live_database_url)
    steps = runs.run_steps(make_sessionmaker(engine), Settings(mode="test", database_url=live_database_url), ["groups"])
    engine.dispose()
    assert [s.outcome for s in steps] == ["ok"]
    page.reload()
    # then the parent's group is proposed; the risk manager opens and accepts it
    row = page.locator("#groups tr", has_text="北京母港控股有限公司")
    expect(row).to_contain_text("Proposed")
    row.locator("a").first.click()
    expect(page.locator("#group-status")).to_have_text("Proposed")
    page.click("#accept-group")
    expect(page.locator("#group-status")).to_have_text("Accepted")
    expect(page.locator("#group-members")).to_contain_text(DAUGHTER)
    # and the group's graph is drawn by ECharts: a canvas, with as many nodes as the data block holds
    chart = page.locator("#group-graph")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    data = json.loads(page.locator("#group-graph-data").text_content() or "{}")
    assert [n["cif_no"] for n in data["nodes"]] == [PARENT, DAUGHTER]
    expect(chart).to_have_attribute("data-drawn-nodes", str(len(data["nodes"])))
    # and its legend names the one link type drawn, with a swatch painted in the edges' colour
    legend = page.locator("#group-graph-legend li")
    expect(legend).to_have_count(1)
    expect(legend).to_have_text("Shareholder of")
    expect(legend).to_have_attribute("data-link-type", "SHAREHOLDER_OF")
    assert legend.locator(".graph-swatch").evaluate("s => getComputedStyle(s).backgroundColor") == "rgb(214, 57, 57)"
    page.screenshot(path=str(ARTIFACTS / "group-graph.png"), full_page=True)
