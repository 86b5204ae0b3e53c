"""In a real browser at 1366 and 1920 px, in English and Chinese: no table of the main pages is wider than its card."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bankcrm.config import Settings
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.holdings.jobs import nightly
from bankcrm.jobs.service import runs
from bankcrm.kit.time import today_in
from bankcrm.models.group import CorporateGroup, GuaranteeCircle
from bankcrm.models.relationship import CustomerLink
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import make_customer
from tests.holdings.helpers import account, load, loan, voucher, write_file

# CIF numbers no other browser test uses (10 digits + ISO 7064 MOD 11,10 check digit)
PERSON = "90000000133"
PARENT = "90000000141"
DAUGHTER = "90000000150"

# Every table of the page, its card, and how far it sticks out (0 when it fits), with the row count.
MEASURE = """() => [...document.querySelectorAll('main table, .page-body table, table')].filter(
  (t, i, all) => all.indexOf(t) === i && t.offsetParent !== null
).map(t => {
  const card = t.closest('.card') || t.parentElement;
  const tb = t.getBoundingClientRect(), cb = card.getBoundingClientRect();
  const box = t.closest('.table-responsive');
  return {id: t.id || '(no id)', table: Math.round(tb.width), card: Math.round(cb.width),
          over: Math.max(0, Math.round(tb.right - cb.right)),
          scrolls: box ? box.scrollWidth - box.clientWidth : 0, rows: t.querySelectorAll('tbody tr').length};
})"""


def _given_a_bank(url: str, tmp_path: Path) -> dict[str, Any]:
    """am1's individual with deposits, a loan overdue and a maturity task; two companies in a group and a circle."""
    settings = Settings(mode="test", database_url=url)
    today = today_in(settings.timezone)
    engine = make_engine(url)
    with session_scope(sessionmaker(bind=engine)) as db:
        made = {
            PERSON: make_customer(db, PERSON, name="欧阳娜娜"),
            PARENT: make_customer(db, PARENT, name="北京宽表控股集团股份有限公司", kind="corporate"),
            DAUGHTER: make_customer(db, DAUGHTER, name="北京宽表国际供应链管理有限公司", kind="corporate"),
        }
        deposit = account(
            "6222000000013302", PERSON, product_code="TD-1Y", balance="1250000.00",
            maturity_date=(today + timedelta(days=5)).isoformat(), auto_renew="N",
        )  # fmt: skip
        accounts = [account("6222000000013301", PERSON), deposit]
        load(db, settings, write_file(tmp_path / "a.csv", "accounts", accounts), "accounts")
        loans = [
            loan("LN00013301", PERSON, classification="SUBSTANDARD", days_overdue="97", amount="12000000.00",
                 drawn="12000000.00", outstanding="11876543.21", guarantee_type="MORTGAGE"),
            loan("LN00013302", PERSON),
        ]  # fmt: skip
        load(db, settings, write_file(tmp_path / "l.csv", "loans", loans), "loans")
        balances = [
            {"account_no": "6222000000013301", "balance": "98765.43"},
            {"account_no": "6222000000013302", "balance": "1250000.00"},
        ]
        load(db, settings, write_file(tmp_path / "b.csv", "balances", balances), "balances")
        vouchers = [voucher(f"V133{i}", "6222000000013301", summary="跨行转账手续费及其他费用明细") for i in range(3)]
        load(db, settings, write_file(tmp_path / "t.csv", "transactions", vouchers), "transactions")
        ids = {cif_no: c.id for cif_no, c in made.items()}
        nightly(db, settings)
        start = date.today() - timedelta(days=30)
        for source, kind, target, share, amount in (
            (PARENT, "SHAREHOLDER_OF", DAUGHTER, 9000, None),
            (PARENT, "GUARANTOR_FOR", DAUGHTER, None, 500_000_000),
            (DAUGHTER, "GUARANTOR_FOR", PARENT, None, 300_000_000),
        ):
            db.add(
                CustomerLink(
                    from_customer_id=ids[source],
                    to_customer_id=ids[target],
                    link_type=kind,
                    share_pct_bp=share,
                    amount=amount,
                    valid_from=start,
                )
            )
    steps = runs.run_steps(make_sessionmaker(engine), settings, ["groups"])
    assert [s.outcome for s in steps] == ["ok"]
    with session_scope(sessionmaker(bind=engine)) as db:
        group_id = db.scalars(select(CorporateGroup.id).where(CorporateGroup.core_customer_id == ids[PARENT])).first()
        circle_id = db.scalars(
            select(GuaranteeCircle.id).where(GuaranteeCircle.total_amount == 800_000_000).order_by(GuaranteeCircle.id)
        ).first()
    engine.dispose()
    return {"group": group_id, "circle": circle_id}


@pytest.fixture(scope="module")
def bank(live_server: str, live_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _given_a_bank(live_database_url, tmp_path_factory.mktemp("tables"))


def _check(page: Page, url: str, name: str, width: int, lang: str, wanted: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    tables = page.evaluate(MEASURE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"tables-{name}-{width}-{lang}.png"), full_page=True)
    found = {t["id"] for t in tables}
    assert set(wanted) <= found, (name, found)
    too_wide = [t for t in tables if t["over"] > 0 or t["scrolls"] > 0]
    assert too_wide == [], (name, width, lang, too_wide)
    assert all(t["rows"] > 0 for t in tables if t["id"] in wanted), (name, tables)


@pytest.mark.parametrize("lang", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1366, 1920])
def test_main_tables_fit_their_cards(browser: Browser, live_server: str, bank: dict[str, Any], width: int, lang: str):
    # given am1 and the admin, at this width and in this language
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
    page = context.new_page()
    try:
        sign_in(page, live_server, "am1")
        # when the main pages are opened, then every table fits inside its card (no sideways scrolling)
        _check(page, f"{live_server}/customers", "customers", width, lang, ["customers"])
        _check(
            page,
            f"{live_server}/customers/{PERSON}/360",
            "customer-360",
            width,
            lang,
            ["holdings", "loans", "maturities", "customer-tasks", "transactions-table"],
        )
        # and on the 360° loans table the loan class and the days overdue are visible
        overdue = page.locator("#loans tbody tr", has=page.locator("[data-classification='SUBSTANDARD']"))
        assert overdue.locator("[data-classification='SUBSTANDARD']").is_visible()
        assert overdue.locator("td[data-days-overdue]").inner_text().strip() == "97"
        assert overdue.locator("td[data-days-overdue]").is_visible()
        _check(page, f"{live_server}/tasks", "tasks", width, lang, ["tasks"])
        # and on the tasks page the outcome form of the task is visible, its button inside the card
        form = page.locator("form[data-testid$='-form']").first
        assert form.is_visible()
        card = page.locator("#tasks").evaluate("t => t.closest('.card').getBoundingClientRect().right")
        button = form.locator("button[type=submit]").evaluate("b => b.getBoundingClientRect().right")
        assert button <= card
        _check(page, f"{live_server}/groups", "groups", width, lang, ["groups"])
        _check(page, f"{live_server}/groups/{bank['group']}", "group", width, lang, ["group-members"])
        _check(page, f"{live_server}/guarantee-circles/{bank['circle']}", "circle", width, lang, ["circle-members"])
        page.context.clear_cookies()
        sign_in(page, live_server, "admin")
        _check(page, f"{live_server}/admin/audit", "audit", width, lang, ["(no id)"])  # the log's one table
    finally:
        context.close()


# Where a page's header starts: its .page-header, or its title when it has none.
TITLE_TOP = """() => Math.round(
  (document.querySelector('.page-header') || document.querySelector('h1.page-title')).getBoundingClientRect().top
  + window.scrollY)"""


def test_page_titles_sit_at_the_same_place(browser: Browser, live_server: str, bank: dict[str, Any]):
    # given am1 and the admin at 1366 px
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, live_server, "am1")
        tops = {}
        for name, path in (
            ("customers", "/customers"),
            ("customer-360", f"/customers/{PERSON}/360"),
            ("customer", f"/customers/{PERSON}"),
            ("tasks", "/tasks"),
            ("groups", "/groups"),
            ("group", f"/groups/{bank['group']}"),
            ("circles", "/guarantee-circles"),
            ("circle", f"/guarantee-circles/{bank['circle']}"),
            ("approvals", "/approvals"),
        ):
            page.goto(f"{live_server}{path}")
            tops[name] = page.evaluate(TITLE_TOP)
        page.context.clear_cookies()
        sign_in(page, live_server, "admin")
        page.goto(f"{live_server}/admin/audit")
        tops["audit"] = page.evaluate(TITLE_TOP)
        # then every page title starts at the same height
        assert len(set(tops.values())) == 1, tops
    finally:
        context.close()
