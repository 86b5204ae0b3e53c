"""The value routes over HTTP: the customer tab in both languages, the roll-up API and its scope, the export
(audited), and the transfer-pricing page's maker-checker through the browser forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.value import PricingChange
from bankcrm.value.service import compute
from tests.conftest import csrf_from, signed_in, token_for
from tests.value.helpers import AS_OF, OCT, given_customer_a

CIF = "90000000501"


def _october(db: Session) -> None:
    given_customer_a(db)
    compute.compute_month(db, OCT, AS_OF, "Asia/Shanghai")
    db.commit()


def test_the_customer_tab_explains_each_line_in_english_and_chinese(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given customer A's October computed
    _october(db)
    # When am1 opens the contribution tab for October in English, then in Chinese
    english = signed_in(make_client(), "am1").get(f"/customers/{CIF}/tabs/contribution?month=2026-10")
    chinese = signed_in(make_client(), "am1")
    chinese.cookies.set("bankcrm_lang", "zh_CN")
    zh = chinese.get(f"/customers/{CIF}/tabs/contribution?month=2026-10")
    # Then the deposit line's arithmetic is spelled out in each language, with the trend's data table
    assert english.status_code == 200 and zh.status_code == 200
    assert "average balance 1,500,000.00 × (FTP 2% − customer rate 1.5%) × 31/365 days = 636.99" in english.text
    assert "日均余额 1,500,000.00 ×（FTP 2% − 客户利率 1.5%）× 31/365 天 = 636.99" in zh.text
    assert 'data-month="2026-10"' in english.text and 'data-chart="contribution-trend"' in english.text
    # And the API gives the same lines with the 12 monthly totals
    api = make_client()
    body = api.get(f"/api/v1/customers/{CIF}/contribution?month=2026-10", headers=token_for(api, "am1")).json()
    assert (len(body["lines"]), body["lines"][0]["amount"], len(body["trend"])) == (15, 63_699, 12)
    assert body["trend"][-2:] == [{"month": "2026-09", "total": None}, {"month": "2026-10", "total": body["total"]}]


def test_the_roll_up_api_and_its_scope(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given customer A's October computed (homed in Beijing)
    _october(db)
    client = make_client()
    # When the head office asks for Beijing by manager, and the Beijing manager asks for Shanghai
    bj = client.get("/api/v1/value/contribution?unit=BJ&month=2026-10&by=manager", headers=token_for(client, "product"))
    sh = client.get("/api/v1/value/contribution?unit=SH&month=2026-10", headers=token_for(client, "manager"))
    # Then Beijing splits A 70/30 between its managers; Shanghai is 404 for the Beijing manager, audited
    assert bj.status_code == 200, bj.text
    assert [(r["label"], r["amount"]) for r in bj.json()["rows"]] == [
        ("陈静 Chen Jing", -4_264_049),
        ("李明 Li Ming", -9_949_447),
    ]
    assert sh.status_code == 404
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("org_unit", "SH")]


def test_the_export_is_audited(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given October computed
    _october(db)
    # When the head office exports the Beijing roll-up as CSV
    response = signed_in(make_client(), "product").get("/value/export.csv?unit=BJ&month=2026-10&by=branch")
    # Then the file names the branch row and the export is in the audit log
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Key,Name,Customers,Contribution (yuan)"
    assert lines[1].startswith("BJ-CY,BJ-CY ") and lines[1].endswith(",1,-142134.95")
    events = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "contribution.export")).all()
    assert list(events) == ["csv: unit BJ, month 2026-10, by branch, 1 rows"]


def test_the_pricing_page_needs_a_second_person(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given the product manager on the transfer-pricing page
    maker = signed_in(make_client(), "product")
    page = maker.get("/value/pricing")
    assert page.status_code == 200
    # When she proposes a 1-year CNY rate of 2.10 % from next January
    form = {"csrf_token": csrf_from(page.text), "effective_from": "2099-01-01", "reason": "Cheaper funding"}
    form["ftp.CNY.Y1"] = "2.10"
    proposed = maker.post("/value/pricing/changes", data=form, follow_redirects=False)
    assert proposed.status_code == 303, proposed.text
    change = db.scalars(select(PricingChange)).one()
    assert (change.status, change.maker_name) == ("submitted", "product")
    # Then her own page offers her no approval, and approving it herself is refused
    own = maker.get("/value/pricing")
    assert f'data-testid="approve-{change.id}"' not in own.text
    refused = maker.post(
        f"/value/pricing/changes/{change.id}/decision",
        data={"csrf_token": csrf_from(own.text), "approve": "yes"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    db.refresh(change)
    assert change.status == "submitted"
    # When the risk manager approves it
    checker = signed_in(make_client(), "risk")
    theirs = checker.get("/value/pricing")
    assert f'data-testid="approve-{change.id}"' in theirs.text
    approved = checker.post(
        f"/value/pricing/changes/{change.id}/decision",
        data={"csrf_token": csrf_from(theirs.text), "approve": "yes"},
        follow_redirects=False,
    )
    # Then it is approved by her, and the API shows the new rate in force from that day
    assert approved.status_code == 303
    db.refresh(change)
    assert (change.status, change.checker_name) == ("approved", "risk")
    api = make_client()
    later = api.get("/api/v1/value/pricing?day=2099-01-01", headers=token_for(api, "risk")).json()
    assert (later["ftp"]["CNY"]["Y1"], later["ftp"]["CNY"]["Y2"], later["effective_from"]) == (210, 220, "2099-01-01")


def test_the_value_page_shows_each_roll_up_with_its_pareto_table(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given October computed for customer A, in no household or group
    _october(db)
    browser = signed_in(make_client(), "manager")
    pages = {by: browser.get(f"/value?month=2026-10&by={by}") for by in ("branch", "manager", "household", "group")}
    # Then each page answers with its rows, the loss-making count, the Pareto table and its chart's data source
    assert {by: p.status_code for by, p in pages.items()} == dict.fromkeys(pages, 200)
    assert 'data-key="BJ-CY"' in pages["branch"].text
    assert "In no household" in pages["household"].text and "In no corporate group" in pages["group"].text
    assert 'data-top="100"' in pages["manager"].text
    assert "Customers costing more than they bring: 1 (-142,134.95 yuan)" in pages["branch"].text
    pareto = browser.get("/value/pareto.json?month=2026-10").json()
    assert (pareto["x"][-1], pareto["share"][-1]) == (100, None)  # no customer creates value: no share
