"""The CIF in the browser (server side): forms, approval, detail tabs, edit, inline checks, and no PII leaks."""

from __future__ import annotations

import io
import zipfile

from tests.conftest import csrf_from, signed_in, token_for, unit_id
from tests.factories import approved, corporate, individual, resident_id, uscc

MOBILE = "13812345678"


def _form(db, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "kind": "individual",
        "name": "李四",
        "name_en": "Li Si",
        "gender": "M",
        "birth_date": "1990-03-07",
        "id_type": "RIC",
        "id_no": resident_id(),
        "home_unit_id": str(unit_id(db, "BJ")),
        "status": "ACTIVE",
        "phones.0.purpose": "mobile",
        "phones.0.number": MOBILE,
        "emails.0.address": "li.si@example.com",
        "addresses.0.text": "北京市朝阳区望京街道8号",
        "employer": "北京某律师事务所",
    }
    return data | overrides


def test_enter_approve_and_view_a_customer_through_the_pages(client, make_client, db):
    # given am1 fills in the new-customer form
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/customers/new?kind=individual").text)
    submitted = am1.post("/customers/new", data=_form(db) | {"csrf_token": token}, follow_redirects=False)
    # then the request is filed and am1 lands on it
    assert submitted.status_code == 303
    request_page = submitted.headers["location"]
    assert request_page.endswith("?submitted=1")
    assert "李*" in am1.get(request_page).text
    # when the manager approves it on the approval page
    manager = signed_in(make_client(), "manager")
    inbox = manager.get("/approvals").text
    path = request_page.split("?")[0]
    assert f'href="{path}"' in inbox
    page = manager.get(path).text
    decided = manager.post(path, data={"csrf_token": csrf_from(page), "decision": "approve"}, follow_redirects=False)
    assert decided.status_code == 303
    approved_page = manager.get(path).text
    assert 'id="request-status">Approved' in approved_page.replace("\n", "")
    cif_no = approved_page.split('id="request-customer">')[1][:11]
    # then am1 sees the customer with every tab: the name in full (no "Show" for it), identifiers masked
    detail = am1.get(f"/customers/{cif_no}").text
    for tab in ("profile", "work", "family", "contacts", "history"):
        assert f'id="tab-{tab}"' in detail
    assert '<span class="unmaskable" id="customer-name">李四</span>' in detail
    assert 'data-unmask="name"' not in detail
    assert "138****5678" in detail and MOBILE not in detail and resident_id() not in detail
    assert "北京某律师事务所" in detail


def test_form_errors_are_shown_at_their_fields_and_the_input_is_kept(client, db):
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/customers/new?kind=individual").text)
    bad = resident_id()[:17] + ("0" if resident_id()[17] != "0" else "1")
    response = am1.post("/customers/new", data=_form(db, id_no=bad, name="") | {"csrf_token": token})
    assert response.status_code == 422
    assert 'data-field-error="id_no">The check digit of this ID number is wrong.' in response.text
    assert 'data-field-error="name">This field is required.' in response.text
    assert "北京某律师事务所" in response.text  # what was typed is still there


def test_possible_duplicates_are_listed_and_must_be_acknowledged_on_the_form(client, db):
    cif_no = approved(client, db, individual(db, name="李四"))
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/customers/new?kind=individual").text)
    other = _form(db, id_no=resident_id(seq="135"), **{"phones.0.number": ""})
    first = am1.post("/customers/new", data=other | {"csrf_token": token})
    assert first.status_code == 409
    assert 'id="possible-duplicates"' in first.text and f"{cif_no} · 李四" in first.text
    confirmed = am1.post(
        "/customers/new", data=other | {"csrf_token": token, "acknowledge_duplicates": "on"}, follow_redirects=False
    )
    assert confirmed.status_code == 303


def test_inline_check_of_an_id_number(client, db):
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/customers/new?kind=individual").text)
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    wrong = am1.post("/customers/check/id_no", data={"id_no": "11010519900307123", "id_type": "RIC"}, headers=headers)
    assert "A resident ID number has 18 characters." in wrong.text
    right = am1.post("/customers/check/id_no", data={"id_no": resident_id(), "id_type": "RIC"}, headers=headers)
    assert "Looks right." in right.text


def _check(client, user: str, field: str, data: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    signed = signed_in(client, user)
    token = csrf_from(signed.get("/customers/new?kind=individual").text)
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    response = signed.post(f"/customers/check/{field}", data=data, headers=headers)
    assert response.status_code == 200
    return response.text


def test_inline_check_names_an_id_already_on_file_only_inside_scope(client, db):
    # given a Beijing customer holding an ID number and a Beijing company holding a credit code
    person = approved(client, db, individual(db))
    company = approved(client, db, corporate(db))
    id_form = {"id_no": resident_id(), "id_type": "RIC"}
    # when am1 (Beijing) types them on a new customer's form
    mine = _check(client, "am1", "id_no", id_form)
    mine_uscc = _check(client, "am1", "uscc", {"uscc": uscc().lower()})
    # then the check names each customer with a link to it
    on_file = "A customer with this number is already on file:"
    assert f'data-on-file="{person}">{on_file} <a href="/customers/{person}">{person}</a></div>' in mine
    assert f'data-on-file="{company}">{on_file} <a href="/customers/{company}">{company}</a></div>' in mine_uscc
    # and am2 (Shanghai, who cannot see them) gets the very answer a new number gets
    new = _check(client, "am2", "id_no", {"id_no": resident_id(seq="135"), "id_type": "RIC"})
    assert _check(client, "am2", "id_no", id_form) == new
    assert "data-on-file" not in new and "Looks right." in new
    new_uscc = _check(client, "am2", "uscc", {"uscc": uscc("91310000MA01BCDE1")})
    assert _check(client, "am2", "uscc", {"uscc": uscc()}) == new_uscc
    assert "data-on-file" not in new_uscc and "Looks right." in new_uscc


def test_edit_changes_ordinary_fields_now_and_files_identity_fields(client, db):
    cif_no = approved(client, db, individual(db))
    am1 = signed_in(client, "am1")
    page = am1.get(f"/customers/{cif_no}/edit").text
    assert resident_id() not in page and MOBILE not in page
    form = {
        "csrf_token": csrf_from(page),
        "name": "张三丰",
        "employer": "上海某银行",
        "status": "ACTIVE",
        "id_type": "RIC",
        "home_unit_id": str(unit_id(db, "BJ")),
        "emails.0.address": "zhang.san@example.com",
        "addresses.0.text": "北京市朝阳区望京街道1号",
    }
    response = am1.post(f"/customers/{cif_no}/edit", data=form, follow_redirects=False)
    assert response.headers["location"] == f"/customers/{cif_no}?saved=pending"
    detail = am1.get(response.headers["location"]).text
    assert "上海某银行" in detail
    assert 'id="pending"' in detail and "name" in detail.split('id="pending">')[1][:80]
    # the phone was left empty on the form, so it is kept
    assert "138****5678" in detail


def test_unmask_on_the_page_reveals_the_id_number(client, db):
    cif_no = approved(client, db, individual(db))
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get(f"/customers/{cif_no}").text)
    shown = am1.post(f"/customers/{cif_no}/unmask?field=id_no", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert shown.text.strip() == f'<span class="font-monospace" data-unmasked>{resident_id()}</span>'


def test_no_page_api_response_or_export_shows_a_full_id_or_mobile_to_low_privilege_roles(client, make_client, db):
    # given a customer homed at the teller's outlet, so every low-privilege role below can read it
    cif_no = approved(client, db, individual(db, home="BJ-CY-01"))
    secrets = (resident_id(), MOBILE, "+86" + MOBILE)
    for username in ("teller", "lobby", "product"):
        browser = signed_in(make_client(), username)
        # (a search by mobile is left out: the search box rightly echoes what the user typed)
        pages = [
            "/customers",
            f"/customers?q={cif_no}",
            f"/customers/{cif_no}",
            f"/customers/{cif_no}/edit",
            "/approvals?status=approved",
            f"/search?q={cif_no}",
            "/customers/export.csv",
        ]
        responses = [browser.get(p) for p in pages]
        xlsx = browser.get("/customers/export.xlsx").content
        with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
            sheets = [book.read(n).decode("utf-8", "replace") for n in book.namelist()]
        api = token_for(client, username)
        answers = [
            client.get(path, headers=api)
            for path in (
                f"/api/v1/customers?q={cif_no}",
                f"/api/v1/customers/{cif_no}",
                f"/api/v1/customers/{cif_no}/history",
            )
        ]
        # the customer really was in view: every page, export and answer is the real one, naming the customer
        # (the product manager may not edit customers, so its edit page is the refusal)
        editable = username != "product"
        assert [r.status_code for r in responses + answers] == [200, 200, 200, 200 if editable else 403] + [200] * 6
        # (the approvals list and the history name the customer's changes, not the CIF number)
        listing = [r for r in responses + answers[:2] if r.status_code == 200 and "/approvals" not in str(r.url)]
        assert [cif_no in r.text for r in listing] == [True] * len(listing), username
        assert any(cif_no in sheet for sheet in sheets), username
        bodies = [r.text for r in responses + answers] + sheets
        for body in bodies:
            for secret in secrets:
                assert secret not in body, (username, secret)
