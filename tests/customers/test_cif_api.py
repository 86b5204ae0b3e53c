"""The CIF through the API: maker-checker, validation, duplicates, masking, scope, search, history, unmask."""

from __future__ import annotations

from sqlalchemy import select

from bankcrm.models.assignment import ManagerAssignment
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from tests.conftest import signed_in, token_for, user_id
from tests.factories import approved, corporate, individual, resident_id, uscc


def test_a_new_customer_exists_only_after_a_checker_approves(client, db):
    # given am1 submits a new individual customer
    am1 = token_for(client, "am1")
    submitted = client.post("/api/v1/customers/individual", json=individual(db), headers=am1)
    assert submitted.status_code == 202
    body = submitted.json()
    assert (body["status"], body["kind"], body["maker"], body["cif_no"]) == ("submitted", "create", "am1", None)
    assert body["changes"]["name"] == [None, "张*"]
    assert body["changes"]["id_no"] == [None, "110" + "*" * 11 + resident_id()[-4:]]
    # then nothing pending shows as a customer
    assert client.get("/api/v1/customers", params={"q": "张三"}, headers=am1).json()["total"] == 0
    # when the branch manager approves
    decided = client.post(
        f"/api/v1/change-requests/{body['id']}/decision", json={"approve": True}, headers=token_for(client, "manager")
    )
    # then the customer exists with an 11-digit CIF number, managed by the maker
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    cif_no = decided.json()["cif_no"]
    assert len(cif_no) == 11
    shown = client.get(f"/api/v1/customers/{cif_no}", headers=am1).json()
    assert (shown["name"], shown["status"], shown["account_manager"]) == ("张三", "ACTIVE", "李明 Li Ming")
    assert shown["id_no"] == resident_id()[:3] + "*" * 11 + resident_id()[-4:]
    assert [c["value"] for c in shown["contacts"] if c["channel"] == "phone"] == ["138****5678"]


def test_nobody_approves_their_own_request(client, db):
    # given ops (who may both enter and approve) submits a customer
    ops = token_for(client, "ops")
    request_id = client.post("/api/v1/customers/individual", json=individual(db), headers=ops).json()["id"]
    # when ops tries to approve it
    response = client.post(f"/api/v1/change-requests/{request_id}/decision", json={"approve": True}, headers=ops)
    # then it is refused and the request stays submitted
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot approve or reject your own request."
    assert client.get(f"/api/v1/change-requests/{request_id}", headers=ops).json()["status"] == "submitted"


def test_only_a_checker_covering_the_customers_unit_may_decide(client, db):
    # given am1 files a request for a Beijing customer
    am1 = token_for(client, "am1")
    request_id = client.post("/api/v1/customers/individual", json=individual(db), headers=am1).json()["id"]
    decision = f"/api/v1/change-requests/{request_id}/decision"
    # then am1 sees it but may not decide it (no customer.approve)
    assert client.post(decision, json={"approve": True}, headers=am1).status_code == 403
    # and am2 in Shanghai neither sees nor decides it
    am2 = token_for(client, "am2")
    assert client.get(f"/api/v1/change-requests/{request_id}", headers=am2).status_code == 404
    assert client.post(decision, json={"approve": True}, headers=am2).status_code == 404
    assert client.get(f"/api/v1/change-requests/{request_id}", headers=am1).json()["status"] == "submitted"


def test_a_rejection_needs_a_reason_and_creates_nothing(client, db):
    request_id = client.post(
        "/api/v1/customers/individual", json=individual(db), headers=token_for(client, "am1")
    ).json()["id"]
    manager = token_for(client, "manager")
    no_reason = client.post(f"/api/v1/change-requests/{request_id}/decision", json={"approve": False}, headers=manager)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == [{"field": "reason", "message": "Give a reason for the rejection."}]
    rejected = client.post(
        f"/api/v1/change-requests/{request_id}/decision",
        json={"approve": False, "reason": "ID copy unreadable"},
        headers=manager,
    )
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "ID copy unreadable")
    assert db.scalar(select(Customer).where(Customer.name == "张三")) is None


def test_invalid_identifiers_are_refused_field_by_field(client, db):
    # given an ID number with a wrong check digit, a landline as mobile and a birth date in the future
    bad_id = resident_id()[:17] + ("0" if resident_id()[17] != "0" else "1")
    data = individual(
        db, id_no=bad_id, phones=[{"number": "010 6512 3456", "purpose": "mobile"}], birth_date="2999-01-01"
    )
    response = client.post("/api/v1/customers/individual", json=data, headers=token_for(client, "am1"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "phones.0.number", "message": "This is not a mobile phone number."},
        {"field": "birth_date", "message": "The date of birth cannot be in the future."},
        {"field": "id_no", "message": "The check digit of this ID number is wrong."},
    ]


def test_the_id_number_must_agree_with_birth_date_and_gender(client, db):
    data = individual(db, birth_date="1990-03-08", gender="F")
    response = client.post("/api/v1/customers/individual", json=data, headers=token_for(client, "am1"))
    assert response.json()["errors"] == [
        {"field": "id_no", "message": "The birth date in the ID number (1990-03-07) does not match the date of birth."},
        {"field": "id_no", "message": "The gender digit in the ID number does not match the gender."},
    ]


def test_a_wrong_uscc_check_character_is_refused(client, db):
    code = uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        "/api/v1/customers/corporate", json=corporate(db, uscc=wrong), headers=token_for(client, "am1")
    )
    assert response.json()["errors"] == [
        {"field": "uscc", "message": "The check character of this unified social credit code is wrong."}
    ]


def test_the_same_id_document_is_refused_naming_the_customer_only_inside_scope(client, db):
    # given an approved customer in Beijing
    cif_no = approved(client, db, individual(db))
    # when am1 (who sees it) enters the same ID number again
    again = client.post("/api/v1/customers/individual", json=individual(db), headers=token_for(client, "am1"))
    # then the existing customer is named
    assert again.status_code == 409
    assert again.json()["detail"] == f"A customer with this number already exists: {cif_no}."
    # when am2 in Shanghai enters the same number
    elsewhere = client.post(
        "/api/v1/customers/individual", json=individual(db, home="SH"), headers=token_for(client, "am2")
    )
    # then it is refused without leaking which customer it is
    assert elsewhere.status_code == 409
    assert elsewhere.json()["detail"] == "A customer with this number already exists in another part of the bank."
    assert cif_no not in elsewhere.text


def test_a_pending_create_for_the_same_number_is_refused(client, db):
    am1 = token_for(client, "am1")
    assert client.post("/api/v1/customers/individual", json=individual(db), headers=am1).status_code == 202
    second = client.post("/api/v1/customers/individual", json=individual(db), headers=am1)
    assert second.status_code == 409
    assert second.json()["detail"] == "A request to create a customer with this number is already waiting for approval."


def test_possible_duplicates_must_be_acknowledged(client, db):
    # given 张三 born 1990-03-07 is on file
    cif_no = approved(client, db, individual(db))
    # when another 张三 with the same birth date but another ID number is entered
    other = individual(db, id_no=resident_id(seq="135"), phones=[])
    am1 = token_for(client, "am1")
    first = client.post("/api/v1/customers/individual", json=other, headers=am1)
    # then the possible duplicate is listed (by name in full: the account manager may see names) and nothing is filed
    assert first.status_code == 409
    assert first.json()["errors"][0]["field"] == "acknowledge_duplicates"
    assert f"{cif_no} 张三 (and 0 outside your view)" in first.json()["detail"]
    # when the maker confirms it is another person
    confirmed = client.post("/api/v1/customers/individual", json=other | {"acknowledge_duplicates": True}, headers=am1)
    assert confirmed.status_code == 202


def test_search_finds_by_cif_id_mobile_name_pinyin_and_initials_inside_scope(client, db):
    cif_no = approved(client, db, individual(db))
    am1, am2 = token_for(client, "am1"), token_for(client, "am2")
    for q in (cif_no, resident_id(), "13812345678", "+86 138 1234 5678", "张", "zhangsan", "ZhangSan", "zs"):
        found = client.get("/api/v1/customers", params={"q": q}, headers=am1).json()
        assert [c["cif_no"] for c in found["items"]] == [cif_no], q
        # and never outside the data scope
        assert client.get("/api/v1/customers", params={"q": q}, headers=am2).json()["total"] == 0, q


def test_corporate_search_by_uscc_and_company_name(client, db):
    cif_no = approved(client, db, corporate(db))
    am1 = token_for(client, "am1")
    for q in (uscc(), uscc().lower(), "星河"):
        assert [c["cif_no"] for c in client.get("/api/v1/customers", params={"q": q}, headers=am1).json()["items"]] == [
            cif_no
        ]
    shown = client.get(f"/api/v1/customers/{cif_no}", headers=am1).json()
    assert (shown["name"], shown["profile"]["legal_rep_name"], shown["profile"]["industry_section"]) == (
        "北京星河科技有限公司",
        "王*",
        "I",
    )
    assert shown["contact_persons"] == [
        {"id": shown["contact_persons"][0]["id"], "role": "FINANCE", "name": "赵*", "phone": "139****5678"}
    ]


def test_out_of_scope_customer_is_404_and_audited(client, db):
    cif_no = approved(client, db, individual(db))
    response = client.get(f"/api/v1/customers/{cif_no}", headers=token_for(client, "am2"))
    assert response.status_code == 404
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()[-1]
    assert (event.actor_username, event.entity_type, event.entity_id) == ("am2", "customer", cif_no)


def test_identity_fields_go_to_approval_and_others_change_at_once(client, db):
    cif_no = approved(client, db, individual(db))
    am1 = token_for(client, "am1")
    # when am1 changes the name and the employer in one edit
    response = client.patch(
        f"/api/v1/customers/{cif_no}", json={"name": "张三丰", "employer": "上海某银行"}, headers=am1
    )
    # then the employer changed now and the name waits for approval
    body = response.json()
    assert (body["changed"], body["change_request"]["fields"]) == (["employer"], ["name"])
    assert (body["customer"]["name"], body["customer"]["profile"]["employer"]) == ("张三", "上海某银行")
    assert body["customer"]["pending_fields"] == ["name"]
    # and a second change to the same field is refused while the first is pending
    again = client.patch(f"/api/v1/customers/{cif_no}", json={"name": "张四"}, headers=am1)
    assert again.status_code == 409
    assert again.json()["detail"] == "A change to name is already waiting for approval."
    # when the manager approves, the name changes and history names the request
    request_id = body["change_request"]["id"]
    client.post(
        f"/api/v1/change-requests/{request_id}/decision", json={"approve": True}, headers=token_for(client, "manager")
    )
    history = client.get(f"/api/v1/customers/{cif_no}/history", headers=am1).json()
    latest = {h["field"]: h for h in history[:2]}
    assert (latest["name"]["old_value"], latest["name"]["new_value"], latest["name"]["change_request_id"]) == (
        "张*",
        "张**",
        request_id,
    )
    assert (latest["employer"]["old_value"], latest["employer"]["new_value"]) == ("北京某科技有限公司", "上海某银行")
    assert client.get("/api/v1/customers", params={"q": "zhangsanfeng"}, headers=am1).json()["total"] == 1


def test_history_masks_id_numbers_and_phones(client, db):
    cif_no = approved(client, db, individual(db))
    am1 = token_for(client, "am1")
    client.patch(f"/api/v1/customers/{cif_no}", json={"phones": [{"number": "13987654321"}]}, headers=am1)
    history = client.get(f"/api/v1/customers/{cif_no}/history", headers=am1).json()
    phones = next(h for h in history if h["field"] == "phones" and h["old_value"])
    assert (phones["old_value"], phones["new_value"]) == ("138****5678", "139****4321")
    assert resident_id() not in str(history) and "13812345678" not in str(history)


def test_an_individuals_english_name_follows_the_name_rule_and_history_keeps_it_masked(client, db):
    # given Zhang San, whose English name am1 changes to Johann Müller
    cif_no = approved(client, db, individual(db))
    am1 = token_for(client, "am1")
    client.patch(f"/api/v1/customers/{cif_no}", json={"name_en": "Johann Müller"}, headers=am1)
    # when the customer, its history and its edit page are read by am1, and the customer by the product manager
    read = client.get(f"/api/v1/customers/{cif_no}", headers=am1).json()
    history = client.get(f"/api/v1/customers/{cif_no}/history", headers=am1).json()
    change = next(h for h in history if h["field"] == "name_en")
    product = client.get(f"/api/v1/customers/{cif_no}", headers=token_for(client, "product")).json()
    signed_in(client, "am1")
    page = client.get(f"/customers/{cif_no}/edit").text
    # then am1 (customer.name.read) sees it in full, the product manager masked, and history only masked
    assert read["name_en"] == "Johann Müller"
    assert product["name_en"] == "J***** ******"
    assert (change["old_value"], change["new_value"]) == ("Z**** ***", "J***** ******")
    assert 'placeholder="Johann Müller"' in page


def test_unmask_reveals_one_field_and_is_audited(client, db):
    cif_no = approved(client, db, individual(db))
    risk = token_for(client, "risk")
    revealed = client.post(f"/api/v1/customers/{cif_no}/unmask", params={"field": "id_no"}, headers=risk)
    assert revealed.json() == {"field": "id_no", "value": resident_id()}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "pii.unmask")).all()[-1]
    assert (event.actor_username, event.entity_id, event.detail) == ("risk", cif_no, "id_no")
    # a teller may not unmask
    assert (
        client.post(
            f"/api/v1/customers/{cif_no}/unmask", params={"field": "id_no"}, headers=token_for(client, "teller")
        ).status_code
        == 403
    )


def test_id_numbers_and_phones_are_encrypted_at_rest(client, db):
    cif_no = approved(client, db, individual(db))
    row = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    assert row.id_no_enc.startswith("v1.") and resident_id() not in row.id_no_enc
    assert len(row.id_no_index) == 64


def test_search_ranks_exact_matches_first_then_name_keys_in_order_and_stops_at_the_cap(client, db, monkeypatch):
    from bankcrm.customers import repository as customer_repository

    # given four customers whose pinyin initials start with "zs", entered in this order
    names = ["张三丰", "张珊", "张三", "赵四"]
    cifs = {}
    for seq, name in enumerate(names):
        data = individual(
            db, name=name, name_en=None, id_no=resident_id(seq=f"{2 * seq + 201}"), phones=[], emails=[], addresses=[]
        )
        cifs[name] = approved(client, db, data)
    am1 = token_for(client, "am1")
    # and a key index read two rows per round trip, so the keyset paging is exercised
    monkeypatch.setattr(customer_repository, "KEY_CHUNK", 2)

    # when am1 searches "zs": the key "zs" (张珊, 张三, 赵四 by entry) sorts before "zsf" (张三丰)
    found = client.get("/api/v1/customers", params={"q": "zs"}, headers=am1).json()
    # then the shorter (exact) key comes first, ties by entry order, the longer key last
    assert [c["name"][0] for c in found["items"]] == ["张", "张", "赵", "张"]
    assert [c["cif_no"] for c in found["items"]] == [cifs["张珊"], cifs["张三"], cifs["赵四"], cifs["张三丰"]]
    assert (found["total"], found["total_capped"]) == (4, False)
    # and a whole-bank reader (read from the key index alone) gets the same order
    whole_bank = client.get("/api/v1/customers", params={"q": "zs"}, headers=token_for(client, "risk")).json()
    assert [c["cif_no"] for c in whole_bank["items"]] == [c["cif_no"] for c in found["items"]]

    # when a CIF number is searched it is first, before anything its digits happen to match
    exact = client.get("/api/v1/customers", params={"q": cifs["赵四"]}, headers=am1).json()
    assert [c["cif_no"] for c in exact["items"]] == [cifs["赵四"]]

    # when the count is capped at 2, the search says "at least 2" and pages stay inside the first 2
    monkeypatch.setattr(customer_repository, "COUNT_CAP", 2)
    capped = client.get("/api/v1/customers", params={"q": "zs", "size": 1, "page": 2}, headers=am1).json()
    assert (capped["total"], capped["total_capped"]) == (2, True)
    assert [c["cif_no"] for c in capped["items"]] == [cifs["张三"]]


def test_an_approved_customer_gets_its_first_primary_manager_and_an_edit_cannot_change_it(client, db):
    # given am1 enters a customer (its own) and the manager approves it
    cif_no = approved(client, db, individual(db))
    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    # then am1 is its primary manager with the whole share, from the day it was created
    rows = db.scalars(select(ManagerAssignment).where(ManagerAssignment.customer_id == customer.id)).all()
    assert [(r.manager_id, r.role, r.share_bp, r.valid_from, r.valid_to) for r in rows] == [
        (user_id(db, "am1"), "primary", 10_000, customer.created_at.date(), None)
    ]
    # when an edit tries to hand the customer to am2
    response = client.patch(
        f"/api/v1/customers/{cif_no}",
        json={"account_manager_id": user_id(db, "am2")},
        headers=token_for(client, "am1"),
    )
    # then it is refused at that field and nothing changed
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "account_manager_id",
            "message": "Account managers change through a manager change request, which needs approval.",
        }
    ]
    db.refresh(customer)
    assert customer.account_manager_id == user_id(db, "am1")
