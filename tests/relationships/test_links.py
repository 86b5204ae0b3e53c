"""Customer links: each rule's field and message, reverse readings, ending, scope and masked far sides, the page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.relationship import CustomerLink
from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import make_customer

PERSON = "91000000001"  # BJ individual of am1
PERSON_2 = "91000000002"  # BJ individual of am1
COMPANY = "91000000011"  # BJ corporate of am1
COMPANY_2 = "91000000012"  # BJ corporate of am1
SH_PERSON = "91000000021"  # SH individual of am2
UNKNOWN = "91000000099"


def given_customers(db: Session) -> None:
    """Two individuals and two companies in Beijing (am1), one individual in Shanghai (am2)."""
    make_customer(db, PERSON, name="王小明")
    make_customer(db, PERSON_2, name="李四")
    make_customer(db, COMPANY, name="北京星河科技有限公司", kind="corporate")
    make_customer(db, COMPANY_2, name="北京远山贸易有限公司", kind="corporate")
    make_customer(db, SH_PERSON, unit="SH", manager="am2", name="陈静")


def link(client: TestClient, headers: dict[str, str], cif_no: str, **body: Any) -> Any:
    """POST a link from ``cif_no``."""
    return client.post(f"/api/v1/customers/{cif_no}/links", json=body, headers=headers)


def link_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(CustomerLink)) or 0


@pytest.mark.parametrize(
    ("source", "body", "errors"),
    [
        (
            PERSON,
            {"to_cif_no": PERSON, "link_type": "SIBLING"},
            [{"field": "to_cif_no", "message": "A customer cannot be linked to itself."}],
        ),
        (
            PERSON,
            {"to_cif_no": UNKNOWN, "link_type": "SPOUSE"},
            [{"field": "to_cif_no", "message": "No customer has this CIF number."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "SHAREHOLDER_OF", "share_pct": "100.5"},
            [{"field": "share_pct", "message": "Enter a percentage from 0 to 100 with at most two decimals."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "SHAREHOLDER_OF", "share_pct": "12.345"},
            [{"field": "share_pct", "message": "Enter a percentage from 0 to 100 with at most two decimals."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "SHAREHOLDER_OF"},
            [{"field": "share_pct", "message": "Enter the share held, in percent."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "DIRECTOR_OF", "amount": 100_000},
            [{"field": "amount", "message": "An amount is recorded only for a guarantee link."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "GUARANTOR_FOR", "amount": 0},
            [{"field": "amount", "message": "Enter the guaranteed amount; it must be more than zero."}],
        ),
        (
            PERSON,
            {"to_cif_no": PERSON_2, "link_type": "SPOUSE", "share_pct": 10},
            [{"field": "share_pct", "message": "A share is recorded only for a shareholder link."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "SPOUSE"},
            [{"field": "link_type", "message": "A family link joins two individual customers."}],
        ),
        (
            COMPANY,
            {"to_cif_no": PERSON, "link_type": "LEGAL_REP_OF"},
            [{"field": "link_type", "message": "This link type needs a corporate customer on the other side."}],
        ),
        (
            PERSON,
            {"to_cif_no": COMPANY, "link_type": "SUBSIDIARY_OF"},
            [{"field": "link_type", "message": "This link type joins two corporate customers."}],
        ),
        (
            PERSON,
            # link_type is an enum of the link_type code table: refused by the schema, in its words for a choice
            {"to_cif_no": COMPANY, "link_type": "FRIEND_OF"},
            [{"field": "link_type", "message": "Choose one of the listed values."}],
        ),
    ],
)
def test_each_rule_refuses_with_its_field_and_message_and_saves_nothing(
    client: TestClient, db: Session, source: str, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    # Given the customers
    given_customers(db)
    # When am1 posts a link that breaks one rule
    response = link(client, token_for(client, "am1"), source, **body)
    # Then it is a 422 naming exactly that field and message, and no link exists
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == errors
    assert link_count(db) == 0


def test_a_duplicate_active_link_is_refused_in_either_direction_for_symmetric_types(
    client: TestClient, db: Session
) -> None:
    # Given PERSON married to PERSON_2
    given_customers(db)
    headers = token_for(client, "am1")
    assert link(client, headers, PERSON, to_cif_no=PERSON_2, link_type="SPOUSE").status_code == 201
    # When the same marriage is entered from the other side
    again = link(client, headers, PERSON_2, to_cif_no=PERSON, link_type="SPOUSE")
    # Then it is refused on to_cif_no and still only one link exists
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "to_cif_no", "message": "These customers already have an active link of this type."}
    ]
    assert link_count(db) == 1
    # And another type may still join the pair (PERSON_2 is a parent of PERSON)
    assert link(client, headers, PERSON_2, to_cif_no=PERSON, link_type="PARENT_OF").status_code == 201


def test_shares_in_one_company_total_at_most_100_percent_and_the_error_says_what_is_held(
    client: TestClient, db: Session
) -> None:
    # Given PERSON holding 60 % of COMPANY
    given_customers(db)
    headers = token_for(client, "am1")
    first = link(client, headers, PERSON, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct="60")
    assert first.status_code == 201, first.text
    # When COMPANY_2 is entered as holding 45 %
    over = link(client, headers, COMPANY_2, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct=45)
    # Then it is refused, saying 60 % is held and 40 % is left
    assert over.status_code == 422
    assert over.json()["errors"] == [
        {"field": "share_pct", "message": "Shareholders already hold 60% of this company; at most 40% can be added."}
    ]
    assert link_count(db) == 1
    # And exactly 40 % is accepted
    rest = link(client, headers, COMPANY_2, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct="40.00")
    assert rest.status_code == 201
    assert rest.json()["share_pct_bp"] == 4000


def test_the_other_customer_sees_the_reverse_reading(client: TestClient, db: Session, settings: Settings) -> None:
    # Given PERSON holding 60 % of COMPANY, entered by am1
    given_customers(db)
    headers = token_for(client, "am1")
    created = link(client, headers, PERSON, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct=60)
    assert created.status_code == 201
    today = today_in(settings.timezone).isoformat()
    assert created.json() == {
        "id": created.json()["id"],
        "link_type": "SHAREHOLDER_OF",
        "label": "Shareholder of",
        "direction": "outgoing",
        "other_cif_no": COMPANY,
        "other_name": "北京星河科技有限公司",
        "other_kind": "corporate",
        "share_pct_bp": 6000,
        "amount": None,
        "valid_from": today,
        "valid_to": None,
        "active": True,
    }
    # When COMPANY's links are read, in English and in Chinese
    english = client.get(f"/api/v1/customers/{COMPANY}/links", headers=headers)
    chinese = client.get(f"/api/v1/customers/{COMPANY}/links", headers=headers | {"Accept-Language": "zh-CN"})
    # Then the link reads incoming "Has shareholder" with PERSON's name (am1 sees names in full) and 6000 bp
    assert english.status_code == 200
    [item] = english.json()
    assert (item["direction"], item["label"], item["other_cif_no"], item["other_name"]) == (
        "incoming",
        "Has shareholder",
        PERSON,
        "王小明",
    )
    assert (item["share_pct_bp"], item["active"]) == (6000, True)
    assert [i["label"] for i in chinese.json()] == ["股东为"]
    # And the creation is audited with field-level values
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "customer_link.created")).one()
    assert (event.entity_type, event.entity_id, event.actor_username) == ("customer_link", str(item["id"]), "am1")
    assert '"share_pct_bp": [null, 6000]' in (event.changes or "")


def test_ending_a_link_sets_valid_to_frees_the_share_and_cannot_be_done_twice(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given PERSON holding 60 % of COMPANY
    given_customers(db)
    headers = token_for(client, "am1")
    link_id = link(client, headers, PERSON, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct=60).json()["id"]
    # When am1 ends it from COMPANY's side
    ended = client.post(f"/api/v1/customers/{COMPANY}/links/{link_id}/end", headers=headers)
    # Then valid_to is today, it is inactive, and the end is audited
    assert ended.status_code == 200, ended.text
    today = today_in(settings.timezone).isoformat()
    assert (ended.json()["valid_to"], ended.json()["active"], ended.json()["direction"]) == (today, False, "incoming")
    row = db.get(CustomerLink, link_id)
    assert row is not None and row.ended_at is not None and row.valid_to is not None
    audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "customer_link.ended")).one()
    assert audited.entity_id == str(link_id)
    # And 100 % can now be held by someone else
    full = link(client, headers, COMPANY_2, to_cif_no=COMPANY, link_type="SHAREHOLDER_OF", share_pct=100)
    assert full.status_code == 201, full.text
    # And ending it twice is a 409 that changes nothing
    again = client.post(f"/api/v1/customers/{PERSON}/links/{link_id}/end", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "This link has already ended."
    assert db.scalar(select(func.count()).where(AuditEvent.action == "customer_link.ended")) == 1
    # And a link of another customer cannot be ended through this one
    stranger = client.post(f"/api/v1/customers/{PERSON_2}/links/{link_id}/end", headers=headers)
    assert stranger.status_code == 404


def test_reading_links_of_a_customer_out_of_scope_is_404_and_audited(client: TestClient, db: Session) -> None:
    # Given a Beijing customer
    given_customers(db)
    # When am2 (Shanghai) reads or writes its links
    headers = token_for(client, "am2")
    read = client.get(f"/api/v1/customers/{PERSON}/links", headers=headers)
    write = link(client, headers, PERSON, to_cif_no=SH_PERSON, link_type="SPOUSE")
    # Then both answer 404, the attempts are audited, and nothing is saved
    assert (read.status_code, write.status_code) == (404, 404)
    denied = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope", AuditEvent.actor_username == "am2")
    ).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("customer", PERSON), ("customer", PERSON)]
    assert link_count(db) == 0


def test_a_linked_customer_out_of_scope_is_a_masked_node(client: TestClient, db: Session) -> None:
    # Given am1 links a Beijing customer to a Shanghai customer (links cross branches)
    given_customers(db)
    am1 = token_for(client, "am1")
    created = link(client, am1, PERSON, to_cif_no=SH_PERSON, link_type="SIBLING")
    # Then the response does not reveal the Shanghai customer
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["other_cif_no"], body["other_name"], body["other_kind"]) == (None, "—", None)
    # When am1 lists the Beijing customer's links
    listed = client.get(f"/api/v1/customers/{PERSON}/links", headers=am1).json()
    # Then the Shanghai side is a masked node
    assert [(i["label"], i["other_cif_no"], i["other_name"]) for i in listed] == [("Sibling", None, "—")]
    # And am2 sees the same link from Shanghai with the Beijing side masked too
    am2 = client.get(f"/api/v1/customers/{SH_PERSON}/links", headers=token_for(client, "am2")).json()
    assert [(i["direction"], i["label"], i["other_cif_no"], i["other_name"]) for i in am2] == [
        ("incoming", "Sibling", None, "—")
    ]


def test_am1_adds_a_link_on_the_page_and_sees_it_listed(client: TestClient, db: Session) -> None:
    # Given the customers and am1 signed in on PERSON's relationships page
    given_customers(db)
    am1 = signed_in(client, "am1")
    page = am1.get(f"/customers/{PERSON}/links")
    assert page.status_code == 200
    assert 'id="link-form"' in page.text
    form = {"csrf_token": csrf_from(page.text), "link_type": "GUARANTOR_FOR", "to_cif_no": COMPANY, "share_pct": ""}
    # When a guarantee without an amount is posted
    bad = am1.post(f"/customers/{PERSON}/links", data=form | {"amount": ""}, follow_redirects=False)
    # Then the page comes back with the amount's error and nothing is saved
    assert bad.status_code == 422
    assert 'data-field-error="amount">Enter the guaranteed amount; it must be more than zero.</div>' in bad.text
    assert link_count(db) == 0
    # When it is posted with 1,000,000.50 yuan
    good = am1.post(f"/customers/{PERSON}/links", data=form | {"amount": "1,000,000.50"}, follow_redirects=False)
    # Then am1 is sent back to the page, which lists the guarantee (100,000,050 fen)
    assert (good.status_code, good.headers["location"]) == (303, f"/customers/{PERSON}/links?saved=created")
    listed = am1.get(good.headers["location"])
    assert "The link is saved." in listed.text
    assert "Guarantor for" in listed.text and "北京星河科技有限公司" in listed.text
    [row] = db.scalars(select(CustomerLink)).all()
    assert (row.link_type, row.amount, row.share_pct_bp) == ("GUARANTOR_FOR", 100_000_050, None)
    # And the company's page reads it the other way, with an End button that ends it
    company = am1.get(f"/customers/{COMPANY}/links")
    assert "Guaranteed by" in company.text and "王小明" in company.text
    end = am1.post(
        f"/customers/{COMPANY}/links/{row.id}/end",
        data={"csrf_token": csrf_from(company.text)},
        follow_redirects=False,
    )
    assert (end.status_code, end.headers["location"]) == (303, f"/customers/{COMPANY}/links?saved=ended")
    db.refresh(row)
    assert row.valid_to is not None and row.ended_at is not None


def test_a_bad_amount_and_date_on_the_link_form_are_both_named_in_chinese_and_nothing_is_saved(
    client: TestClient, db: Session
) -> None:
    # Given am1 on PERSON's relationships page, reading Chinese
    given_customers(db)
    am1 = signed_in(client, "am1")
    page = am1.get(f"/customers/{PERSON}/links")
    form = {"csrf_token": csrf_from(page.text), "link_type": "GUARANTOR_FOR", "to_cif_no": COMPANY, "share_pct": ""}
    # When a guarantee with three decimals in the amount and an impossible start date is posted
    bad = am1.post(
        f"/customers/{PERSON}/links",
        data=form | {"amount": "1,000.005", "valid_from": "2026-02-30"},
        headers={"Accept-Language": "zh-CN"},
        follow_redirects=False,
    )
    # Then the form comes back with 422, each field's own error, and no link is written
    assert bad.status_code == 422
    assert 'data-field-error="amount">请输入以元为单位的非负金额，最多两位小数。</div>' in bad.text
    assert 'data-field-error="valid_from">请按 YYYY-MM-DD 格式输入日期。</div>' in bad.text
    assert link_count(db) == 0
