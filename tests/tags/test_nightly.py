"""Rule tags recomputed nightly: carriers become exactly the rule's matches, with applied and removed dates."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.holding import CustomerFigure
from bankcrm.models.tag import CustomerTag, Tag
from bankcrm.tags import jobs
from bankcrm.tags.service import rules
from tests.conftest import token_for
from tests.tags.helpers import TODAY, customer


def carried(db: Session, code: str) -> list[tuple[str, bool]]:
    """(CIF number, still carried) of every row of the tag, in the order written."""
    db.expire_all()
    stmt = (
        select(Customer.cif_no, CustomerTag.removed_at)
        .join(Customer, Customer.id == CustomerTag.customer_id)
        .where(CustomerTag.tag_code == code)
        .order_by(CustomerTag.id)
    )
    return [(cif, removed is None) for cif, removed in db.execute(stmt)]


def set_aum(db: Session, c: Customer, aum: int) -> None:
    db.execute(update(CustomerFigure).where(CustomerFigure.customer_id == c.id).values(aum=aum))


def test_a_rule_tag_follows_its_rule_and_keeps_when_each_customer_entered_and_left(db: Session) -> None:
    # Given a customer with ¥1,000,000 under management and one with one fen less
    rich = customer(db, "88200000001", aum=100_000_000, last_txn=TODAY)
    poor = customer(db, "88200000002", aum=99_999_999, last_txn=TODAY)
    # When the rule tags are computed
    first = rules.recompute(db, today=TODAY, codes={"HNW"})
    # Then only the first is high net worth
    assert (first.applied, first.removed, first.carriers) == (1, 0, 1)
    assert carried(db, "HNW") == [(rich.cif_no, True)]
    applied_at = db.scalars(select(CustomerTag.applied_at)).one()
    # When they run again unchanged: nothing changes, the entry date stands
    again = rules.recompute(db, today=TODAY, codes={"HNW"})
    assert (again.applied, again.removed, again.carriers) == (0, 0, 1)
    assert db.scalars(select(CustomerTag.applied_at)).one() == applied_at
    # When the figures move the other way
    set_aum(db, rich, 0)
    set_aum(db, poor, 100_000_000)
    moved = rules.recompute(db, today=TODAY, codes={"HNW"})
    # Then the first leaves (its row closed by the batch) and the second enters
    assert (moved.applied, moved.removed, moved.carriers) == (1, 1, 1)
    assert carried(db, "HNW") == [(rich.cif_no, False), (poor.cif_no, True)]
    left = db.scalars(select(CustomerTag).where(CustomerTag.customer_id == rich.id)).one()
    assert left.removed_by is None and left.removed_at is not None and left.source == "rule"
    # When the bank stops using the tag, its carriers leave
    db.execute(update(Tag).where(Tag.code == "HNW").values(active=False))
    stopped = rules.recompute(db, today=TODAY, codes={"HNW"})
    assert (stopped.applied, stopped.removed, stopped.carriers) == (0, 1, 0)
    assert carried(db, "HNW") == [(rich.cif_no, False), (poor.cif_no, False)]


def test_the_nightly_step_runs_every_rule_tag_and_closes_expired_manual_tags(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given a senior, dormant customer (no transaction on file, one product) and a manual tag that expires today
    today = today_in(settings.timezone)
    old = customer(db, "88200000003", aum=0, products=1, born=date(today.year - 70, 1, 1))
    db.add(
        CustomerTag(customer_id=old.id, tag_code="KEY_FOLLOW", source="manual", expires_on=today + timedelta(days=1))
    )
    db.add(CustomerTag(customer_id=old.id, tag_code="WEALTH_PROSPECT", source="manual", expires_on=today))
    db.flush()
    # When the nightly step runs
    result = jobs.tags_job(db, settings)
    # Then the rule tags are applied, the expired manual tag closed, the unexpired one kept, and the run audited
    assert result.rows == 2
    assert result.detail == "5 rule tags: 2 applied, 0 removed, 2 carried; 1 expired"
    assert carried(db, "SENIOR") == [(old.cif_no, True)]
    assert carried(db, "DORMANT_180") == [(old.cif_no, True)]
    assert carried(db, "WEALTH_PROSPECT") == [(old.cif_no, False)]
    assert carried(db, "KEY_FOLLOW") == [(old.cif_no, True)]
    assert db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "tag.recomputed")).all() == [result.detail]
    # And the 360° data shows them to the account manager
    shown = client.get(f"/api/v1/customers/{old.cif_no}/tags", headers=token_for(client, "am1")).json()
    assert [(t["code"], t["source"]) for t in shown] == [
        ("KEY_FOLLOW", "manual"),
        ("DORMANT_180", "rule"),
        ("SENIOR", "rule"),
    ]


def test_an_administrator_adds_a_rule_tag_and_a_malicious_rule_is_refused_naming_the_part(
    client: TestClient, db: Session
) -> None:
    admin = token_for(client, "admin")
    body = {
        "code": "YOUNG_RICH",
        "label_en": "Young and rich",
        "label_zh": "年轻高净值",
        "kind": "rule",
        "colour": "pink",
    }
    # When rules with SQL in a value, an unknown field and a wrong type are posted
    for rule, field, message in (
        (
            {"all": [{"field": "kind", "op": "=", "value": "x'; DROP TABLE tag; --"}]},
            "all[0].value",
            "Expected a code of letters, digits and underscores (at most 20).",
        ),
        ({"all": [{"field": "salary", "op": ">=", "value": 1}]}, "all[0].field", "Unknown field salary."),
        (
            {"any": [{"field": "age", "op": "<=", "value": "35"}]},
            "any[0].value",
            "Expected a whole number from 0 to 1000000000000000.",
        ),
    ):
        refused = client.post("/api/v1/tags", json=body | {"rule": rule}, headers=admin)
        # Then each is a 422 naming the part, and no tag is added
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{"field": field, "message": message}]
    assert db.get(Tag, "YOUNG_RICH") is None
    # When a valid one is posted, it is added and the nightly run computes it
    rule = {"all": [{"field": "age", "op": "<=", "value": 35}, {"field": "aum", "op": ">=", "value": 50_000_000}]}
    created = client.post("/api/v1/tags", json=body | {"rule": rule}, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["rule"], created.json()["customers"]) == (rule, 0)
    young = customer(db, "88200000004", aum=60_000_000, born=date(TODAY.year - 30, 1, 1))
    assert rules.recompute(db, today=TODAY, codes={"YOUNG_RICH"}).carriers == 1
    assert carried(db, "YOUNG_RICH") == [(young.cif_no, True)]
    # And a second tag with the code, or one added without tag.admin, is refused
    assert client.post("/api/v1/tags", json=body | {"rule": rule}, headers=admin).status_code == 409
    assert (
        client.post("/api/v1/tags", json=body | {"code": "OTHER"}, headers=token_for(client, "am1")).status_code == 403
    )
