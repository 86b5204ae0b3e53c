"""Foreign customers' and compatriots' ID documents: type, issuing country and number, each checked by its published
rule with the same message from the API and the form; (type, country, number) identifies one document."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bankcrm.kit import documents
from bankcrm.kit.i18n import gettext_for
from bankcrm.kit.validators import InvalidValue, resident_id_check_char
from bankcrm.models.customer import Customer
from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import approved, individual, resident_id


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


HMT_RESIDENCE = with_check("81000019900307123")  # a Hong Kong resident born 1990-03-07, male
FOREIGN_PR_2023 = with_check("91184019900307123")  # 9, province 11, nationality 840, born 1990-03-07, male
FOREIGN_PR_2004 = "USA119003071234"  # USA, place 11, born (19)90-03-07, sequence and check


def wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


VALID = [
    ("RIC", None, resident_id(), "CN", resident_id()),
    ("HMT_RESIDENCE", None, HMT_RESIDENCE, "CN", HMT_RESIDENCE),
    ("FOREIGN_PR", "CN", FOREIGN_PR_2023, "CN", FOREIGN_PR_2023),
    ("FOREIGN_PR", None, "usa 119003071234", "CN", FOREIGN_PR_2004),
    ("HKMO_PERMIT", None, "h1234 5678", "CN", "H12345678"),
    ("HKMO_PERMIT", None, "M1234567801", "CN", "M1234567801"),
    ("TW_PERMIT", None, "12345678", "CN", "12345678"),
    ("PASSPORT", "de", "c01x00t47", "DE", "C01X00T47"),
    ("PASSPORT", "CN", "E12345678", "CN", "E12345678"),
    ("FOREIGN_ID", "ES", "12345678-Z", "ES", "12345678Z"),
    ("FOREIGN_ID", "NL", "111222333", "NL", "111222333"),
    ("FOREIGN_ID", "IT", "RSSMRA85T10A562S", "IT", "RSSMRA85T10A562S"),
    ("FOREIGN_ID", "DE", "L01X00T47", "DE", "L01X00T47"),  # no published rule: shape only
]


@pytest.mark.parametrize(("id_type", "given", "number", "country", "stored"), VALID)
def test_each_document_type_accepts_a_valid_number_and_normalises_it(
    id_type: str, given: str | None, number: str, country: str, stored: str
) -> None:
    # When a valid document is checked
    issuer = documents.issuing_country(id_type, given)
    # Then its country (CN by default for a document China issues) and normalised number come back
    assert issuer == country
    assert documents.document_number(id_type, issuer, number)[0] == stored


INVALID_NUMBERS = [
    ("RIC", "CN", wrong_check(resident_id()), "The check digit of this ID number is wrong."),
    (
        "HMT_RESIDENCE",
        "CN",
        resident_id(),
        "A residence permit number of a Hong Kong, Macao or Taiwan resident begins with 810000, 820000 or 830000.",
    ),
    ("HMT_RESIDENCE", "CN", wrong_check(HMT_RESIDENCE), "The check digit of this ID number is wrong."),
    ("FOREIGN_PR", "CN", wrong_check(FOREIGN_PR_2023), "The check digit of this ID number is wrong."),
    (
        "FOREIGN_PR",
        "CN",
        "1" + FOREIGN_PR_2023[1:],
        "A permanent residence ID card number of 18 characters begins with 9.",
    ),
    (
        "FOREIGN_PR",
        "CN",
        "US1119003071234",
        "A permanent residence ID card number of 15 characters has 3 letters followed by 12 digits.",
    ),
    ("FOREIGN_PR", "CN", "USA119013071234", "The birth date in this ID number does not exist."),
    (
        "FOREIGN_PR",
        "CN",
        "USA1190030712",
        "A permanent residence ID card number has 18 characters (15 on cards issued before 2023).",
    ),
    (
        "HKMO_PERMIT",
        "CN",
        "X12345678",
        "A travel permit number of a Hong Kong or Macao resident is H or M followed by 8 digits (or 10).",
    ),
    ("TW_PERMIT", "CN", "1234567", "A travel permit number of a Taiwan resident has 8 digits (or 10)."),
    ("PASSPORT", "DE", "C01X-00T47", "A passport number has 5 to 17 letters and digits."),
    ("PASSPORT", "DE", "C01", "A passport number has 5 to 17 letters and digits."),
    ("FOREIGN_ID", "ES", "12345678A", "The check digit of this national ID number of ES is wrong."),
    ("FOREIGN_ID", "NL", "1112223334", "This national ID number has the wrong length for NL."),
    ("FOREIGN_ID", "IT", "RSSMRA85T10A562", "This national ID number has the wrong length for IT."),
    ("FOREIGN_ID", "IT", "RSSMRA85T10A5621", "This is not a national ID number in the format IT uses."),
    ("FOREIGN_ID", "DE", "L0!", "A national ID number has 4 to 20 letters and digits."),
]


@pytest.mark.parametrize(("id_type", "country", "number", "message"), INVALID_NUMBERS)
def test_each_document_type_refuses_a_bad_number_with_its_message(
    id_type: str, country: str, number: str, message: str
) -> None:
    # When a bad number is checked, then the message names what is wrong
    with pytest.raises(InvalidValue) as raised:
        documents.document_number(id_type, country, number)
    assert gettext_for("en", raised.value.msgid, raised.value.params) == message


INVALID_COUNTRIES = [
    ("RIC", "DE", "This document is issued by CN only."),
    ("HMT_RESIDENCE", "HK", "This document is issued by CN only."),
    ("PASSPORT", None, "Give the country that issued this document."),
    ("FOREIGN_ID", "", "Give the country that issued this document."),
    ("FOREIGN_ID", "CN", "This document type cannot be issued by CN."),
    ("PASSPORT", "XX", "Not a country code: two capital letters (ISO 3166-1), such as DE."),
    ("PASSPORT", "DEU", "Not a country code: two capital letters (ISO 3166-1), such as DE."),
]


@pytest.mark.parametrize(("id_type", "country", "message"), INVALID_COUNTRIES)
def test_the_issuing_country_must_be_one_the_type_allows(id_type: str, country: str | None, message: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        documents.issuing_country(id_type, country)
    assert gettext_for("en", raised.value.msgid, raised.value.params) == message


def test_messages_read_in_chinese_too() -> None:
    with pytest.raises(InvalidValue) as raised:
        documents.document_number("FOREIGN_ID", "ES", "12345678A")
    assert gettext_for("zh_CN", raised.value.msgid, raised.value.params) == "该 ES 身份证件号码的校验码错误。"


def test_every_id_type_has_a_document_rule() -> None:
    # Given the shipped code table and the rules: each type is covered once, China issues the Chinese ones
    from bankcrm.kit.codes import shipped_codes

    assert sorted(documents.rules()) == sorted(shipped_codes("id_type"))
    defaults = {t: r.default_country for t, r in documents.rules().items()}
    assert defaults == {
        "RIC": "CN",
        "HMT_RESIDENCE": "CN",
        "FOREIGN_PR": "CN",
        "HKMO_PERMIT": "CN",
        "TW_PERMIT": "CN",
        "PASSPORT": None,
        "FOREIGN_ID": None,
    }


def foreigner(db: Any, **overrides: Any) -> dict[str, Any]:
    """A German customer with a passport, as the API takes it."""
    data = individual(
        db,
        name="米勒",
        name_en="Anna Mueller",
        gender="F",
        birth_date="1985-05-12",
        nationality="DE",
        ethnicity=None,
        id_type="PASSPORT",
        id_country="DE",
        id_no="C01X00T47",
        phones=[{"number": "139 1234 5678", "purpose": "mobile"}],
    )
    return data | overrides


def test_api_refuses_a_bad_document_naming_the_field(client, db):
    am1 = token_for(client, "am1")
    # When a passport comes without its issuing country, or a Spanish ID card with a wrong check letter
    missing = client.post("/api/v1/customers/individual", json=foreigner(db, id_country=None), headers=am1)
    wrong = client.post(
        "/api/v1/customers/individual",
        json=foreigner(db, id_type="FOREIGN_ID", id_country="ES", id_no="12345678A"),
        headers=am1,
    )
    chinese = client.post("/api/v1/customers/individual", json=individual(db, id_country="DE"), headers=am1)
    # Then each is refused on its field with the rule's message
    assert missing.status_code == wrong.status_code == chinese.status_code == 422
    assert missing.json()["errors"] == [
        {"field": "id_country", "message": "Give the country that issued this document."}
    ]
    assert wrong.json()["errors"] == [
        {"field": "id_no", "message": "The check digit of this national ID number of ES is wrong."}
    ]
    assert chinese.json()["errors"] == [{"field": "id_country", "message": "This document is issued by CN only."}]


def test_the_same_number_from_two_countries_is_two_customers(client, db):
    # Given a German passport holder on file
    german = approved(client, db, foreigner(db))
    am1 = token_for(client, "am1")
    # When a French passport with the same characters is entered (another person)
    dupont = {"name": "杜邦", "name_en": "Marie Dupont", "birth_date": "1979-11-02", "nationality": "FR"}
    phones = [{"number": "137 1234 5678", "purpose": "mobile"}]
    french = approved(client, db, foreigner(db, id_country="FR", phones=phones, **dupont))
    # Then both are customers, each with its own issuing country
    assert german != french
    shown = {c: client.get(f"/api/v1/customers/{c}", headers=am1).json() for c in (german, french)}
    assert [(shown[c]["id_type"], shown[c]["id_country"]) for c in (german, french)] == [
        ("PASSPORT", "DE"),
        ("PASSPORT", "FR"),
    ]
    # And the German passport again is the same document: refused, naming the customer
    again = client.post("/api/v1/customers/individual", json=foreigner(db, name="米勒安"), headers=am1)
    assert again.status_code == 409
    assert again.json()["detail"] == f"A customer with this number already exists: {german}."


def test_a_pending_create_guards_only_the_same_country(client, db):
    am1 = token_for(client, "am1")
    assert client.post("/api/v1/customers/individual", json=foreigner(db), headers=am1).status_code == 202
    phones = [{"number": "137 1234 5678", "purpose": "mobile"}]
    other = foreigner(db, name="杜邦", name_en="Marie Dupont", birth_date="1979-11-02", id_country="FR", phones=phones)
    assert client.post("/api/v1/customers/individual", json=other, headers=am1).status_code == 202
    same = client.post("/api/v1/customers/individual", json=foreigner(db, name="米勒安"), headers=am1)
    assert same.status_code == 409
    assert same.json()["detail"] == "A request to create a customer with this number is already waiting for approval."


def test_a_compatriots_residence_permit_gets_cn_and_its_birth_date_is_checked(client, db):
    am1 = token_for(client, "am1")
    data = individual(db, name="陈大文", id_type="HMT_RESIDENCE", id_no=HMT_RESIDENCE)
    cif_no = approved(client, db, data)
    customer = db.scalar(select(Customer).where(Customer.cif_no == cif_no))
    assert (customer.id_type, customer.id_country) == ("HMT_RESIDENCE", "CN")
    late = individual(db, name="陈小文", id_type="HMT_RESIDENCE", id_no=HMT_RESIDENCE, birth_date="1990-03-08")
    refused = client.post("/api/v1/customers/individual", json=late, headers=am1)
    assert refused.json()["errors"] == [
        {"field": "id_no", "message": "The birth date in the ID number (1990-03-07) does not match the date of birth."}
    ]


def test_a_changed_issuing_country_goes_to_a_checker(client, db):
    # Given a German passport holder
    cif_no = approved(client, db, foreigner(db))
    am1 = token_for(client, "am1")
    # When the issuing country is corrected to Austria
    response = client.patch(f"/api/v1/customers/{cif_no}", json={"id_country": "AT"}, headers=am1)
    # Then nothing changes yet: a request waits for a checker
    body = response.json()
    assert body["changed"] == []
    assert body["change_request"]["fields"] == ["id_country"]
    assert body["customer"]["id_country"] == "DE"
    # When the manager approves, the country changes and the document is found under it
    client.post(
        f"/api/v1/change-requests/{body['change_request']['id']}/decision",
        json={"approve": True},
        headers=token_for(client, "manager"),
    )
    assert client.get(f"/api/v1/customers/{cif_no}", headers=am1).json()["id_country"] == "AT"
    again = client.post("/api/v1/customers/individual", json=foreigner(db, id_country="AT"), headers=am1)
    assert again.status_code == 409


def test_the_form_shows_the_document_messages_at_their_fields(client, db):
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/customers/new?kind=individual").text)
    form = {
        "kind": "individual",
        "name": "米勒",
        "gender": "F",
        "birth_date": "1985-05-12",
        "nationality": "DE",
        "id_type": "FOREIGN_ID",
        "id_country": "CN",
        "id_no": "12345678A",
        "home_unit_id": str(individual(db)["home_unit_id"]),
        "status": "ACTIVE",
        "csrf_token": token,
    }
    response = am1.post("/customers/new", data=form)
    assert response.status_code == 422
    assert 'data-field-error="id_country">This document type cannot be issued by CN.' in response.text
    spanish = am1.post("/customers/new", data=form | {"id_country": "ES"})
    assert 'data-field-error="id_no">The check digit of this national ID number of ES is wrong.' in spanish.text
    # And the inline check of the number says the same
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    check = am1.post(
        "/customers/check/id_no",
        data={"id_no": "12345678A", "id_type": "FOREIGN_ID", "id_country": "ES"},
        headers=headers,
    )
    assert "The check digit of this national ID number of ES is wrong." in check.text


def test_the_matcher_compares_a_foreign_number_with_its_country_and_a_chinese_one_as_before() -> None:
    assert documents.scored_number("DE", "C01X00T47") == "DE:C01X00T47"
    assert documents.scored_number("FR", "C01X00T47") == "FR:C01X00T47"
    assert documents.scored_number("CN", resident_id()) == resident_id()
    assert documents.scored_number(None, "E12345678") == "E12345678"
    assert documents.scored_number("DE", None) is None
