"""In a real browser: sign in, switch to Chinese, see the role's home page; administer a user."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, sign_in


def test_sign_in_switch_language_and_see_home_in_chinese(page: Page, live_server: str):
    # given the account manager am1 signs in
    sign_in(page, live_server, "am1")
    expect(page.locator("#home-title")).to_have_text("Welcome, 李明 Li Ming")
    expect(page.locator("[data-role='account_manager']")).to_have_text("Account manager")
    # when they switch the language to Chinese
    page.click("#language-switch >> text=中文")
    # then the home page, navigation and role label are in Chinese
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#home-title")).to_have_text("欢迎，李明 Li Ming")
    expect(page.locator("[data-role='account_manager']")).to_have_text("客户经理")
    expect(page.locator("#left-nav")).to_contain_text("首页")
    # the account manager sees home, customers, approvals, tasks, maturities, portfolios, manager
    # changes, corporate groups and guarantee circles, the gaps in their customers' data, their customers'
    # tier moves, contribution, segments, lifecycle stages, warnings, churn models, leads and referrals, pipeline,
    # visit plan and sales performance, and no administration
    expect(page.locator("#left-nav a")).to_have_count(21)
    expect(page.locator("#left-nav")).to_contain_text("客户")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-account-manager-zh_CN.png"), full_page=True)


def test_admin_creates_a_user_after_fixing_a_field_error(page: Page, live_server: str):
    sign_in(page, live_server, "admin")
    # the admin's home page draws the sign-in chart from the JSON endpoint
    expect(page.locator("#sign-in-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("[data-figure='users']")).to_have_text("9")
    page.goto(f"{live_server}/admin/users/new")
    page.fill("#f-username", "e2e.teller")
    page.fill("#f-display_name", "E2E Teller")
    page.select_option("#f-org_unit_id", label="BJ-CY-02 · Guomao Outlet")
    page.check("input[name='roles'][value='teller']")
    page.fill("#f-password", "weak")
    page.click("text=Create user")
    # the error shows at the password field and the other input is kept
    expect(page.locator("[data-field-error='password']")).to_contain_text("at least 12 characters")
    expect(page.locator("#f-username")).to_have_value("e2e.teller")
    page.check("input[name='roles'][value='teller']")
    page.fill("#f-password", "Str0ng-Passw0rd!")
    page.click("text=Create user")
    expect(page).to_have_url(re.compile(r"/admin/users/\d+\?saved=1"))
    expect(page.locator("#user-status")).to_have_text("Active")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-user-created.png"), full_page=True)
    # and the new user can sign in
    page.click("#user-menu")
    page.click("#sign-out")
    sign_in(page, live_server, "e2e.teller", "Str0ng-Passw0rd!")
    expect(page.locator("[data-role='teller']")).to_have_text("Teller")
