"""The insight API and pages: features, a customer's insight, scope, tier watch lists and their export, the tab."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.insight import catalogue
from bankcrm.insight.service import snapshot
from bankcrm.models.audit import AuditEvent
from tests.conftest import signed_in, token_for
from tests.insight.helpers import AS_OF, CIF, given_the_hand_built_customer


def given_the_backfilled_customer(db: Session, settings: Settings, tmp_path: Path) -> None:
    """The hand-built customer (am1's, Beijing) with the snapshot backfilled as of 30 October 2026."""
    given_the_hand_built_customer(db, settings, tmp_path)
    snapshot.run(db, AS_OF, timezone=settings.timezone, backfill=True)
    db.commit()


def test_the_feature_catalogue_is_served_in_the_reader_s_language(client: TestClient) -> None:
    # When am1 asks for the features in Chinese
    body = client.get("/api/v1/features", headers=token_for(client, "am1") | {"Accept-Language": "zh-CN"}).json()
    # Then every catalogue entry is there in order, labelled in Chinese with both labels given
    assert [f["name"] for f in body] == [f.name for f in catalogue.features()]
    aum = next(f for f in body if f["name"] == "aum_avg")
    assert (aum["label"], aum["label_en"], aum["type"], aum["unit"], aum["month"]) == (
        "资产管理规模(AUM)月日均",
        "AUM, month average",
        "money",
        "fen",
        "current",
    )


def test_a_customer_s_insight_gives_tier_rfm_and_the_monthly_trend(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the backfilled customer
    given_the_backfilled_customer(db, settings, tmp_path)
    am1 = token_for(client, "am1")
    # When am1 reads the insight, for the newest month and for August
    latest = client.get(f"/api/v1/customers/{CIF}/insight", headers=am1).json()
    august = client.get(f"/api/v1/customers/{CIF}/insight?month=2026-08", headers=am1).json()
    bad = client.get(f"/api/v1/customers/{CIF}/insight?month=2026-8", headers=am1)
    # Then October is VIP with the same tier as September, the trend runs July to October
    assert (latest["month"], latest["as_of"], latest["tier"], latest["tier_change"]) == (
        "2026-10",
        "2026-10-30",
        {"code": "VIP", "label": "VIP"},
        0,
    )
    assert (latest["aum_end"], latest["aum_avg"]) == (5050000, 5050000)
    assert latest["rfm"] == {
        "recency": 1,
        "frequency": 1,
        "monetary": 1,
        "group": "GENERAL_RECALL",
        "group_label": "General recall",
    }
    assert [(p["month"], p["aum_end"], p["tier"], p["tier_change"]) for p in latest["trend"]] == [
        ("2026-07", 100000, "MASS", None),
        ("2026-08", 5200000, "MASS", 0),
        ("2026-09", 5050000, "VIP", 1),
        ("2026-10", 5050000, "VIP", 0),
    ]
    # And August's view ends in August; a month not written YYYY-MM is a 422 naming the field
    assert (august["month"], [p["month"] for p in august["trend"]]) == ("2026-08", ["2026-07", "2026-08"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"
    # And the tags, segments and contribution are there (none carried, in none, no lines computed)
    assert (latest["tags"], latest["segments"]) == ([], [])
    assert (latest["contribution"]["month"], latest["contribution"]["lines"]) == ("2026-10", [])


def test_a_customer_outside_the_reader_s_scope_is_404_and_audited(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the Beijing customer backfilled
    given_the_backfilled_customer(db, settings, tmp_path)
    # When am2 (Shanghai) asks for the insight, and the insight tab
    api = client.get(f"/api/v1/customers/{CIF}/insight", headers=token_for(client, "am2"))
    tab = signed_in(client, "am2").get(f"/customers/{CIF}/tabs/insight")
    # Then both are 404, audited as out-of-scope attempts on the customer
    assert (api.status_code, tab.status_code) == (404, 404)
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz.out_of_scope")).all()
    assert [(e.entity_type, e.entity_id) for e in denied] == [("customer", CIF), ("customer", CIF)]


def test_the_tier_watch_lists_show_moves_and_near_drops_in_scope_and_export(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the customer moved up to VIP in September and in October averages 50,500.00, within 10 % of 50,000.00
    given_the_backfilled_customer(db, settings, tmp_path)
    am1, am2 = token_for(client, "am1"), token_for(client, "am2")

    def cifs(query: str, headers: dict[str, str]) -> list[str]:
        return [r["cif_no"] for r in client.get(f"/api/v1/insight/tier-watch?{query}", headers=headers).json()["items"]]

    # Then for am1 the customer moved up in September, not in October, and is near dropping in October
    assert cifs("which=up&month=2026-09", am1) == [CIF]
    assert cifs("which=up", am1) == []
    assert cifs("which=down&month=2026-09", am1) == []
    assert cifs("which=near", am1) == [CIF]
    # And am2 (Shanghai) sees none of it; an unknown list is a 422 naming it
    assert cifs("which=near", am2) == []
    bad = client.get("/api/v1/insight/tier-watch?which=sideways", headers=am1)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "which"
    # And the page lists it, and the export is one audited CSV row with the name as the list shows it
    browser = signed_in(client, "am1")
    page = browser.get("/insight/tiers?which=near")
    assert page.status_code == 200 and f'data-cif="{CIF}"' in page.text
    csv = browser.get("/insight/tiers/export.csv?which=near")
    lines = csv.content.decode("utf-8-sig").splitlines()
    item = client.get("/api/v1/insight/tier-watch?which=near", headers=am1).json()["items"][0]
    assert lines[1].split(",")[:6] == [CIF, item["customer_name"], "BJ", "2026-10", "VIP", "VIP"]
    assert lines[1].split(",")[6:] == ["0", "50500.00", "50500.00", "80000.00", "50000.00"]
    exported = db.scalars(select(AuditEvent).where(AuditEvent.action == "insight.tier_watch_export")).all()
    assert len(exported) == 1


def test_the_insight_tab_shows_tier_rfm_and_the_trend_as_chart_and_table(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the backfilled customer
    given_the_backfilled_customer(db, settings, tmp_path)
    # When am1 opens the insight tab
    tab = signed_in(client, "am1").get(f"/customers/{CIF}/tabs/insight")
    # Then it shows October's tier and RFM group, the chart's data block and the table, newest month first
    assert tab.status_code == 200
    assert 'data-insight="tier">VIP' in tab.text and "General recall" in tab.text
    assert '"months": ["2026-07", "2026-08", "2026-09", "2026-10"]' in tab.text
    assert '"values": ["1000.00", "52000.00", "50500.00", "50500.00"]' in tab.text
    rows = tab.text.split('id="insight-trend-table"')[1]
    assert [m for m in ("2026-10", "2026-09", "2026-08", "2026-07") if f'data-month="{m}"' in rows] == [
        "2026-10", "2026-09", "2026-08", "2026-07"
    ]  # fmt: skip
    assert "<script>" not in tab.text
