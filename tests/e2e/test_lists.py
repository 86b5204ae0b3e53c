"""In a real browser: a click on a column header re-sorts two different lists; the export menu downloads."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in


def _column(page: Page, table: str, index: int) -> list[str]:
    return [t.strip() for t in page.locator(f"{table} tbody tr td:nth-child({index})").all_inner_texts()]


def _actions(page: Page) -> list[str]:
    """The audit rows' action codes (the cells read as sentences; the code is their data-action)."""
    return page.locator("td.audit-sentence").evaluate_all("cells => cells.map(c => c.dataset.action)")


def test_header_clicks_sort_users_and_the_audit_log_and_the_export_keeps_the_order(page: Page, live_server: str):
    # given the administrator on the user list, by user name
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users")
    before = _column(page, "table", 1)
    assert before == sorted(before) and len(before) >= 9
    # when they click the "User name" header
    page.click("th[data-sort-key='username'] a")
    # then the list is by user name descending and the header says so
    expect(page.locator("th[data-sort-key='username']")).to_have_attribute("aria-sort", "descending")
    after = _column(page, "table", 1)
    assert after == sorted(before, reverse=True)
    # and the CSV export (from the export menu) carries that order
    page.click("[data-export-menu] .dropdown-toggle")
    with page.expect_download() as download:
        page.click("[data-export='csv']")
    assert download.value.suggested_filename == "users.csv"
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    lines = text.splitlines()
    assert lines[0] == "User name,Display name,Org unit,Roles,Status,Last sign-in"
    assert [line.split(",")[0] for line in lines[1:]] == after

    # given the admin's own audit events (other browser tests write to the same live database), newest first:
    # at least the sign-in, then the export
    page.goto(f"{live_server}/admin/audit?actor=admin")
    newest_first = [int(s) for s in _column(page, "table", 1)]
    assert newest_first == sorted(newest_first, reverse=True)
    assert _actions(page)[:2] == ["user.export", "auth.login"]
    # when the "Action" header is clicked
    page.click("th[data-sort-key='action'] a")
    # then rows go by action, ties by sequence number, so the sign-in now comes before the export
    expect(page.locator("th[data-sort-key='action']")).to_have_attribute("aria-sort", "ascending")
    actions = _actions(page)
    seqs = [int(s) for s in _column(page, "table", 1)]
    assert list(zip(actions, seqs, strict=True)) == sorted(zip(actions, seqs, strict=True))
    assert actions.index("auth.login") < actions.index("user.export")
