"""Every demo role's home page at 1366 px in English and Chinese, kept as a screenshot artefact."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import ARTIFACTS, sign_in

# The first card each demo user's home page shows (the registry's order, filtered by the role's permissions).
FIRST_CARD: dict[str, str | None] = {
    "admin": "job-runs",
    "manager": "portfolio",
    "am1": "work",
    "am2": "work",
    "lobby": "search",
    "teller": "search",
    "product": "products",
    "risk": "loan-classes",
    "ops": "ingest-rejects",
}


@pytest.mark.parametrize("lang", ["en-US", "zh-CN"])
@pytest.mark.parametrize("user", list(FIRST_CARD))
def test_home_page_screenshot(browser: Browser, live_server: str, user: str, lang: str):
    # given the demo user signed in at 1366 px in this language
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=lang)
    page = context.new_page()
    try:
        sign_in(page, live_server, user)
        # when the home page is opened
        response = page.goto(f"{live_server}/")
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(exist_ok=True)
        locale = "en" if lang == "en-US" else "zh_CN"
        page.screenshot(path=str(ARTIFACTS / f"home-{user}-{locale}.png"), full_page=True)
        # then it answered 200 in that language and shows the role's first card
        assert response is not None and response.status == 200
        assert page.get_attribute("html", "lang") == ("en" if lang == "en-US" else "zh-CN")
        cards = page.eval_on_selector_all("[data-card]", "els => els.map(e => e.dataset.card)")
        first = FIRST_CARD[user]
        assert cards[:1] == ([first] if first else []), cards
        assert page.locator('[data-figure="last-login"]').is_visible()
    finally:
        context.close()
