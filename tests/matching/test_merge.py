"""Merging duplicate customers under maker-checker, and undoing a merge exactly (issue 14 point 5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.customers import repository as customers_repository
from bankcrm.matching.repository.rows import KEPT, MOVED, customer_columns
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerAlias, CustomerMerge, MatchDistinct, MatchReview
from tests.conftest import token_for
from tests.factories import make_customer
from tests.matching.plant import customer_rows, plant_pair, review_of

UNTRACKED = {"customer_figure_dirty", "customer_merge", "customer_quality"}


def _state(db: Session, ids: set[int], review_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row naming the customers, but the figures queue, the merge records and the deciding review's own row."""
    rows = {t: r for t, r in customer_rows(db, ids).items() if t not in UNTRACKED}
    rows["match_review"] = [r for r in rows["match_review"] if r["id"] != review_id]
    return rows


def _decide(client: TestClient, review_id: int, user: str, **body: Any) -> Any:
    return client.post(f"/api/v1/match-reviews/{review_id}/decision", json=body, headers=token_for(client, user))


def _merge(client: TestClient, review_id: int, survivor: str, fields: dict[str, str] | None = None) -> None:
    proposed = _decide(client, review_id, "ops", decision="merge", survivor=survivor, fields=fields or {})
    assert proposed.status_code == 200, proposed.text
    approved = _decide(client, review_id, "manager", decision="approve")
    assert approved.status_code == 200, approved.text


def test_every_customer_column_of_the_schema_either_moves_or_stays() -> None:
    # given the schema's columns that name a customer
    found = {(t, c) for t, cols in customer_columns().items() for c in cols if t != "customer"}
    # then the merge decided each: moved to the survivor or kept with the merged customer, never both
    moved = {(t, c) for t, cols in MOVED.items() for c in cols}
    kept = {(t, c) for t, cols in KEPT.items() for c in cols}
    assert moved & kept == set()
    assert found == moved | kept


def test_the_queue_lists_pairs_in_scope_most_probable_first(client: TestClient, db: Session) -> None:
    # given two reviews in Beijing and one of a Beijing and a Shanghai customer
    pair = plant_pair(db, "7700010")
    lower = review_of(db, pair.survivor, pair.third, probability=0.65)
    shanghai = make_customer(db, "77000109999", unit="SH", manager="am2")
    across = review_of(db, pair.survivor, shanghai, probability=0.99)
    # when ops (Beijing) lists the open reviews
    page = client.get("/api/v1/match-reviews?status=open", headers=token_for(client, "ops")).json()
    # then only the two pairs inside Beijing, the more probable first
    assert [r["id"] for r in page["items"]] == [pair.review.id, lower.id]
    assert page["total"] == 2
    assert page["items"][0]["customer"]["cif_no"] == "77000100001"
    assert page["items"][0]["other"]["cif_no"] == "77000100002"
    # and the pair across the scope's edge is a 404, audited
    response = client.get(f"/api/v1/match-reviews/{across.id}", headers=token_for(client, "ops"))
    assert response.status_code == 404
    audited = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "authz.out_of_scope", AuditEvent.entity_type == "match_review")
        .where(AuditEvent.entity_id == str(across.id))
    )
    assert audited == 1
    decided = _decide(client, across.id, "ops", decision="distinct")
    assert decided.status_code == 404


def test_the_side_by_side_view_masks_and_labels(client: TestClient, db: Session) -> None:
    # given a planted pair
    pair = plant_pair(db, "7700020")
    # when a risk manager without name rights... is not in the queue (no match.read); ops reads it
    detail = client.get(f"/api/v1/match-reviews/{pair.review.id}", headers=token_for(client, "ops")).json()
    fields = {f["field"]: f for f in detail["fields"]}
    # then every field has its label, both values and the scorer's comparison
    assert fields["name"] == {
        "field": "name",
        "label": "Name",
        "value": "张伟",
        "other_value": "张伟",
        "level": "exact",
        "weight": 4.2,
    }
    assert fields["gender"]["value"] == "Male"
    assert fields["emails"]["value"] == "s@example.com"
    assert fields["emails"]["other_value"] == "m@example.com"
    assert detail["probability"] == 0.87
    assert detail["moves"] == ["distinct", "linked", "merge_pending"]


def test_not_the_same_customer_is_remembered(client: TestClient, db: Session) -> None:
    # given a planted pair
    pair = plant_pair(db, "7700030")
    # when ops decides they are different customers
    response = _decide(client, pair.review.id, "ops", decision="distinct", reason="different people")
    # then the review is closed and the pair remembered (smaller id first)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "distinct"
    low, high = sorted((pair.survivor.id, pair.merged.id))
    assert db.get(MatchDistinct, (low, high)) is not None
    # and deciding it again is refused
    assert _decide(client, pair.review.id, "ops", decision="merge", survivor="77000300001").status_code == 409


def test_a_merge_needs_a_second_person(client: TestClient, db: Session) -> None:
    # given a pair proposed for merging by ops
    pair = plant_pair(db, "7700040")
    proposed = _decide(client, pair.review.id, "ops", decision="merge", survivor="77000400001")
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["status"] == "merge_pending"
    # then nothing moved yet, and ops cannot approve their own proposal
    assert db.get(Customer, pair.merged.id).status == "ACTIVE"  # type: ignore[union-attr]
    own = _decide(client, pair.review.id, "ops", decision="approve")
    assert own.status_code == 403
    # and a survivor outside the pair is refused
    # when the manager rejects it, it is open again
    rejected = _decide(client, pair.review.id, "manager", decision="reject", reason="check the IDs")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "open"
    wrong = _decide(client, pair.review.id, "ops", decision="merge", survivor="77000400003")
    assert wrong.status_code == 422


def test_a_merge_moves_every_owned_row_and_the_old_number_finds_the_survivor(client: TestClient, db: Session) -> None:
    # given a planted pair with rows in every table
    pair = plant_pair(db, "7700050")
    s, m = pair.survivor.id, pair.merged.id
    # when ops proposes keeping the first with the second's e-mail, and the manager approves
    _merge(client, pair.review.id, "77000500001", {"emails": "other"})
    db.expire_all()
    # then every moved column names the survivor, nowhere the merged customer
    for table, columns in MOVED.items():
        t = customer_columns()[table]
        rows = customer_rows(db, {m})[table]
        left = [r for r in rows if any(r[c] == m for c in columns)]
        if table == "match_review":  # the review that merged them keeps naming the pair
            left = [r for r in left if r["id"] != pair.review.id]
        if table == "customer_field_change":  # but the merge's own entry: the status it set
            left = [(r["field"], r["old_value"], r["new_value"]) for r in left]
            assert left == [("status", "ACTIVE", "MERGED")]
            continue
        assert left == [], (table, t, left)
    rows = customer_rows(db, {s})
    assert len([r for r in rows["account"] if r["customer_id"] == s]) == 2
    assert len([r for r in rows["loan_contract"] if r["customer_id"] == s]) == 2
    assert len([r for r in rows["task"] if r["customer_id"] == s]) == 2
    assert len([r for r in rows["customer_source"] if r["customer_id"] == s]) == 2
    assert {r["match_method"] for r in rows["customer_source"]} == {"identity", "merged"}
    # the link between the pair is gone, the merged one's link to the third is the survivor's
    links = sorted((r["from_customer_id"], r["to_customer_id"], r["link_type"]) for r in rows["customer_link"])
    assert links == sorted([(s, pair.third.id, "SPOUSE"), (pair.third.id, s, "GUARANTOR_FOR")])
    # the merged one's account parties are the survivor's; of the pair's two joint holdings of the third's
    # account one remains, the survivor's (on the account it now owns, its joint row stays as delivered)
    both = customer_rows(db, {s, m, pair.third.id})
    parties = sorted((r["account_id"], r["customer_id"], r["role"]) for r in both["account_party"])
    account_of = {r["account_no_index"]: r["id"] for r in both["account"]}
    first, second, third = (account_of[f"7700050-acc-{n}"] for n in ("0", "1", "t"))
    assert parties == sorted(
        [
            (first, s, "JOINT"),
            (first, pair.third.id, "AUTHORISED"),
            (second, s, "JOINT"),
            (second, pair.third.id, "JOINT"),
            (third, s, "JOINT"),
        ]
    )
    # one membership per circle and household; the merged customer's household is headed by the survivor
    assert [r["customer_id"] for r in rows["guarantee_circle_member"]] == [s]
    assert [r["customer_id"] for r in rows["household_member"]] == [s]
    assert len(rows["household"]) == 2
    # the survivor carries the merged customer's tags; a tag both carried shows once
    assert sorted((r["tag_code"], r["customer_id"]) for r in rows["customer_tag"]) == [
        ("HNW", s),
        ("HNW", s),
        ("KEY_FOLLOW", s),
    ]
    shown = client.get("/api/v1/customers/77000500001/tags", headers=token_for(client, "ops")).json()
    assert [t["code"] for t in shown] == ["HNW", "KEY_FOLLOW"]
    # the merged customer's open assignment ended (the survivor's stands)
    open_shares = [r for r in rows["manager_assignment"] if r["valid_to"] is None]
    assert len(open_shares) == 1
    # the merged customer is MERGED, its number an alias of the survivor, its e-mail adopted
    merged = db.get(Customer, m)
    assert merged is not None and merged.status == "MERGED"
    assert db.get(CustomerAlias, "77000500002").customer_id == s  # type: ignore[union-attr]
    emails = [r["value"] for r in customer_rows(db, {s})["customer_contact"] if r["customer_id"] == s]
    assert emails == ["m@example.com"]
    # and the old number finds the survivor, which the customer list no longer doubles
    found = client.get("/api/v1/customers/77000500002", headers=token_for(client, "ops")).json()
    assert found["cif_no"] == "77000500001"
    listed = client.get("/api/v1/customers?q=7700050", headers=token_for(client, "ops")).json()
    assert "77000500002" not in [c["cif_no"] for c in listed["items"]]
    # and a new customer's duplicate check names the survivor, never the merged customer
    twins = customers_repository.possible_duplicates(db, "张伟", date(1985, 6, 15), [])
    assert [c.cif_no for c in twins if c.cif_no.startswith("7700050")] == ["77000500001"]


def test_unmerge_restores_every_row_exactly(client: TestClient, db: Session) -> None:
    # given a planted pair and a full dump of every row naming any of the three customers
    pair = plant_pair(db, "7700060")
    ids = {pair.survivor.id, pair.merged.id, pair.third.id}
    before = _state(db, ids, pair.review.id)
    assert sum(len(rows) for rows in before.values()) == 51
    assert len(before["account_party"]) == 6
    # when they are merged (with field choices) and the merge undone by the old number
    _merge(client, pair.review.id, "77000600001", {"emails": "other", "name": "other"})
    undone = client.post("/api/v1/customers/77000600002/unmerge", headers=token_for(client, "manager"))
    # then every row is as it was
    assert undone.status_code == 200, undone.text
    assert undone.json()["survivor"] == "77000600001"
    assert undone.json()["restored"] == "77000600002"
    db.expire_all()
    after = _state(db, ids, pair.review.id)
    changed = {t for t in before if before[t] != after[t]}
    assert changed == set()
    assert before == after
    # the alias is gone, the merge record and the review say so
    assert db.get(CustomerAlias, "77000600002") is None
    merge = db.scalar(select(CustomerMerge).where(CustomerMerge.merged_cif_no == "77000600002"))
    assert merge is not None and merge.status == "unmerged"
    assert db.get(MatchReview, pair.review.id).status == "unmerged"  # type: ignore[union-attr]
    # and the old number is its own customer again
    found = client.get("/api/v1/customers/77000600002", headers=token_for(client, "ops")).json()
    assert found["cif_no"] == "77000600002"
    assert found["status"] == "ACTIVE"


def test_unmerge_is_refused_while_a_later_merge_involves_them(client: TestClient, db: Session) -> None:
    # given a merge of the pair, then the survivor merged with the third customer
    pair = plant_pair(db, "7700070")
    _merge(client, pair.review.id, "77000700001")
    later = review_of(db, pair.survivor, pair.third)
    db.flush()
    _merge(client, later.id, "77000700001")
    # when the first merge is undone
    refused = client.post("/api/v1/customers/77000700002/unmerge", headers=token_for(client, "manager"))
    # then it is refused until the later one is undone
    assert refused.status_code == 409
    assert "later merge" in refused.json()["detail"]
    assert client.post("/api/v1/customers/77000700003/unmerge", headers=token_for(client, "manager")).status_code == 200
    assert client.post("/api/v1/customers/77000700002/unmerge", headers=token_for(client, "manager")).status_code == 200


def test_merged_is_no_status_a_caller_may_set(client: TestClient, db: Session) -> None:
    # given a customer
    make_customer(db, "77000800001")
    # when someone sets it MERGED through the API
    response = client.patch(
        "/api/v1/customers/77000800001", json={"status": "MERGED"}, headers=token_for(client, "am1")
    )
    # then it is refused as no choice
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "status", "message": "Choose one of the listed values."}]
