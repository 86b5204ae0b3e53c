"""The approval page a checker can judge: labelled fields, identity values in clear to the unit's checker (audited)."""

from __future__ import annotations

from sqlalchemy import func, select

from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import approved, individual, resident_id

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _reveals(db, request_id: int) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    rows = db.execute(
        select(AuditEvent.actor_username, AuditEvent.detail).where(
            AuditEvent.action == "pii.unmask",
            AuditEvent.entity_type == "change_request",
            AuditEvent.entity_id == str(request_id),
        )
    ).all()
    return [tuple(r) for r in rows]


def _submit(client, db, **overrides) -> int:  # type: ignore[no-untyped-def]
    data = individual(db, occupation="2", **overrides)
    submitted = client.post("/api/v1/customers/individual", json=data, headers=token_for(client, "am1"))
    assert submitted.status_code == 202, submitted.text
    request_id: int = submitted.json()["id"]
    return request_id


def _row(page: str, field: str) -> str:
    return page.split(f'data-field="{field}"')[1].split("</tr>")[0]


def test_the_units_checker_sees_every_field_labelled_and_the_identity_in_clear_once_audited(client, make_client, db):
    # given am1 files a new individual customer at BJ
    request_id = _submit(client, db)
    manager = signed_in(make_client(), "manager")
    # when the BJ checker opens the request in Chinese
    page = manager.get(f"/approvals/{request_id}", headers=ZH).text
    # then each field reads with its label and its value's label, the name and ID number in clear
    assert "<td>名称</td><td>—</td><td>张三</td>" in _row(page, "name")
    assert f"<td>证件号码</td><td>—</td><td>{resident_id()}</td>" in _row(page, "id_no")
    assert "<td>证件类型</td><td>—</td><td>居民身份证</td>" in _row(page, "id_type")
    assert "<td>职业</td><td>—</td><td>专业技术人员</td>" in _row(page, "occupation")
    assert "<td>民族</td><td>—</td><td>汉族</td>" in _row(page, "ethnicity")
    assert "<td>国籍</td><td>—</td><td>中国</td>" in _row(page, "nationality")
    assert "正常" in _row(page, "status") and "RIC" not in page and ">ACTIVE<" not in page
    assert 'id="request-in-clear"' in page
    # and the maker and time are shown
    assert "am1 · " in page
    # and exactly one audit event records what was shown, to whom
    assert _reveals(db, request_id) == [("manager", "name, name_en, id_no")]


def test_the_maker_sees_the_labelled_request_masked_and_nothing_is_audited(client, db):
    request_id = _submit(client, db)
    am1 = signed_in(client, "am1")
    page = am1.get(f"/approvals/{request_id}", headers=EN).text
    assert "<td>Name</td><td>—</td><td>张*</td>" in _row(page, "name")
    assert "<td>ID type</td><td>—</td><td>Resident Identity Card</td>" in _row(page, "id_type")
    assert "Professional and technical personnel" in _row(page, "occupation")
    assert resident_id() not in page and "张三" not in page and 'id="request-in-clear"' not in page
    assert _reveals(db, request_id) == []


def test_a_decided_request_is_masked_even_to_the_checker(client, make_client, db):
    request_id = _submit(client, db)
    manager = signed_in(make_client(), "manager")
    page = manager.get(f"/approvals/{request_id}").text
    decided = manager.post(
        f"/approvals/{request_id}",
        data={"csrf_token": csrf_from(page), "decision": "approve"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    after = manager.get(f"/approvals/{request_id}").text
    assert resident_id() not in after and "张*" in _row(after, "name")
    assert _reveals(db, request_id) == [("manager", "name, name_en, id_no")]


def test_the_checker_sees_the_possible_duplicates_the_maker_acknowledged(client, make_client, db):
    # given a 张三 born 1990-03-07 on file, and am1 acknowledges the warning for another 张三 of that birth date
    cif_no = approved(client, db, individual(db))
    data = individual(db, id_no=resident_id(seq="135"), phones=[], acknowledge_duplicates=True)
    submitted = client.post("/api/v1/customers/individual", json=data, headers=token_for(client, "am1"))
    assert submitted.status_code == 202, submitted.text
    request_id = submitted.json()["id"]
    # when the checker opens the request
    page = signed_in(make_client(), "manager").get(f"/approvals/{request_id}").text
    # then the warning names the customer on file
    warning = page.split('id="request-duplicates"')[1].split("</div>")[0]
    assert f'href="/customers/{cif_no}"' in warning
    # and the acknowledgement is no customer field
    assert 'data-field="acknowledged_duplicates"' not in page


def test_an_update_shows_old_and_new_identity_values_labelled(client, make_client, db):
    cif_no = approved(client, db, individual(db))
    filed = client.patch(f"/api/v1/customers/{cif_no}", json={"status": "DORMANT"}, headers=token_for(client, "am1"))
    assert filed.status_code in (200, 202), filed.text
    inbox = client.get("/api/v1/change-requests", headers=token_for(client, "manager")).json()["items"]
    request_id = next(r["id"] for r in inbox if r["cif_no"] == cif_no)
    page = signed_in(make_client(), "manager").get(f"/approvals/{request_id}", headers=EN).text
    assert "<td>Status</td><td>Active</td><td>" in _row(page, "status")
    assert "DORMANT" not in page and ">ACTIVE<" not in page
    # no masked value was shown in clear, so nothing is audited
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_id == str(request_id))
            .where(AuditEvent.action == "pii.unmask")
        )
        == 0
    )


def test_the_api_twin_keeps_its_fields_and_adds_labelled_rows_masked_without_an_audit_event(client, db):
    request_id = _submit(client, db)
    body = client.get(f"/api/v1/change-requests/{request_id}", headers=token_for(client, "manager") | ZH).json()
    # the existing fields are all still there
    assert body["changes"]["name"] == [None, "张*"] and body["kind"] == "create" and body["maker"] == "am1"
    # the rows read in the caller's language, masked even to the checker
    rows = {r["field"]: [r["label"], r["new"], r["clear"]] for r in body["rows"]}
    assert rows["id_type"] == ["证件类型", "居民身份证", False]
    assert rows["occupation"] == ["职业", "专业技术人员", False]
    assert rows["name"] == ["名称", "张*", False] and rows["id_no"][1] != resident_id()
    assert body["in_clear"] is False and body["duplicates"] == [] and body["duplicates_hidden"] == 0
    assert _reveals(db, request_id) == []
