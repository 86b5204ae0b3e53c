"""The pages: a customer's managers with the change form, the portfolio with bulk hand-over, the request inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from tests.assignments.helpers import BJ_1, BJ_2, BJ_3, SH_1, counts, given_customers, given_staff
from tests.conftest import csrf_from, signed_in, user_id


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    given_staff(db)
    given_customers(db)


def test_change_managers_through_the_pages(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    maker = signed_in(make_client(), "manager")
    page = maker.get(f"/customers/{BJ_1}/managers")
    assert page.status_code == 200
    assert 'id="managers-form"' in page.text

    filed = maker.post(
        f"/customers/{BJ_1}/managers",
        data={
            "csrf_token": csrf_from(page.text),
            "primary": "0",
            "manager_0": str(user_id(db, "am1")),
            "share_0": "70",
            "manager_1": str(user_id(db, "am3")),
            "share_1": "30%",
            "reason": "Shared coverage",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    request_url = filed.headers["location"].split("?")[0]

    checker = signed_in(make_client(), "manager2")
    inbox = checker.get("/assignments/requests")
    assert request_url in inbox.text
    shown = checker.get(request_url)
    decided = checker.post(
        request_url, data={"csrf_token": csrf_from(shown.text), "decision": "approve"}, follow_redirects=False
    )
    assert decided.status_code == 303

    after = checker.get(f"/customers/{BJ_1}/managers")
    assert 'data-testid="current-am3"' in after.text
    assert "30.00 %" in after.text


def test_a_bad_share_comes_back_at_its_field(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    maker = signed_in(make_client(), "manager")
    page = maker.get(f"/customers/{BJ_1}/managers")
    before = counts(db)

    response = maker.post(
        f"/customers/{BJ_1}/managers",
        data={
            "csrf_token": csrf_from(page.text),
            "primary": "0",
            "manager_0": str(user_id(db, "am1")),
            "share_0": "60",
            "manager_1": str(user_id(db, "am3")),
            "share_1": "abc",
            "reason": "x",
        },
    )

    assert response.status_code == 422
    assert 'data-field-error="managers.1.share_bp"' in response.text
    assert counts(db) == before


def test_bulk_hand_over_from_the_portfolio_page(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    maker = signed_in(make_client(), "manager")
    page = maker.get("/managers/am1/portfolio")
    assert page.status_code == 200
    assert f'data-testid="row-{BJ_3}"' in page.text
    assert SH_1 not in page.text

    filed = maker.post(
        "/managers/am1/portfolio/transfer",
        data={
            "csrf_token": csrf_from(page.text),
            "cif_no": [BJ_1, BJ_2],
            "to_manager_id": str(user_id(db, "am3")),
            "scope": "ticked",
            "reason": "Reorg",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text

    checker = signed_in(make_client(), "manager2")
    url = filed.headers["location"].split("?")[0]
    shown = checker.get(url)
    assert checker.post(url, data={"csrf_token": csrf_from(shown.text), "decision": "approve"}).status_code == 200
    db.expire_all()
    managers = {c.cif_no: c.account_manager_id for c in db.scalars(select(Customer))}
    assert (managers[BJ_1], managers[BJ_2], managers[BJ_3]) == (
        user_id(db, "am3"),
        user_id(db, "am3"),
        user_id(db, "am1"),
    )


def test_own_portfolio_link_and_forbidden_pages(make_client) -> None:  # type: ignore[no-untyped-def]
    am = signed_in(make_client(), "am1")
    assert am.get("/portfolio", follow_redirects=False).headers["location"] == "/managers/am1/portfolio"
    viewer = signed_in(make_client(), "risk")
    page = viewer.get(f"/customers/{BJ_1}/managers")
    assert page.status_code == 200
    assert 'id="managers-form"' not in page.text
    assert viewer.post(f"/customers/{BJ_1}/managers", data={"csrf_token": csrf_from(page.text)}).status_code == 403
