"""Manual tags on a customer: the tag's permission, scope (404, audited), history of who applied and removed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.tag import CustomerTag
from tests.conftest import token_for, user_id
from tests.factories import make_customer

MINE, OTHER, SHANGHAI = "88100000001", "88100000002", "88100000003"


def given_customers(db: Session) -> None:
    make_customer(db, MINE, manager="am1")
    make_customer(db, OTHER, manager="manager")
    make_customer(db, SHANGHAI, unit="SH", manager="am2")


def rows(db: Session) -> list[tuple[str, str, str, str | None, bool]]:
    db.expire_all()
    found = db.scalars(select(CustomerTag).order_by(CustomerTag.id)).all()
    cif = {c: n for c, n in zip(*_ids(db), strict=True)}
    return [(cif[r.customer_id], r.tag_code, r.source, r.note, r.removed_at is None) for r in found]


def _ids(db: Session) -> tuple[list[int], list[str]]:
    from bankcrm.models.customer import Customer

    found = db.execute(select(Customer.id, Customer.cif_no)).all()
    return [i for i, _ in found], [n for _, n in found]


def test_a_manager_applies_and_removes_a_manual_tag_and_the_history_keeps_both(client: TestClient, db: Session) -> None:
    # Given a customer of am1
    given_customers(db)
    am1 = token_for(client, "am1")
    # When am1 tags the customer for follow-up with a note
    applied = client.post(
        f"/api/v1/customers/{MINE}/tags", json={"code": "KEY_FOLLOW", "note": "年底理财到期"}, headers=am1
    )
    # Then it is carried, and read back on the customer
    assert applied.status_code == 201, applied.text
    assert (applied.json()["code"], applied.json()["source"], applied.json()["applied_by"]) == (
        "KEY_FOLLOW",
        "manual",
        "李明 Li Ming",
    )
    shown = client.get(f"/api/v1/customers/{MINE}/tags", headers=am1).json()
    assert [(t["code"], t["label"], t["note"]) for t in shown] == [("KEY_FOLLOW", "Key follow-up", "年底理财到期")]
    # When it is applied again: refused, nothing more written
    again = client.post(f"/api/v1/customers/{MINE}/tags", json={"code": "KEY_FOLLOW"}, headers=am1)
    assert again.status_code == 409
    # When am1 removes it
    removed = client.delete(f"/api/v1/customers/{MINE}/tags/KEY_FOLLOW", headers=am1)
    assert removed.status_code == 204
    # Then the customer carries nothing, the row is closed by am1, and both acts are audited
    assert client.get(f"/api/v1/customers/{MINE}/tags", headers=am1).json() == []
    assert rows(db) == [(MINE, "KEY_FOLLOW", "manual", "年底理财到期", False)]
    row = db.scalars(select(CustomerTag)).one()
    assert row.applied_by == row.removed_by == user_id(db, "am1")
    history = client.get(f"/api/v1/customers/{MINE}/tag-history", headers=am1).json()
    assert [(h["code"], h["applied_by"], h["removed_by"]) for h in history] == [
        ("KEY_FOLLOW", "李明 Li Ming", "李明 Li Ming")
    ]
    audited = db.execute(
        select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.changes)
        .where(AuditEvent.action.like("customer.tag_%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert [tuple(a) for a in audited] == [
        ("customer.tag_applied", MINE, '{"tag": [null, "KEY_FOLLOW"]}'),
        ("customer.tag_removed", MINE, '{"tag": ["KEY_FOLLOW", null]}'),
    ]
    # And removing it again says it is not carried
    assert client.delete(f"/api/v1/customers/{MINE}/tags/KEY_FOLLOW", headers=am1).status_code == 404


def test_each_tag_needs_its_own_permission_and_only_manual_tags_are_applied_by_hand(
    client: TestClient, db: Session
) -> None:
    given_customers(db)
    am1, manager = token_for(client, "am1"), token_for(client, "manager")
    # A sensitive tag: an account manager is refused (audited), a branch manager may
    refused = client.post(f"/api/v1/customers/{MINE}/tags", json={"code": "COMPLAINT_RISK"}, headers=am1)
    assert refused.status_code == 403
    denied = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "authz.denied")).all()
    assert f"tag {MINE} COMPLAINT_RISK needs tag.apply.sensitive" in denied
    assert (
        client.post(f"/api/v1/customers/{MINE}/tags", json={"code": "COMPLAINT_RISK"}, headers=manager).status_code
        == 201
    )
    assert client.delete(f"/api/v1/customers/{MINE}/tags/COMPLAINT_RISK", headers=am1).status_code == 403
    # A rule tag, an imported one and an unknown code are refused on the code
    for code, message in (
        ("HNW", "This tag is set by a rule or a file, not by hand."),
        ("STAFF", "This tag is set by a rule or a file, not by hand."),
        ("NOPE", "No tag has this code."),
    ):
        bad = client.post(f"/api/v1/customers/{MINE}/tags", json={"code": code}, headers=manager)
        assert bad.status_code == 422
        assert bad.json()["errors"] == [{"field": "code", "message": message}]
    # An expiry date must lie ahead
    past = client.post(
        f"/api/v1/customers/{MINE}/tags", json={"code": "KEY_FOLLOW", "expires_on": "2020-01-01"}, headers=am1
    )
    assert past.json()["errors"] == [{"field": "expires_on", "message": "The expiry date must be after today."}]
    assert rows(db) == [(MINE, "COMPLAINT_RISK", "manual", None, True)]


def test_a_customer_outside_scope_is_404_and_audited_and_nothing_is_written(client: TestClient, db: Session) -> None:
    given_customers(db)
    am2 = token_for(client, "am2")
    for response in (
        client.get(f"/api/v1/customers/{MINE}/tags", headers=am2),
        client.post(f"/api/v1/customers/{MINE}/tags", json={"code": "KEY_FOLLOW"}, headers=am2),
        client.delete(f"/api/v1/customers/{MINE}/tags/KEY_FOLLOW", headers=am2),
    ):
        assert response.status_code == 404
    audited = db.scalars(
        select(AuditEvent.entity_id).where(
            AuditEvent.action == "authz.out_of_scope", AuditEvent.actor_username == "am2"
        )
    ).all()
    assert audited == [MINE, MINE, MINE]
    assert rows(db) == []


def test_the_catalogue_counts_carriers_in_scope_and_the_list_filters_by_tag(client: TestClient, db: Session) -> None:
    # Given three customers tagged by the branch manager (am1 manages one of them, am2 the Shanghai one)
    given_customers(db)
    manager, am1 = token_for(client, "manager"), token_for(client, "am1")
    for cif in (MINE, OTHER):
        client.post(f"/api/v1/customers/{cif}/tags", json={"code": "KEY_FOLLOW"}, headers=manager)
    client.post(f"/api/v1/customers/{MINE}/tags", json={"code": "WEALTH_PROSPECT"}, headers=manager)
    am2 = token_for(client, "am2")
    assert (
        client.post(f"/api/v1/customers/{SHANGHAI}/tags", json={"code": "KEY_FOLLOW"}, headers=am2).status_code == 201
    )

    # When each reads the catalogue
    def counts(headers: dict[str, str]) -> dict[str, int]:
        return {t["code"]: t["customers"] for t in client.get("/api/v1/tags", headers=headers).json() if t["customers"]}

    catalogue = client.get("/api/v1/tags", headers=am1).json()
    # Then it lists the shipped tags in order, and counts only the customers each may see
    assert [t["code"] for t in catalogue] == [
        "SALARY",
        "HNW",
        "DORMANT_180",
        "MATURING_30",
        "SENIOR",
        "KEY_FOLLOW",
        "WEALTH_PROSPECT",
        "COMPLAINT_RISK",
        "STAFF",
        "PAYROLL_UNIT",
    ]
    assert catalogue[1]["rule"] == {"all": [{"field": "aum", "op": ">=", "value": 100000000}]}
    assert counts(am1) == {"KEY_FOLLOW": 1, "WEALTH_PROSPECT": 1}
    assert counts(manager) == {"KEY_FOLLOW": 2, "WEALTH_PROSPECT": 1}
    assert counts(am2) == {"KEY_FOLLOW": 1}

    # And the customer list filters by one tag or several (carrying all), showing each customer's tags
    def listed(query: str) -> list[tuple[str, list[str]]]:
        page = client.get(f"/api/v1/customers?{query}", headers=manager).json()
        return [(c["cif_no"], c["tags"]) for c in page["items"]]

    assert listed("tag=KEY_FOLLOW") == [(MINE, ["KEY_FOLLOW", "WEALTH_PROSPECT"]), (OTHER, ["KEY_FOLLOW"])]
    assert listed("tag=KEY_FOLLOW&tag=WEALTH_PROSPECT") == [(MINE, ["KEY_FOLLOW", "WEALTH_PROSPECT"])]
    assert listed("tag=KEY_FOLLOW&kind=corporate") == []
    assert listed("tag=SENIOR") == []
    assert client.get("/api/v1/customers?tag=bad;code", headers=manager).status_code == 422
