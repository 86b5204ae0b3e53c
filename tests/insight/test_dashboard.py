"""The value dashboard over hand-built snapshot rows of two months (December 2029 → January 2030): the exact tier
pyramid, tier-move matrix and AUM by branch × tier in fen, the scope, the exports; the contribution roll-up by
tier; the customer insight API with tags and contribution."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.errors import NotFound
from bankcrm.insight.service import dashboard
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.insight import CustomerMonth
from bankcrm.models.segment import Segment, SegmentMember
from bankcrm.models.value import CustomerContribution
from bankcrm.value.service import rollup
from tests.conftest import signed_in, token_for, unit_id, user_id
from tests.factories import make_customer
from tests.insight.helpers import snapshot_row
from tests.value.helpers import principal

PREV, NOW = date(2029, 12, 1), date(2030, 1, 1)
# cif: (home unit, kind, tier last month, tier this month, AUM month-end now, AUM month average now, contribution)
CUSTOMERS = {
    "90000007001": ("BJ-CY", "individual", "MASS", "VIP", 6_000_000, 5_500_000, 1_000),
    "90000007002": ("BJ-HD", "individual", "VIP", "VIP", 10_000_000, 9_000_000, 2_000),
    "90000007003": ("BJ", "individual", "WEALTH", "VIP", 40_000_000, 45_000_000, -500),
    "90000007004": ("BJ-CY", "individual", None, "MASS", 100_000, 50_000, 300),
    "90000007005": ("BJ-CY", "individual", "VIP", None, 0, 0, None),
    "90000007006": ("BJ-HD", "corporate", "C_GENERAL", "C_KEY", 600_000_000, 550_000_000, 10_000),
    "90000007007": ("SH", "individual", "PRIVATE", "PRIVATE", 700_000_000, 650_000_000, 5_000),
    "90000007008": ("BJ-XC", "individual", None, None, 0, 0, 700),  # contribution but no snapshot row
}


def _row(customer: Customer, month: date, kind: str, tier: str, aum_end: int, aum_avg: int) -> CustomerMonth:
    return snapshot_row(customer.id, customer.home_unit_id, month, kind, tier, aum_end, aum_avg)


def given_two_months(db: Session) -> None:
    """The customers above with their December and January rows and January's contribution."""
    for cif, (unit, kind, was, now, aum_end, aum_avg, amount) in CUSTOMERS.items():
        customer = make_customer(db, cif, unit=unit, manager=None, kind=kind)
        if was:
            db.add(_row(customer, PREV, kind, was, 1_000_000, 1_000_000))
        if now:
            db.add(_row(customer, NOW, kind, now, aum_end, aum_avg))
        if amount is not None:
            db.add(
                CustomerContribution(
                    customer_id=customer.id, month=NOW, kind="fee_income", ref="FEE", days=31, amount=amount, as_of=NOW
                )
            )
    db.flush()


def test_the_branch_manager_sees_the_exact_pyramid_moves_and_aum_of_the_subtree(db: Session) -> None:
    # Given the two months; when the Beijing branch manager opens the dashboard of January
    given_two_months(db)
    d = dashboard.dashboard(db, principal(db, "manager"), None, NOW, "en")
    # Then the pyramid has every tier, highest first per kind, with Beijing's customers and AUM in fen
    assert (d.unit, d.month, d.previous_month) == ("BJ", "2030-01", "2029-12")
    assert [(p.tier, p.customers, p.aum_end, p.aum_avg) for p in d.pyramid] == [
        ("PRIVATE", 0, 0, 0),
        ("WEALTH", 0, 0, 0),
        ("VIP", 3, 56_000_000, 59_500_000),
        ("MASS", 1, 100_000, 50_000),
        ("C_STRATEGIC", 0, 0, 0),
        ("C_KEY", 1, 600_000_000, 550_000_000),
        ("C_GENERAL", 0, 0, 0),
    ]
    # And the tier-move matrix counts each customer once: moved, stayed, new (no row before), gone (none now)
    assert {m.kind: [(c.from_tier, c.to_tier, c.customers) for c in m.cells] for m in d.migration} == {
        "individual": [
            (None, "MASS", 1),
            ("MASS", "VIP", 1),
            ("VIP", None, 1),
            ("VIP", "VIP", 1),
            ("WEALTH", "VIP", 1),
        ],
        "corporate": [("C_GENERAL", "C_KEY", 1)],
    }
    # And AUM by branch × tier puts each customer under Beijing's child their home lies in (BJ itself last)
    assert [(b.code, b.label) for b in d.branches] == [
        ("BJ-CY", "BJ-CY Chaoyang Sub-branch"),
        ("BJ-HD", "BJ-HD Haidian Sub-branch"),
        ("BJ", "BJ Beijing Branch (homed here)"),
    ]
    assert [(c.unit, c.tier, c.customers, c.aum_end) for c in d.aum_by_branch_tier] == [
        ("BJ", "VIP", 1, 40_000_000),
        ("BJ-CY", "VIP", 1, 6_000_000),
        ("BJ-CY", "MASS", 1, 100_000),
        ("BJ-HD", "VIP", 1, 10_000_000),
        ("BJ-HD", "C_KEY", 1, 600_000_000),
    ]
    # And the Pareto is the value module's of the same unit and month (value created 14,000 fen; top 1 % = F)
    assert [(p.top_pct, p.customers, p.share_pct) for p in d.pareto or []][:2] == [(1, 1, 71.4), (5, 1, 71.4)]
    assert d.pareto == rollup.rollup(db, principal(db, "manager"), "BJ", NOW, "branch", "en").pareto


def test_the_head_office_sees_the_bank_and_another_branch_is_404_audited_for_a_branch_manager(db: Session) -> None:
    # Given the two months
    given_two_months(db)
    # When the head office opens the bank's dashboard
    bank = dashboard.dashboard(db, principal(db, "product"), None, NOW, "zh_CN")
    # Then Shanghai's private-banking customer counts, and the branches are Beijing and Shanghai in Chinese
    assert [(p.tier, p.customers) for p in bank.pyramid if p.customers] == [
        ("PRIVATE", 1),
        ("VIP", 3),
        ("MASS", 1),
        ("C_KEY", 1),
    ]
    assert [(b.code, b.label) for b in bank.branches] == [("BJ", "BJ 北京分行"), ("SH", "SH 上海分行")]
    assert [(c.unit, c.tier, c.aum_end) for c in bank.aum_by_branch_tier if c.unit == "SH"] == [
        ("SH", "PRIVATE", 700_000_000)
    ]
    # When the Beijing manager narrows to Chaoyang, then asks for Shanghai
    manager = principal(db, "manager")
    chaoyang = dashboard.dashboard(db, manager, "BJ-CY", NOW, "en")
    with pytest.raises(NotFound) as caught:
        dashboard.dashboard(db, manager, "SH", NOW, "en")
    # Then Chaoyang holds A and D (E is gone), and Shanghai is refused and audited
    assert [(p.tier, p.customers) for p in chaoyang.pyramid if p.customers] == [("VIP", 1), ("MASS", 1)]
    assert [(c.from_tier, c.to_tier) for c in chaoyang.migration[0].cells] == [
        (None, "MASS"),
        ("MASS", "VIP"),
        ("VIP", None),
    ]
    assert caught.value.audit is not None and caught.value.audit["action"] == "authz.out_of_scope"


def test_the_contribution_roll_up_by_tier_uses_the_month_s_tier(db: Session) -> None:
    # Given the two months; when the Beijing manager rolls January's contribution up by tier
    given_two_months(db)
    read = rollup.rollup(db, principal(db, "manager"), None, NOW, "tier", "en")
    # Then each tier sums its customers' contribution; a customer without a snapshot row has no tier
    assert [(r.key, r.label, r.customers, r.amount) for r in read.rows] == [
        ("C_KEY", "Key corporate", 1, 10_000),
        ("VIP", "VIP", 3, 2_500),
        ("-", "No tier this month", 1, 700),
        ("MASS", "Mass", 1, 300),
    ]
    assert (read.customers, read.total) == (6, 13_500)


def test_the_value_page_offers_the_tier_roll_up_and_exports_it(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given the two months committed; when the Beijing manager picks the tier roll-up on the value page and exports it
    given_two_months(db)
    db.commit()
    browser = signed_in(make_client(), "manager")
    page = browser.get("/value?month=2030-01&by=tier")
    csv = browser.get("/value/export.csv?month=2030-01&by=tier").content.decode("utf-8-sig").splitlines()
    # Then the selector has it chosen and the rows are the tiers'
    assert '<option value="tier" selected>' in page.text and 'data-key="C_KEY" data-amount="10000"' in page.text
    assert csv[1:] == ["C_KEY,Key corporate,1,100.0", "VIP,VIP,3,25.0", "-,No tier this month,1,7.0", "MASS,Mass,1,3.0"]


def test_the_api_page_and_exports(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given the two months committed for the HTTP client
    given_two_months(db)
    db.commit()
    api = make_client()
    # When the branch manager asks the API, and the account manager (no dashboard permission) does too
    body = api.get("/api/v1/insight/dashboard?month=2030-01", headers=token_for(api, "manager"))
    refused = api.get("/api/v1/insight/dashboard?month=2030-01", headers=token_for(api, "am1"))
    other = api.get("/api/v1/insight/dashboard?unit=SH&month=2030-01", headers=token_for(api, "manager"))
    bad = api.get("/api/v1/insight/dashboard?month=2030-1x", headers=token_for(api, "manager"))
    # Then the API answers the same figures; the others are 403, 404 and 422 naming the month
    assert body.status_code == 200, body.text
    assert [(p["tier"], p["customers"]) for p in body.json()["pyramid"] if p["customers"]] == [
        ("VIP", 3),
        ("MASS", 1),
        ("C_KEY", 1),
    ]
    assert (refused.status_code, other.status_code, bad.status_code) == (403, 404, 422)
    assert bad.json()["errors"][0]["field"] == "month"
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("org_unit", "SH")]
    # When the manager opens the page and exports each table as CSV
    browser = signed_in(make_client(), "manager")
    page = browser.get("/insight/dashboard?month=2030-01")
    files = {p: browser.get(f"/insight/dashboard/export/{p}.csv?unit=BJ&month=2030-01") for p in dashboard_parts()}
    # Then the page shows the tables and the chart sources; each file holds the table's rows
    assert page.status_code == 200
    assert 'data-chart="tier-sankey"' in page.text and 'id="aum-table"' in page.text
    assert (
        'href="/insight/tiers?which=up&amp;month=2030-01&amp;from_tier=MASS&amp;to_tier=VIP&amp;unit=BJ"' in page.text
    )
    lines = {p: r.content.decode("utf-8-sig").splitlines() for p, r in files.items()}
    assert (
        lines["pyramid"][0] == 'Kind,Value tier,Tier code,Customers,"AUM, month-end (yuan)","AUM, month average (yuan)"'
    )
    assert lines["pyramid"][3] == "Individual,VIP,VIP,3,560000.00,595000.00"
    assert lines["migration"][1:] == [
        "Individual,New (no row last month),Mass,1",
        "Individual,Mass,VIP,1",
        "Individual,VIP,Gone (no row this month),1",
        "Individual,VIP,VIP,1",
        "Individual,Wealth,VIP,1",
        "Corporate,General corporate,Key corporate,1",
    ]
    assert lines["aum"][1] == "BJ,BJ Beijing Branch (homed here),VIP,VIP,1,400000.00"
    assert lines["pareto"][1] == "1,1,71.4"
    events = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "insight.dashboard_export")).all()
    assert sorted(events) == [
        "csv: aum, unit BJ, month 2030-01, 5 rows",
        "csv: migration, unit BJ, month 2030-01, 6 rows",
        "csv: pareto, unit BJ, month 2030-01, 12 rows",
        "csv: pyramid, unit BJ, month 2030-01, 7 rows",
    ]


def dashboard_parts() -> tuple[str, ...]:
    """The exportable tables."""
    return ("pyramid", "migration", "aum", "pareto")


def test_the_customer_insight_api_carries_tags_and_the_month_s_contribution(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given customer A with a manual tag, committed
    given_two_months(db)
    db.commit()
    api = make_client()
    a = "90000007001"
    tagged = api.post(f"/api/v1/customers/{a}/tags", json={"code": "KEY_FOLLOW"}, headers=token_for(api, "manager"))
    assert tagged.status_code == 201, tagged.text
    # When the branch manager and the lobby manager (no value.read) ask for January's insight
    body = api.get(f"/api/v1/customers/{a}/insight?month=2030-01", headers=token_for(api, "manager")).json()
    lobby = api.get(f"/api/v1/customers/{a}/insight?month=2030-01", headers=token_for(api, "lobby"))
    # Then the tier, the tag and the contribution line of January are there; without value.read no contribution
    assert (body["month"], body["tier"]["code"], body["tier_change"]) == ("2030-01", "VIP", None)
    assert [t["code"] for t in body["tags"]] == ["KEY_FOLLOW"]
    assert (body["contribution"]["month"], body["contribution"]["total"]) == ("2030-01", 1_000)
    assert [(line["kind"], line["amount"]) for line in body["contribution"]["lines"]] == [("fee_income", 1_000)]
    assert lobby.status_code == 200 and lobby.json()["contribution"] is None


def test_the_contribution_roll_up_by_segment_counts_the_month_s_members_of_segments_the_reader_sees(
    db: Session,
) -> None:
    # Given the two months, the bank's segment "VIP list" (001 entered in January, 002 left in January, 003 left
    # on January 1st) and am2's private segment holding 004
    given_two_months(db)
    ids = {c.cif_no: c.id for c in db.scalars(select(Customer).where(Customer.cif_no.like("9000000700%")))}
    bj, sh = unit_id(db, "BJ"), unit_id(db, "SH")
    shared = Segment(name="VIP list", kind="static", visibility="bank", owner_id=user_id(db, "manager"), unit_id=bj)
    private = Segment(name="am2's", kind="static", visibility="private", owner_id=user_id(db, "am2"), unit_id=sh)
    db.add_all([shared, private])
    db.flush()
    for segment, cif, entered, left in (
        (shared, "90000007001", date(2030, 1, 5), None),
        (shared, "90000007002", date(2029, 11, 1), date(2030, 1, 10)),
        (shared, "90000007003", date(2029, 11, 1), date(2030, 1, 1)),
        (private, "90000007004", date(2029, 11, 1), None),
    ):
        db.add(SegmentMember(segment_id=segment.id, customer_id=ids[cif], entered_on=entered, left_on=left))
    db.flush()
    # When the Beijing manager rolls January's contribution up by segment
    read = rollup.rollup(db, principal(db, "manager"), None, NOW, "segment", "en")
    # Then the shared segment sums 001 and 002; the rest (am2's segment unseen) are in no segment
    assert [(r.key, r.label, r.customers, r.amount) for r in read.rows] == [
        ("-", "In no segment you see", 4, 10_500),
        (str(shared.id), "VIP list", 2, 3_000),
    ]


def test_a_tier_move_link_lists_exactly_the_customers_of_its_cell_in_scope(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given the two months committed, the branch manager signed in
    given_two_months(db)
    db.commit()
    browser = signed_in(make_client(), "manager")
    cell = "/insight/tiers?which=up&month=2030-01&unit=BJ&from_tier={}&to_tier={}"

    def listed(url: str) -> list[str]:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        return sorted(c for c in CUSTOMERS if f'data-cif="{c}"' in page.text or f"/customers/{c}" in page.text)

    # When the manager follows the MASS → VIP and WEALTH → VIP cells of January under Beijing
    # Then each lists exactly the customers who moved so, with the move named on the page
    assert listed(cell.format("MASS", "VIP")) == ["90000007001"]
    assert listed(cell.format("WEALTH", "VIP")) == ["90000007003"]
    assert 'id="tier-move"' in browser.get(cell.format("MASS", "VIP")).text
    # And the same cell under Haidian has nobody (001 is in Chaoyang); a cell nobody moved in is empty
    assert listed(cell.format("MASS", "VIP").replace("unit=BJ", "unit=BJ-HD")) == []
    assert listed(cell.format("VIP", "MASS")) == []
    # And a unit outside the manager's scope is 404, an unknown tier 422 naming the field
    assert browser.get(cell.format("MASS", "VIP").replace("unit=BJ", "unit=SH")).status_code == 404
    bad = browser.get(cell.format("GOLD", "VIP"), headers={"Accept": "application/json"})
    assert bad.status_code == 422
    # And the export of the cell holds the same customer only
    exported = browser.get(cell.format("MASS", "VIP").replace("/insight/tiers?", "/insight/tiers/export.csv?"))
    assert exported.status_code == 200 and "90000007001" in exported.text and "90000007003" not in exported.text


def test_the_tier_watch_api_lists_one_cell_of_the_tier_move_matrix(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    # Given the two months committed and the branch manager's token
    given_two_months(db)
    db.commit()
    api = make_client()
    manager = token_for(api, "manager")
    url = "/api/v1/insight/tier-watch?which=up&month=2030-01"

    def cifs(query: str) -> list[str]:
        answer = api.get(f"{url}&{query}", headers=manager)
        assert answer.status_code == 200, answer.text
        return sorted(item["cif_no"] for item in answer.json()["items"])

    # When the manager asks for the MASS → VIP and WEALTH → VIP cells under Beijing
    # Then each lists exactly the customers who moved so, as the page's links do
    assert cifs("from_tier=MASS&to_tier=VIP&unit=BJ") == ["90000007001"]
    assert cifs("from_tier=WEALTH&to_tier=VIP&unit=BJ") == ["90000007003"]
    assert cifs("from_tier=MASS&to_tier=VIP&unit=BJ-HD") == []
    # And a unit outside the scope is 404; one tier alone, or a unit without a move, is 422 naming the field
    assert api.get(f"{url}&from_tier=MASS&to_tier=VIP&unit=SH", headers=manager).status_code == 404
    alone = api.get(f"{url}&from_tier=MASS", headers=manager)
    assert alone.status_code == 422 and "to_tier" in alone.text
    bare = api.get(f"{url}&unit=BJ", headers=manager)
    assert bare.status_code == 422 and "unit" in bare.text
    unknown = api.get(f"{url}&from_tier=GOLD&to_tier=VIP", headers=manager)
    assert unknown.status_code == 422 and "from_tier" in unknown.text
