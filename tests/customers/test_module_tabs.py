"""The customer page's module tabs: read from the registry, shown per permission and kind, each loading its content."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from bankcrm.modules import customer_tabs
from tests.conftest import signed_in, token_for
from tests.customers.helpers import approved, corporate, individual, resident_id

TAB = re.compile(r'data-module-tab="([a-z_]+)"')
HTMX = re.compile(r'id="tab-([a-z_]+)" role="tabpanel" hx-get="([^"]+)"')


def _tabs(browser: TestClient, cif_no: str) -> list[str]:
    page = browser.get(f"/customers/{cif_no}")
    assert page.status_code == 200
    return TAB.findall(page.text)


def test_an_account_manager_sees_every_module_tab_for_the_customers_kind(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given an individual and a corporate customer at the teller's outlet
    person = approved(client, db, individual(db, home="BJ-CY-01"))
    company = approved(client, db, corporate(db, home="BJ-CY-01"))
    # when the branch manager (who holds every tab's permission) opens them
    manager = signed_in(make_client(), "manager")
    # then the tabs are the registry's, in order, the household only for the individual
    assert _tabs(manager, person) == [
        "holdings",
        "insight",
        "lifecycle",
        "churn",
        "warnings",
        "household",
        "links",
        "tags",
        "leads",
        "managers",
        "contribution",
        "sources",
    ]
    assert _tabs(manager, company) == [
        "holdings",
        "insight",
        "lifecycle",
        "churn",
        "warnings",
        "links",
        "tags",
        "leads",
        "managers",
        "contribution",
        "sources",
    ]
    # and each pane loads the owning module's partial for this customer
    page = manager.get(f"/customers/{person}").text
    assert HTMX.findall(page) == [(t.key, t.path.format(cif_no=person)) for t in customer_tabs("individual")]


def test_the_managers_tab_appears_only_for_a_role_holding_assignment_request(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given a customer the teller and the branch manager can both read
    cif_no = approved(client, db, individual(db, home="BJ-CY-01"))
    teller = signed_in(make_client(), "teller")
    manager = signed_in(make_client(), "manager")
    # then the teller (no assignment.request) has no managers tab and may not load it; the manager has and may
    assert _tabs(teller, cif_no) == ["holdings", "insight", "household", "links", "tags", "leads"]
    assert teller.get(f"/customers/{cif_no}/tabs/managers").status_code == 403
    shown = manager.get(f"/customers/{cif_no}/tabs/managers")
    assert shown.status_code == 200
    assert 'id="tab-managers-current"' in shown.text
    assert f'href="/customers/{cif_no}/managers"' in shown.text


def test_each_tab_appears_exactly_when_the_role_holds_its_permission(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given a customer at the teller's outlet, and the teller's role set by the admin
    cif_no = approved(client, db, individual(db, home="BJ-CY-01"))
    admin = token_for(client, "admin")
    teller = signed_in(make_client(), "teller")
    for tab in customer_tabs("individual"):
        for codes, shown in (({"customer.read", tab.permission}, True), ({"customer.read"} - {tab.permission}, False)):
            response = client.put(
                "/api/v1/roles/teller/permissions", json={"permissions": sorted(codes)}, headers=admin
            )
            assert response.status_code == 200
            page = teller.get(f"/customers/{cif_no}")
            # then the tab is listed (and its content loads) only with its permission
            if page.status_code == 200:
                assert (tab.key in TAB.findall(page.text)) is shown, (tab.key, codes)
            else:
                assert (page.status_code, shown) == (403, False)  # without customer.read there is no page at all
            expected = 200 if shown else 403
            assert teller.get(tab.path.format(cif_no=cif_no)).status_code == expected, (tab.key, codes)


def test_the_tabs_show_the_customers_own_content(client, make_client, db) -> None:  # type: ignore[no-untyped-def]
    # given a new individual customer with no holdings, household or links yet
    cif_no = approved(client, db, individual(db, home="BJ-CY-01"))
    manager = signed_in(make_client(), "manager")
    # then each tab says so, and links to the owning module's full page
    holdings = manager.get(f"/customers/{cif_no}/tabs/holdings").text
    assert 'id="tab-holdings-accounts"' in holdings and "No accounts." in holdings
    assert f'href="/customers/{cif_no}/360"' in holdings
    assert 'id="tab-household-none"' in manager.get(f"/customers/{cif_no}/tabs/household").text
    links = manager.get(f"/customers/{cif_no}/tabs/links").text
    assert "No links." in links and f'href="/customers/{cif_no}/links"' in links
    # and a customer outside the viewer's scope (the branch, above the teller's outlet) is not found,
    # rather than said to be in no household
    outside = approved(
        client, db, individual(db, home="BJ", name="李四", id_no=resident_id(seq="457"), acknowledge_duplicates=True)
    )
    teller = signed_in(make_client(), "teller")
    assert teller.get(f"/customers/{outside}/tabs/household").status_code == 404
    assert teller.get(f"/customers/{cif_no}/tabs/household").status_code == 200
