"""The lead pages: the new-lead form names each bad field, a referral from the customer tab, the lead page's
actions for its assignee, the CIF form prefilled from a qualified prospect — on both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.leads.service import rota
from bankcrm.models.lead import Lead
from tests.conftest import csrf_from, signed_in, user_id
from tests.factories import make_customer


def test_the_new_lead_form_names_each_bad_field_and_saves_nothing(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given the branch manager on the new-lead form
    client = signed_in(make_client(), "manager")
    token = csrf_from(client.get("/leads/new").text)

    # When they send a prospect with no name and a bad phone
    sent = client.post("/leads/new", data={"csrf_token": token, "source": "WEB", "interest": "LOAN", "phone": "12345"})

    # Then the form comes back (422) with both fields named, and no lead is written
    assert sent.status_code == 422
    assert 'data-field-error="name"' in sent.text and 'data-field-error="phone"' in sent.text
    assert db.scalars(select(Lead)).all() == []


def test_a_referral_from_the_customer_tab_and_the_assignees_page(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given a Wangjing customer of am1's and the teller on its Leads tab
    make_customer(db, "90000000401", unit="BJ-CY-01", manager="am1")
    teller = signed_in(make_client(), "teller")
    tab = teller.get("/customers/90000000401/tabs/leads")
    assert tab.status_code == 200 and 'data-testid="refer-WEALTH"' in tab.text

    # When the teller clicks "Wealth management"
    sent = teller.post(
        "/referrals",
        data={"csrf_token": csrf_from(tab.text), "cif_no": "90000000401", "interest": "WEALTH", "back": "tab"},
        follow_redirects=True,
    )

    # Then the tab says so and lists the lead with am1; am1's page offers to accept it
    lead = db.scalars(select(Lead)).one()
    assert sent.status_code == 200 and f"lead #{lead.id}" in sent.text and "李明 Li Ming" in sent.text
    assert (lead.referrer_id, lead.assignee_id) == (user_id(db, "teller"), user_id(db, "am1"))
    am1 = signed_in(make_client(), "am1")
    page = am1.get(f"/leads/{lead.id}")
    assert 'id="lead-accept"' in page.text
    accepted = am1.post(f"/leads/{lead.id}/accept", data={"csrf_token": csrf_from(page.text)}, follow_redirects=True)
    assert accepted.status_code == 200 and 'id="lead-accept"' not in accepted.text
    # And the teller's referrals page lists it, with am1
    referrals = teller.get("/referrals")
    assert f'data-lead="{lead.id}"' in referrals.text and "李明 Li Ming ✓" in referrals.text


def test_the_cif_form_is_prefilled_from_a_qualified_prospect(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given am1's qualified prospect
    rota.put(db, "BJ", "LOAN", ["am1"])
    manager = signed_in(make_client(), "manager")
    form = manager.get("/leads/new")
    manager.post(
        "/leads/new",
        data={
            "csrf_token": csrf_from(form.text),
            "source": "WEB",
            "interest": "LOAN",
            "name": "王小二",
            "phone": "13700001111",
            "amount": "1,000.00",
        },
    )
    lead = db.scalars(select(Lead)).one()
    assert lead.amount == 100_000
    am1 = signed_in(make_client(), "am1")
    page = am1.get(f"/leads/{lead.id}")
    am1.post(f"/leads/{lead.id}/status", data={"csrf_token": csrf_from(page.text), "status": "QUALIFIED"})

    # When am1 opens "Create the customer"
    prefilled = am1.get(f"/leads/{lead.id}/customer")

    # Then it is the CIF's form posting to the lead, with the name and the mobile in it
    assert prefilled.status_code == 200
    assert f'action="/leads/{lead.id}/customer"' in prefilled.text
    assert 'value="王小二"' in prefilled.text and 'value="+8613700001111"' in prefilled.text
