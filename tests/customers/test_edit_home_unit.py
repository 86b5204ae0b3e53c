"""Editing a customer whose home unit lies outside the editor's units (a co-managed customer elsewhere)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.customer import ChangeRequest, Customer
from tests.conftest import csrf_from, signed_in, unit_id, user_id
from tests.factories import make_customer

CIF = "92000000061"


def _given_co_managed_by_am2(db: Session) -> Customer:
    """A customer of am1 at a Beijing outlet that am2, of the Shanghai branch, co-manages."""
    customer = make_customer(db, CIF, unit="BJ-HD-01", name="黄小华")
    db.add(
        ManagerAssignment(
            customer_id=customer.id,
            manager_id=user_id(db, "am2"),
            role="co",
            share_bp=3000,
            valid_from=date(2026, 1, 1),
        )
    )
    db.flush()
    return customer


def _select(html: str) -> str:
    select = re.search(r'<select id="f-home_unit_id".*?</select>', html, re.S)
    assert select is not None
    return select.group(0)


def _selected_units(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', _select(html))


def _sent_by_a_browser(html: str) -> str:
    """The chosen option, or the first when none is chosen (what a browser submits)."""
    chosen = _selected_units(html)
    return chosen[0][0] if chosen else re.findall(r'<option value="(\d+)"', _select(html))[0]


def test_the_edit_form_keeps_the_customers_own_unit(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a Beijing customer co-managed by am2 of Shanghai
    _given_co_managed_by_am2(db)
    client = signed_in(make_client(), "am2")
    # when am2 opens the edit form
    page = client.get(f"/customers/{CIF}/edit")
    # then the home branch shows the customer's own unit, chosen (not am2's first unit, which a browser would send)
    assert page.status_code == 200
    assert _selected_units(page.text) == [(str(unit_id(db, "BJ-HD-01")), "BJ-HD-01 · Zhongguancun Outlet")]


def test_saving_another_field_does_not_ask_to_move_the_customer(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given the co-managed customer and am2's edit form
    customer = _given_co_managed_by_am2(db)
    client = signed_in(make_client(), "am2")
    page = client.get(f"/customers/{CIF}/edit")
    # when am2 saves it with only the employer changed, the home branch as the form shows it
    response = client.post(
        f"/customers/{CIF}/edit",
        data={"csrf_token": csrf_from(page.text), "home_unit_id": _sent_by_a_browser(page.text), "employer": "新单位"},
        follow_redirects=False,
    )
    # then the employer is saved at once, no change request is filed, and the customer stays where it was
    assert response.status_code == 303
    assert response.headers["location"] == f"/customers/{CIF}?saved=1"
    assert db.scalars(select(ChangeRequest).where(ChangeRequest.customer_id == customer.id)).all() == []
    db.refresh(customer)
    assert customer.home_unit_id == unit_id(db, "BJ-HD-01")
    assert customer.individual is not None and customer.individual.employer == "新单位"
