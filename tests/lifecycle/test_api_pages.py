"""The lifecycle API and pages: a customer's stage and moves, scope, the distribution, flows, export, the tab."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.lifecycle.service import run as lifecycle_run
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for
from tests.factories import make_customer
from tests.lifecycle.helpers import given_a_customer_over, held

CIF, OTHER, NEVER = "91000000020", "91000000021", "91000000022"


def given_two_beijing_customers(db: Session) -> None:
    """One declining (July to October 2026) and one new in October, both am1's in Beijing; months evaluated."""
    given_a_customer_over(db, CIF, [held(1, 100000), held(1, 100000), held(1, 100000), held(1, 70000)])
    given_a_customer_over(db, OTHER, [held(1, 5000, tenure=1)], first=date(2026, 10, 1))
    lifecycle_run.run(db, today=date(2026, 11, 2), full=True)
    db.commit()


def test_a_customer_s_lifecycle_gives_stage_since_and_moves_in_both_languages(client: TestClient, db: Session) -> None:
    # Given the two Beijing customers evaluated
    given_two_beijing_customers(db)
    am1 = token_for(client, "am1")
    # When am1 reads the declining customer's lifecycle in English and in Chinese
    en = client.get(f"/api/v1/customers/{CIF}/lifecycle", headers=am1).json()
    zh = client.get(f"/api/v1/customers/{CIF}/lifecycle", headers=am1 | {"Accept-Language": "zh-CN"}).json()
    # Then it is declining since October by the AUM rule, with both moves newest first, in words
    assert {k: en[k] for k in ("cif_no", "stage", "stage_label", "since", "rule", "evaluated_month")} == {
        "cif_no": CIF,
        "stage": "DECLINE",
        "stage_label": "Decline",
        "since": "2026-10",
        "rule": "DECLINE_AUM",
        "evaluated_month": "2026-10",
    }
    assert en["history"] == [
        {
            "month": "2026-10",
            "from_stage": {"code": "FORMATION", "label": "Formation (growth)"},
            "to_stage": {"code": "DECLINE", "label": "Decline"},
            "rule": "DECLINE_AUM",
            "rule_label": "AUM down 30% or more over 3 months",
            "figures": {"aum_change_3m_pct": -30.0},
            "explanation": "AUM down 30% or more over 3 months: AUM change over 3 months −30.0 %",
        },
        {
            "month": "2026-07",
            "from_stage": None,
            "to_stage": {"code": "FORMATION", "label": "Formation (growth)"},
            "rule": "START_FORMATION",
            "rule_label": "First evaluated: holds products",
            "figures": {"products": 1},
            "explanation": "First evaluated: holds products: Products held 1",
        },
    ]
    assert (zh["stage_label"], zh["history"][0]["explanation"]) == (
        "退化期",
        "3个月内AUM下降30%及以上: 3个月AUM变动 −30.0 %",
    )


def test_a_customer_never_evaluated_is_a_prospect(client: TestClient, db: Session) -> None:
    # Given a customer with no product and no snapshot row
    make_customer(db, NEVER)
    db.commit()
    # When am1 reads the lifecycle
    body = client.get(f"/api/v1/customers/{NEVER}/lifecycle", headers=token_for(client, "am1")).json()
    # Then the customer is a prospect with no moves
    assert (body["stage"], body["since"], body["rule"], body["history"]) == ("PROSPECT", None, None, [])


def test_a_customer_outside_the_reader_s_scope_is_404_and_audited(client: TestClient, db: Session) -> None:
    # Given the Beijing customers evaluated
    given_two_beijing_customers(db)
    # When am2 (Shanghai) asks for one by the API and by the tab
    api = client.get(f"/api/v1/customers/{CIF}/lifecycle", headers=token_for(client, "am2"))
    tab = signed_in(client, "am2").get(f"/customers/{CIF}/tabs/lifecycle")
    # Then both are 404, and audited
    assert (api.status_code, tab.status_code) == (404, 404)
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("customer", CIF), ("customer", CIF)]


def test_the_distribution_by_branch_and_tier_and_the_flows(client: TestClient, db: Session) -> None:
    # Given the Beijing customers evaluated
    given_two_beijing_customers(db)
    # When the head office asks for October's distribution, and am2 asks for Beijing's
    body = client.get("/api/v1/lifecycle/distribution?month=2026-10", headers=token_for(client, "product")).json()
    out = client.get("/api/v1/lifecycle/distribution?unit=BJ", headers=token_for(client, "am2"))
    bad = client.get("/api/v1/lifecycle/distribution?month=2026-13", headers=token_for(client, "product"))
    # Then one is declining and one in acquisition, both under Beijing and both mass customers
    assert (body["unit"], body["month"], body["previous_month"], body["totals"]) == (
        "HO",
        "2026-10",
        "2026-09",
        {"ACQUISITION": 1, "DECLINE": 1},
    )
    assert [s["code"] for s in body["stages"]][:3] == ["PROSPECT", "ACQUISITION", "FORMATION"]
    assert [(r["key"], r["counts"], r["total"]) for r in body["by_branch"]] == [
        ("BJ", {"ACQUISITION": 1, "DECLINE": 1}, 2)
    ]
    assert [(r["key"], r["label"], r["total"]) for r in body["by_tier"]] == [("MASS", "Mass", 2)]
    # And the flows: growth to decline, and one new to the snapshot
    assert body["flows"] == [
        {"from_stage": None, "to_stage": "ACQUISITION", "customers": 1},
        {"from_stage": "FORMATION", "to_stage": "DECLINE", "customers": 1},
    ]
    # And Beijing is 404 for am2 (audited); a month not YYYY-MM is a 422 naming it
    assert out.status_code == 404
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("org_unit", "BJ")]
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"


def test_the_page_its_chart_data_export_and_the_tab(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Given the Beijing customers evaluated, and the branch manager signed in
    given_two_beijing_customers(db)
    browser = signed_in(make_client(), "manager")
    # When the manager opens the lifecycle page, its chart data, the CSV export and a customer's tab
    page = browser.get("/lifecycle")
    chart = browser.get("/lifecycle/chart.json").json()
    export = browser.get("/lifecycle/export.csv")
    tab = browser.get(f"/customers/{CIF}/tabs/lifecycle")
    # Then the page shows the tables and the flows matrix, the Sankey links name both months
    assert page.status_code == 200
    assert 'id="lifecycle-branches"' in page.text and 'id="lifecycle-flows"' in page.text
    assert chart["links"] == [
        {"source": "Not in the snapshot before (2026-09)", "target": "Acquisition (2026-10)", "value": 1},
        {"source": "Formation (growth) (2026-09)", "target": "Decline (2026-10)", "value": 1},
    ]
    # And the export counts per stage, audited
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Grouped by,Key,Name,Prospect,Acquisition,Formation (growth),Stable,Decline,Lost,Won back,Total"
    )
    assert lines[2] == "Value tier,MASS,Mass,0,1,0,0,1,0,0,2"
    events = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "lifecycle.export")).all()
    assert list(events) == ["csv: unit BJ, month 2026-10, 1 branches"]
    # And the tab shows the stage and the moves
    assert tab.status_code == 200 and 'data-stage="DECLINE"' in tab.text and 'data-rule="DECLINE_AUM"' in tab.text
