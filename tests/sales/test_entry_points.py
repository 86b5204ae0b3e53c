"""Ways into the sales and referral forms: Refer and New opportunity on the top-bar search's customers and the
customer page, and the target form's drop-downs (kinds of the catalogue, staff under the unit)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.sales import SalesTarget
from tests.conftest import csrf_from, signed_in
from tests.factories import approved, individual


def test_a_teller_refers_a_customer_found_in_the_top_bar(client: TestClient, db: Session) -> None:
    # Given a Wangjing customer entered through maker-checker (so a search finds it)
    cif = approved(client, db, individual(db, home="BJ-CY-01"))
    teller = signed_in(client, "teller")
    # When the teller searches for them (the top bar's drop-down) and follows Refer
    found = teller.get(f"/search?q={cif}", headers={"hx-request": "true"})
    form = teller.get(f"/referrals?cif_no={cif}")
    # Then the result offers Refer (and no New opportunity: a teller opens none), the form has the customer picked
    assert f'href="/referrals?cif_no={cif}" data-testid="refer-{cif}"' in found.text
    assert f'data-testid="opportunity-{cif}"' not in found.text
    assert f'id="r-cif" name="cif_no" maxlength="11" value="{cif}"' in form.text


def test_an_account_manager_opens_an_opportunity_from_the_search_and_the_customer_page(
    client: TestClient, make_client, db: Session
) -> None:
    # Given a Beijing customer entered through maker-checker
    cif = approved(client, db, individual(db, home="BJ"))
    am1 = signed_in(make_client(), "am1")
    # When am1 searches for them and opens their page, then follows New opportunity
    found = am1.get(f"/search?q={cif}", headers={"hx-request": "true"})
    page = am1.get(f"/customers/{cif}")
    form = am1.get(f"/opportunities/new?cif_no={cif}")
    # Then both link to the form with the customer prefilled
    assert f'href="/opportunities/new?cif_no={cif}" data-testid="opportunity-{cif}"' in found.text
    assert f'href="/opportunities/new?cif_no={cif}" id="new-opportunity"' in page.text
    assert f'value="{cif}"' in form.text


def test_the_target_form_offers_the_kinds_and_the_staff_under_the_unit(client: TestClient, db: Session) -> None:
    # Given the Beijing branch manager on the dashboard
    browser = signed_in(client, "manager")
    page = browser.get("/sales/dashboard?unit=BJ&period=2026-12")
    zh = browser.get("/sales/dashboard?unit=BJ&period=2026-12", headers={"Accept-Language": "zh-CN"})
    # When they pick AUM growth for am1 from the drop-downs and set 1,000,000.00 yuan
    form = page.text.split('id="target-form"')[1].split("</form>")[0]
    data = {"csrf_token": csrf_from(page.text), "period": "2026-12", "unit": "BJ", "kind": "AUM_GROWTH"}
    saved = browser.post("/sales/targets", data=data | {"manager": "am1", "value": "100000000"}, follow_redirects=False)
    # Then the kinds are the catalogue's, the managers Beijing's staff (not Shanghai's am2) after the unit itself,
    # in Chinese too, and the target is set for am1
    kinds = [o.split('"')[0] for o in form.split('id="target-kind"')[1].split("</select>")[0].split('value="')[1:]]
    managers = form.split('id="target-manager"')[1].split("</select>")[0]
    assert kinds[:4] == ["NEW_CUSTOMERS", "AUM_GROWTH", "DEPOSITS", "LOANS"]
    assert managers.startswith(' class="form-select" aria-label="Manager"><option value="">The unit itself</option>')
    assert 'value="am1">李明 Li Ming<' in managers and 'value="am2"' not in managers
    assert "机构本身" in zh.text and ">AUM增长<" in zh.text
    assert saved.status_code == 303
    row = db.scalars(select(SalesTarget).where(SalesTarget.period == "2026-12", SalesTarget.kind == "AUM_GROWTH"))
    assert [(t.manager_id is not None, t.value) for t in row] == [(True, 100_000_000)]
