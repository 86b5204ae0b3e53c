"""Tag pages: the customer page's Tags tab, the 360° view's badges, the list's filter and export, the catalogue."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_from, signed_in, token_for
from tests.factories import approved, individual, make_customer

CIF = "88300000001"


def test_an_account_manager_tags_a_customer_on_the_tab_and_sees_it_everywhere(
    client: TestClient,
    make_client,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    make_customer(db, CIF, manager="am1")
    make_customer(db, "88300000002", manager="am1")
    am1 = signed_in(make_client(), "am1")
    # Given the tab, which offers the manual tags am1 may apply (not the sensitive or rule ones)
    tab = am1.get(f"/customers/{CIF}/tabs/tags")
    assert tab.status_code == 200 and 'id="tags-none"' in tab.text
    assert (
        'value="KEY_FOLLOW"' in tab.text and 'value="COMPLAINT_RISK"' not in tab.text and 'value="HNW"' not in tab.text
    )
    token = csrf_from(am1.get(f"/customers/{CIF}").text)
    # When am1 applies one with an expiry in the past: the tab again, with the error on the field
    bad = am1.post(
        f"/customers/{CIF}/tags", data={"csrf_token": token, "code": "KEY_FOLLOW", "expires_on": "2020-01-01"}
    )
    assert bad.status_code == 422
    assert 'data-field-error="expires_on">The expiry date must be after today.</div>' in bad.text
    # When am1 applies it properly: the tab shows it, with a remove button
    done = am1.post(f"/customers/{CIF}/tags", data={"csrf_token": token, "code": "KEY_FOLLOW", "note": "跟进"})
    assert done.status_code == 200
    assert 'data-tag="KEY_FOLLOW"' in done.text and 'data-testid="tag-remove-KEY_FOLLOW"' in done.text
    # Then the 360° view's badges, the list (filtered by the tag) and its export show it
    assert 'data-tag="KEY_FOLLOW" title="跟进">Key follow-up</span>' in am1.get(f"/customers/{CIF}/tags/badges").text
    assert f'hx-get="/customers/{CIF}/tags/badges"' in am1.get(f"/customers/{CIF}/360").text
    listed = am1.get("/customers?tag=KEY_FOLLOW").text
    assert CIF in listed and "88300000002" not in listed and 'data-tag="KEY_FOLLOW"' in listed
    export = am1.get("/customers/export.csv?tag=KEY_FOLLOW").text.splitlines()
    assert export[0].endswith(",Tags") and export[1].startswith(CIF) and export[1].endswith(",KEY_FOLLOW")
    assert len(export) == 2
    # When am1 removes it: the tab shows none now, and the history keeps both dates
    removed = am1.post(f"/customers/{CIF}/tags/KEY_FOLLOW/remove", data={"csrf_token": token})
    assert removed.status_code == 200 and 'id="tags-none"' in removed.text
    assert 'data-history-tag="KEY_FOLLOW"' in removed.text


def test_the_catalogue_page_is_for_tag_admins_and_adds_a_tag(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(make_client(), "am1").get("/admin/tags").status_code == 403
    admin = signed_in(make_client(), "admin")
    page = admin.get("/admin/tags")
    assert page.status_code == 200 and 'data-tag="SALARY"' in page.text
    token = csrf_from(page.text)
    form = {"csrf_token": token, "code": "BIRTHDAY_GIFT", "label_en": "Birthday gift", "label_zh": "生日礼遇"}
    bad = admin.post("/admin/tags", data=form | {"kind": "manual", "colour": "gold", "permission": "tag.apply"})
    assert bad.status_code == 422 and 'data-field-error="colour">Choose one of the palette' in bad.text
    added = admin.post(
        "/admin/tags",
        data=form | {"kind": "manual", "colour": "pink", "permission": "tag.apply"},
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (303, "/admin/tags?saved=created")
    assert 'data-tag="BIRTHDAY_GIFT"' in admin.get("/admin/tags?saved=created").text


def test_the_top_bar_search_shows_a_found_customers_tags(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given a customer entered through maker-checker (so a search finds it) and tagged by am1
    cif_no = approved(client, db, individual(db, home="BJ"))
    tagged = client.post(
        f"/api/v1/customers/{cif_no}/tags", json={"code": "KEY_FOLLOW"}, headers=token_for(client, "am1")
    )
    assert tagged.status_code == 201, tagged.text
    # When am1 searches for the CIF number in the top bar
    found = signed_in(make_client(), "am1").get(f"/search?q={cif_no}", headers={"hx-request": "true"})
    # Then the result shows the tag's label
    assert f'href="/customers/{cif_no}"' in found.text
    assert 'data-tag="KEY_FOLLOW">Key follow-up</span>' in found.text
