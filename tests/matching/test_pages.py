"""The review pages: queue, side by side, decisions through the forms, both languages (issue 14 point 5)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerSource, MatchReview
from tests.conftest import csrf_from, signed_in
from tests.factories import make_customer
from tests.holdings.helpers import DAY, load, write_file
from tests.matching.helpers import person
from tests.matching.plant import plant_pair
from tests.matching.test_merge import _merge

ZH = {"Accept-Language": "zh-CN"}


def test_ops_proposes_on_the_page_and_the_manager_approves(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a planted pair, ops and the manager in two browsers
    pair = plant_pair(db, "7710010")
    ops, manager = signed_in(make_client(), "ops"), signed_in(make_client(), "manager")
    # when ops opens the queue and the review
    queue = ops.get("/match-reviews")
    assert f'data-review="{pair.review.id}"' in queue.text
    page = ops.get(f"/match-reviews/{pair.review.id}")
    assert 'id="propose-merge"' in page.text
    # and proposes keeping the second customer
    form = {
        "csrf_token": csrf_from(page.text),
        "decision": "merge",
        "survivor": "77100100002",
        "field.emails": "survivor",
        "field.name": "",
    }
    proposed = ops.post(f"/match-reviews/{pair.review.id}", data=form, follow_redirects=False)
    # then the review waits for the manager, who sees approve and reject
    assert proposed.status_code == 303
    assert proposed.headers["location"] == f"/match-reviews/{pair.review.id}?done=1"
    assert 'id="waiting-checker"' in ops.get(f"/match-reviews/{pair.review.id}").text
    page = manager.get(f"/match-reviews/{pair.review.id}")
    assert 'id="approve-merge"' in page.text
    approved = manager.post(
        f"/match-reviews/{pair.review.id}",
        data={"csrf_token": csrf_from(page.text), "decision": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    db.expire_all()
    assert db.get(Customer, pair.survivor.id).status == "MERGED"  # type: ignore[union-attr]
    # and the first customer's page now redirects to the second, with the note
    redirected = manager.get("/customers/77100100001", follow_redirects=False)
    assert redirected.status_code == 303
    assert redirected.headers["location"] == "/customers/77100100002?merged_from=77100100001"
    noted = manager.get(redirected.headers["location"])
    assert 'id="merged-from"' in noted.text
    # and the manager can undo it from the review
    page = manager.get(f"/match-reviews/{pair.review.id}")
    undone = manager.post(
        f"/match-reviews/{pair.review.id}/unmerge", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert undone.status_code == 303
    db.expire_all()
    assert db.get(Customer, pair.survivor.id).status == "ACTIVE"  # type: ignore[union-attr]


def test_the_pages_read_in_chinese(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a planted pair
    pair = plant_pair(db, "7710020")
    ops = signed_in(make_client(), "ops")
    # when ops reads the queue and the review in Chinese
    queue = ops.get("/match-reviews", headers=ZH)
    page = ops.get(f"/match-reviews/{pair.review.id}", headers=ZH)
    # then the labels are Chinese
    assert "疑似重复客户" in queue.text
    assert "匹配概率" in page.text
    assert "非同一客户" in page.text
    assert "名称" in page.text
    assert "性别" in page.text


def test_the_forms_never_offer_merged(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a customer of am1
    make_customer(db, "77100300001")
    am1 = signed_in(make_client(), "am1")
    # when am1 opens the new-customer and the edit forms
    new = am1.get("/customers/new")
    edit = am1.get("/customers/77100300001/edit")
    # then MERGED is no choice in either
    assert 'value="ACTIVE"' in new.text
    assert 'value="MERGED"' not in new.text
    assert 'value="MERGED"' not in edit.text


def test_a_delivered_record_is_linked_from_the_queue(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a delivered record waiting for review against a customer
    customer = make_customer(db, "77100400001")
    record = CustomerSource(
        source="CREDIT",
        source_customer_id="C-77100400001",
        kind="individual",
        values_enc="enc",
        values_hash="h" * 64,
        first_seen=customer.created_at.date(),
        last_seen=customer.created_at.date(),
    )
    db.add(record)
    db.flush()
    review = MatchReview(
        kind="arrival",
        status="open",
        customer_id=customer.id,
        source_record_id=record.id,
        probability=0.8,
        comparisons='{"mobile": "exact"}',
    )
    db.add(review)
    db.flush()
    ops = signed_in(make_client(), "ops")
    # when ops links it on the review page
    page = ops.get(f"/match-reviews/{review.id}")
    assert "CREDIT C-77100400001" in page.text
    assert 'id="propose-merge"' not in page.text
    linked = ops.post(
        f"/match-reviews/{review.id}",
        data={"csrf_token": csrf_from(page.text), "decision": "link"},
        follow_redirects=False,
    )
    # then the record belongs to the customer, as reviewed
    assert linked.status_code == 303
    db.expire_all()
    kept = db.get(CustomerSource, record.id)
    assert kept is not None
    assert (kept.customer_id, kept.match_method, kept.match_probability) == (customer.id, "reviewed", 0.8)
    assert db.get(MatchReview, review.id).status == "linked"  # type: ignore[union-attr]


def test_the_kept_customer_page_undoes_a_merge(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # given a pair merged by ops and approved by the manager (through the API)
    pair = plant_pair(db, "7710050")
    api = make_client()
    _merge(api, pair.review.id, "77100500001")
    manager, am1 = signed_in(make_client(), "manager"), signed_in(make_client(), "am1")
    # when the manager opens the kept customer's Sources tab
    tab = manager.get("/customers/77100500001/tabs/sources")
    # then the merged number is listed with a button to undo it
    assert 'data-merged-cif="77100500002"' in tab.text
    assert 'data-unmerge="77100500002"' in tab.text
    # and in Chinese too
    assert "撤销合并" in manager.get("/customers/77100500001/tabs/sources", headers=ZH).text
    # when an account manager (no match.approve) posts the undo, then it is refused and nothing changes
    page = am1.get("/customers")
    refused = am1.post(
        "/customers/77100500002/unmerge", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert refused.status_code == 403
    # when the manager posts it
    undone = manager.post(
        "/customers/77100500002/unmerge", data={"csrf_token": csrf_from(tab.text)}, follow_redirects=False
    )
    # then the kept customer's page follows, and the merged customer is back under its own number
    assert (undone.status_code, undone.headers["location"]) == (303, "/customers/77100500001?saved=1")
    db.expire_all()
    merged = db.get(Customer, pair.merged.id)
    assert merged is not None and merged.status != "MERGED"
    assert db.get(MatchReview, pair.review.id).status == "unmerged"  # type: ignore[union-attr]
    assert 'data-merged-cif="77100500002"' not in manager.get("/customers/77100500001/tabs/sources").text


def test_a_fed_customers_history_reads_one_creation_row(make_client, db: Session, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given a customer a trusted source created from its feed, and a later change of one field by the same source
    load(db, settings, write_file(tmp_path / "a.csv", "customers", [person("P1", marital_status="20")]), "customers")
    later = [person("P1", marital_status="10")]
    load(db, settings, write_file(tmp_path / "b.csv", "customers", later), "customers", DAY + timedelta(days=1))
    cif_no = db.scalar(select(Customer.cif_no).join(CustomerSource, CustomerSource.customer_id == Customer.id))
    manager = signed_in(make_client(), "manager")
    # when the branch manager reads its history tab in English and in Chinese
    en = _cells(manager.get(f"/customers/{cif_no}", headers={"Accept-Language": "en"}).text, "history")
    zh = _cells(manager.get(f"/customers/{cif_no}", headers={"Accept-Language": "zh-CN"}).text, "history")
    # then the creation is one row naming its count of fields and its source, the later change one row per field
    assert [c for c in en if c in ("Creation", "Marital status")] == ["Marital status", "Creation"]
    assert "Created with 12 fields from source CORE" in en
    assert "创建" in zh and "由来源系统 CORE 创建，含 12 个字段" in zh
    assert "created" not in en + zh


def _cells(html: str, table_id: str) -> list[str]:
    """The text of every cell of one table, tags stripped."""
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]
