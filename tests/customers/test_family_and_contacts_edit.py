"""Editing family members and contact persons: directly, validated as at creation, in history, phones masked."""

from __future__ import annotations

from sqlalchemy import select

from bankcrm.models.customer import ContactPerson
from tests.conftest import csrf_from, signed_in, token_for, unit_id
from tests.factories import approved, corporate, individual, resident_id

SPOUSE = {"name": "李梅", "relation": "SPOUSE", "member_cif_no": None}
CHILD = {"name": "张小明", "relation": "CHILD", "member_cif_no": None}


def _history(client, cif_no, headers, field):  # type: ignore[no-untyped-def]
    """(old, new) of every history entry of one field, newest first."""
    entries = client.get(f"/api/v1/customers/{cif_no}/history", headers=headers).json()
    return [(h["old_value"], h["new_value"]) for h in entries if h["field"] == field]


def test_patching_family_members_replaces_the_list_and_records_old_and_new(client, db):
    # given an individual with a spouse and a child, and the father who is a customer himself
    cif_no = approved(client, db, individual(db, family_members=[SPOUSE, CHILD]))
    father = approved(
        client,
        db,
        individual(
            db,
            name="张大山",
            birth_date="1960-01-01",
            id_no=resident_id(born="19600101", seq="135"),
            phones=[{"number": "139 8765 4321"}],
        ),
    )
    am1 = token_for(client, "am1")
    # when am1 replaces the child by the father, linked to his own record
    new = [SPOUSE, {"name": "张大山", "relation": "FATHER", "member_cif_no": father}]
    response = client.patch(f"/api/v1/customers/{cif_no}", json={"family_members": new}, headers=am1)
    # then the list changed at once, with no change request
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["changed"], body["change_request"]) == (["family_members"], None)
    assert body["customer"]["family_members"] == [
        {"name": "李*", "relation": "SPOUSE", "member_cif_no": None},
        {"name": "张**", "relation": "FATHER", "member_cif_no": father},
    ]
    # and history shows the old and the new list, names masked
    latest = _history(client, cif_no, am1, "family_members")[0]
    assert latest == ("SPOUSE: 李*; CHILD: 张**", "SPOUSE: 李*; FATHER: 张**")
    # when the same list is sent again
    again = client.patch(f"/api/v1/customers/{cif_no}", json={"family_members": new}, headers=am1)
    # then nothing changes and history gains no entry
    assert again.json()["changed"] == []
    assert len(_history(client, cif_no, am1, "family_members")) == 2


def test_patching_contact_persons_stores_phones_encrypted_and_shows_them_masked(client, db):
    # given a company whose head of finance has a mobile
    cif_no = approved(client, db, corporate(db))
    am1 = token_for(client, "am1")
    # when am1 gives the head of finance a new mobile and adds an agent with a landline
    persons = [
        {"role": "FINANCE", "name": "赵六", "phone": "137 0000 1111"},
        {"role": "AGENT", "name": "钱七", "phone": "010 6512 3456"},
    ]
    response = client.patch(f"/api/v1/customers/{cif_no}", json={"contact_persons": persons}, headers=am1)
    # then the response shows the new list with masked phones and no full number
    assert response.status_code == 200, response.text
    shown = response.json()["customer"]["contact_persons"]
    assert [(p["role"], p["name"], p["phone"]) for p in shown] == [
        ("FINANCE", "赵*", "137****1111"),
        ("AGENT", "钱*", "+86 ******3456"),
    ]
    assert response.json()["changed"] == ["contact_persons"]
    for secret in ("13700001111", "1065123456", "65123456", "13912345678"):
        assert secret not in response.text
    # and the phones are stored encrypted, with only the masked form in clear
    rows = db.scalars(select(ContactPerson).order_by(ContactPerson.id)).all()[-2:]
    assert [r.phone_masked for r in rows] == ["137****1111", "+86 ******3456"]
    assert all(r.phone_enc and "1111" not in r.phone_enc and "3456" not in r.phone_enc for r in rows)
    revealed = client.post(
        f"/api/v1/customers/{cif_no}/unmask",
        params={"field": "contact_person", "item_id": shown[0]["id"]},
        headers=token_for(client, "risk"),
    )
    assert revealed.json() == {"field": "contact_person", "value": "+8613700001111"}
    # and history shows old and new with masked phones
    history = _history(client, cif_no, am1, "contact_persons")
    assert history[0] == ("FINANCE: 赵* 139****5678", "FINANCE: 赵* 137****1111; AGENT: 钱* +86 ******3456")
    assert "13700001111" not in str(history) and "13912345678" not in str(history)


def test_bad_relation_unknown_cif_or_bad_phone_is_refused_and_changes_nothing(client, db):
    # given an individual with a spouse and a company with a head of finance
    person = approved(client, db, individual(db, family_members=[SPOUSE]))
    company = approved(client, db, corporate(db))
    am1 = token_for(client, "am1")
    before = {c: client.get(f"/api/v1/customers/{c}", headers=am1).json() for c in (person, company)}
    history_before = {c: client.get(f"/api/v1/customers/{c}/history", headers=am1).json() for c in (person, company)}
    # when am1 sends an unknown relation and a CIF number no customer has (with a valid employer change)
    family = [
        {"name": "李梅", "relation": "NEIGHBOUR"},
        {"name": "张大山", "relation": "FATHER", "member_cif_no": "99999999999"},
    ]
    bad_family = client.patch(
        f"/api/v1/customers/{person}", json={"family_members": family, "employer": "上海某银行"}, headers=am1
    )
    # and a contact person phone that is not a phone number
    bad_phone = client.patch(
        f"/api/v1/customers/{company}",
        json={"contact_persons": [{"role": "FINANCE", "name": "赵六", "phone": "12345"}]},
        headers=am1,
    )
    # and a contact role that is not in the table
    bad_role = client.patch(
        f"/api/v1/customers/{company}",
        json={"contact_persons": [{"role": "BOSS", "name": "赵六"}]},
        headers=am1,
    )
    # then each is refused naming the field path
    assert [r.status_code for r in (bad_family, bad_phone, bad_role)] == [422, 422, 422]
    assert bad_family.json()["errors"] == [
        {"field": "family_members.0.relation", "message": "Choose one of the listed values."},
        {"field": "family_members.1.member_cif_no", "message": "No customer has this CIF number."},
    ]
    assert bad_phone.json()["errors"] == [
        {"field": "contact_persons.0.phone", "message": "This phone number is not valid."}
    ]
    assert bad_role.json()["errors"] == [
        {"field": "contact_persons.0.role", "message": "Choose one of the listed values."}
    ]
    # and nothing changed
    for c in (person, company):
        assert client.get(f"/api/v1/customers/{c}", headers=am1).json() == before[c]
        assert client.get(f"/api/v1/customers/{c}/history", headers=am1).json() == history_before[c]


def test_each_list_belongs_to_its_kind_of_customer(client, db):
    # given a company and an individual
    company = approved(client, db, corporate(db))
    person = approved(client, db, individual(db))
    am1 = token_for(client, "am1")
    # when am1 sends family members for the company and contact persons for the individual
    family = client.patch(f"/api/v1/customers/{company}", json={"family_members": [SPOUSE]}, headers=am1)
    persons = client.patch(
        f"/api/v1/customers/{person}", json={"contact_persons": [{"role": "FINANCE", "name": "赵六"}]}, headers=am1
    )
    # then both are refused with a field error
    assert (family.status_code, family.json()["errors"]) == (
        422,
        [{"field": "family_members", "message": "This field belongs to individual customers."}],
    )
    assert (persons.status_code, persons.json()["errors"]) == (
        422,
        [{"field": "contact_persons", "message": "This field belongs to corporate customers."}],
    )
    # and the company still has only its head of finance, the individual no family
    am1_view = client.get(f"/api/v1/customers/{company}", headers=am1).json()
    assert (am1_view["family_members"], len(am1_view["contact_persons"])) == ([], 1)
    assert client.get(f"/api/v1/customers/{person}", headers=am1).json()["contact_persons"] == []


def test_the_edit_page_changes_a_family_members_relation(client, db):
    # given an individual with a spouse and a child
    cif_no = approved(client, db, individual(db, family_members=[SPOUSE, CHILD]))
    am1 = signed_in(client, "am1")
    # when am1 opens the edit page
    page = am1.get(f"/customers/{cif_no}/edit").text
    # then both members are in their slots, their names masked (never in clear), and a third slot is empty
    assert "李梅" not in page and "张小明" not in page
    slots = [page.split(f'name="family_members.{i}.name"')[1].split(">")[0].split()[2:] for i in range(3)]
    assert slots == [['value=""', 'placeholder="李*"'], ['value=""', 'placeholder="张**"'], ['value=""']]
    assert 'name="family_members.3.name"' not in page
    relation = page.split('name="family_members.1.relation"')[1].split("</select>")[0]
    assert '<option value="CHILD" selected>' in relation
    # when am1 changes the child to "other relative", leaving the names blank, and saves
    form = {
        "csrf_token": csrf_from(page),
        "status": "ACTIVE",
        "id_type": "RIC",
        "home_unit_id": str(unit_id(db, "BJ")),
        "emails.0.address": "zhang.san@example.com",
        "addresses.0.text": "北京市朝阳区望京街道1号",
        "family_members.0.name": "",
        "family_members.0.relation": "SPOUSE",
        "family_members.0.member_cif_no": "",
        "family_members.1.name": "",
        "family_members.1.relation": "OTHER",
        "family_members.1.member_cif_no": "",
        "family_members.2.name": "",
        "family_members.2.relation": "",
        "family_members.2.member_cif_no": "",
    }
    response = am1.post(f"/customers/{cif_no}/edit", data=form, follow_redirects=False)
    # then the change is saved at once
    assert response.headers["location"] == f"/customers/{cif_no}?saved=1"
    api = token_for(client, "am1")
    shown = client.get(f"/api/v1/customers/{cif_no}", headers=api).json()
    assert [(m["name"], m["relation"]) for m in shown["family_members"]] == [("李*", "SPOUSE"), ("张**", "OTHER")]
    latest = _history(client, cif_no, api, "family_members")[0]
    assert latest == ("SPOUSE: 李*; CHILD: 张**", "SPOUSE: 李*; OTHER: 张**")
    # when am1 ticks Remove for the spouse and types a new name for the other relative
    page = am1.get(f"/customers/{cif_no}/edit").text
    again = form | {
        "csrf_token": csrf_from(page),
        "family_members.0.remove": "1",
        "family_members.1.name": "王小红",
    }
    assert am1.post(f"/customers/{cif_no}/edit", data=again, follow_redirects=False).status_code == 303
    # then only the renamed relative is left
    shown = client.get(f"/api/v1/customers/{cif_no}", headers=api).json()
    assert [(m["name"], m["relation"]) for m in shown["family_members"]] == [("王**", "OTHER")]
    # and the stored name is the one typed
    from bankcrm.models.customer import FamilyMember

    assert [m.name for m in db.query(FamilyMember).all() if m.relation == "OTHER"][-1:] == ["王小红"]


def test_the_edit_page_keeps_a_contact_persons_phone_left_blank(client, db):
    # given a company whose head of finance has a mobile
    cif_no = approved(client, db, corporate(db))
    am1 = signed_in(client, "am1")
    page = am1.get(f"/customers/{cif_no}/edit").text
    # then the phone is not on the page, only its masked form as a placeholder
    assert "13912345678" not in page
    slot = page.split('name="contact_persons.0.phone"')[1].split(">")[0]
    assert slot.split() == ['type="text"', 'class="form-control"', 'value=""', 'placeholder="139****5678"']
    # and the name is masked too
    assert page.split('name="contact_persons.0.name"')[1].split(">")[0].split()[2:] == ['value=""', 'placeholder="赵*"']
    # when am1 makes them the authorized agent, adds a second person with a phone, and leaves the first
    # person's name and phone blank
    form = {
        "csrf_token": csrf_from(page),
        "status": "ACTIVE",
        "home_unit_id": str(unit_id(db, "BJ")),
        "contact_persons.0.role": "AGENT",
        "contact_persons.0.name": "",
        "contact_persons.0.phone": "",
        "contact_persons.1.role": "FINANCE",
        "contact_persons.1.name": "钱七",
        "contact_persons.1.phone": "13700001111",
    }
    response = am1.post(f"/customers/{cif_no}/edit", data=form, follow_redirects=False)
    # then the role changed and the stored phone was kept
    assert response.headers["location"] == f"/customers/{cif_no}?saved=1"
    shown = client.get(f"/api/v1/customers/{cif_no}", headers=token_for(client, "am1")).json()
    assert [(p["role"], p["name"], p["phone"]) for p in shown["contact_persons"]] == [
        ("AGENT", "赵*", "139****5678"),
        ("FINANCE", "钱*", "137****1111"),
    ]
    # when the form is posted again unchanged (phones blank)
    page = am1.get(f"/customers/{cif_no}/edit").text
    again = am1.post(
        f"/customers/{cif_no}/edit",
        data=form | {"csrf_token": csrf_from(page), "contact_persons.1.name": "", "contact_persons.1.phone": ""},
        follow_redirects=False,
    )
    # then nothing changes: no new history entry, both phones kept
    assert again.headers["location"] == f"/customers/{cif_no}?saved=1"
    api = token_for(client, "am1")
    assert len(_history(client, cif_no, api, "contact_persons")) == 2
    phones = [p["phone"] for p in client.get(f"/api/v1/customers/{cif_no}", headers=api).json()["contact_persons"]]
    assert phones == ["139****5678", "137****1111"]
