"""The home page: the cards the modules declare, shown to whoever may see them, with figures in their scope."""

from __future__ import annotations

import re

from bankcrm.access.principal import Principal
from bankcrm.home.service import visible_cards
from bankcrm.kit.module import HomeCard
from bankcrm.models.audit import AuditEvent
from bankcrm.modules import home_cards
from tests.conftest import signed_in, token_for
from tests.customers.helpers import approved, individual

FIGURE = re.compile(r'data-figure="([a-z-]+)">(?:<a href="[^"]+">)?([^<]*)<')


def _figures(browser) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = browser.get("/")
    assert page.status_code == 200
    return dict(FIGURE.findall(page.text))


def _principal(roles: tuple[str, ...], permissions: set[str]) -> Principal:
    return Principal(None, "x", "X", 1, "/1/", roles, frozenset(permissions), "unit")


def test_the_admin_sees_the_users_and_audit_cards_and_no_customer_cards(make_client, db) -> None:  # type: ignore[no-untyped-def]
    # when the admin opens the home page
    admin = signed_in(make_client(), "admin")
    page = admin.get("/").text
    # then the cards are units, colleagues, users, audit (in that order), and the sign-in chart with its script
    assert list(_figures(admin)) == ["units", "colleagues", "users", "locked", "events", "failed", "last-login"]
    assert 'id="sign-in-chart"' in page and "/static/vendor/echarts/echarts.min.js" in page
    # with the figures of the demo bank: 9 active users, none locked out, no failed sign-in, and every audit
    # event of this fresh database (the seeding and this sign-in, all within the day)
    figures = _figures(admin)
    assert (figures["users"], figures["locked"], figures["failed"]) == ("9", "0", "0")
    assert figures["events"] == str(db.query(AuditEvent).count())


def test_an_account_manager_sees_customer_and_approval_cards_and_no_audit_card(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given one customer in am1's view, submitted by am1 and approved
    approved(client, db, individual(db))
    # when am1 opens the home page
    am1 = signed_in(make_client(), "am1")
    page = am1.get("/").text
    # then the cards are their work, portfolio (and movers, without figures), retention, customers, own requests
    # waiting, units and colleagues; no users, audit or chart
    figures = _figures(am1)
    assert list(figures) == [
        "tasks-week",
        "tasks-overdue",
        "maturing-week",
        "maturing-month",
        "portfolio-customers",
        "aum",
        "aum-change",
        "deposits",
        "deposits-change",
        "loans",
        "follow-ups-due",
        "follow-ups-done",
        "amount-due",
        "amount-kept",
        "retention-rate",
        "warnings-mine",
        "warnings-escalated",
        "customers",
        "approvals",
        "manager-changes",
        "units",
        "colleagues",
        "last-login",
    ]
    assert (figures["customers"], figures["approvals"]) == ("1", "0")
    assert "Your requests waiting" in page and "Change requests waiting" not in page
    assert 'id="sign-in-chart"' not in page and "echarts" not in page


def test_the_checker_sees_the_requests_to_decide(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given a request am1 submitted and nobody has decided
    submitted = client.post("/api/v1/customers/individual", json=individual(db), headers=token_for(client, "am1"))
    assert submitted.status_code == 202
    # when the branch manager (customer.approve, users in scope) opens the home page
    manager = signed_in(make_client(), "manager")
    page = manager.get("/").text
    # then the approvals card counts it as waiting for them, after the portfolio and beside the users card
    # (user.read), and no audit card
    figures = _figures(manager)
    assert list(figures) == [
        "portfolio-customers",
        "aum",
        "aum-change",
        "deposits",
        "deposits-change",
        "loans",
        "follow-ups-due",
        "follow-ups-done",
        "amount-due",
        "amount-kept",
        "retention-rate",
        "warnings-mine",
        "warnings-escalated",
        "customers",
        "approvals",
        "manager-changes",
        "units",
        "colleagues",
        "users",
        "locked",
        "last-login",
    ]
    assert figures["approvals"] == "1"
    assert "Change requests waiting" in page


def test_a_card_is_shown_for_its_permission_and_only_to_the_roles_it_names() -> None:
    # given the registry's cards and one more, for account managers holding customer.read
    mine = HomeCard(
        "mine",
        "Mine",
        "bankcrm.customers.service.cards:customers_card",
        "x.html",
        "customer.read",
        99,
        ("account_manager",),
    )
    declared = (*home_cards(), mine)
    # then an account manager with customer.read sees it last; without the permission, or in another role, not
    assert [c.key for c in visible_cards(_principal(("account_manager",), {"customer.read"}), declared)] == [
        "portfolio",
        "movers",
        "retention",
        "customers",
        "approvals",
        "units",
        "colleagues",
        "mine",
    ]
    assert [c.key for c in visible_cards(_principal(("account_manager",), set()), declared)] == ["units", "colleagues"]
    assert "mine" not in [c.key for c in visible_cards(_principal(("teller",), {"customer.read"}), declared)]
