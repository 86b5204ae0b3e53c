"""The pages: the builder's live preview, saving from the form, a segment's page with trend, members and exports."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.audit import AuditEvent
from tests.conftest import csrf_from, signed_in
from tests.segments.plant import A, B, E, plant

FELL = {
    "all": [
        {"feature": "tier", "op": "=", "value": "VIP"},
        {"feature": "aum_avg", "change_pct_over_months": 3, "op": "<", "value": -20},
    ]
}


def test_the_builder_previews_saves_and_the_segment_page_lists_and_exports_members(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given the customers and the branch manager on the builder page
    plant(db, today_in(settings.timezone))
    manager = signed_in(client, "manager")
    page = manager.get("/segments/new")
    assert page.status_code == 200 and 'id="segment-builder"' in page.text
    assert '<script src="/static/js/segments.js" defer></script>' in page.text
    token = csrf_from(page.text)
    # When the builder asks for the live count of VIPs whose AUM fell more than 20% in 3 months
    shown = manager.post("/segments/preview", data={"csrf_token": token, "spec": json.dumps(FELL)})
    # Then it shows the count and the masked sample in scope (A; E is in Shanghai)
    assert 'data-count="1"' in shown.text and f'data-cif="{A}"' in shown.text and E not in shown.text
    # And a fault is shown naming the part
    bad = manager.post("/segments/preview", data={"csrf_token": token, "spec": '{"all": [{"feature": "x"}]}'})
    assert 'data-part="spec.all[0].feature"' in bad.text
    # When it is saved
    body = {
        "csrf_token": token,
        "name": "贵宾流失预警",
        "description": "",
        "visibility": "unit",
        "spec": json.dumps(FELL),
    }
    saved = manager.post("/segments/new", data=body, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    # Then its page says the rule in words, the day's size in a table, and A as a member
    detail = manager.get(saved.headers["location"])
    assert "Value tier is VIP and AUM, month average changed over 3 months by a percentage that is below -20%" in (
        detail.text
    )
    assert f'data-cif="{A}"' in detail.text and B not in detail.text
    assert f'data-day="{today_in(settings.timezone).isoformat()}"' in detail.text
    assert "贵宾流失预警" in manager.get("/segments").text
    # And the export holds the members in scope, and is audited
    exported = manager.get(saved.headers["location"] + "/export.csv")
    assert exported.status_code == 200 and A in exported.text
    assert db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "segment.exported")).all() == [
        "csv: 1 members"
    ]


def test_a_list_upload_names_the_unknown_numbers_on_the_segment_page(
    client: TestClient, db: Session, settings: Settings
) -> None:
    # Given the customers and am1 on the list page
    plant(db, today_in(settings.timezone))
    am1 = signed_in(client, "am1")
    token = csrf_from(am1.get("/segments").text)
    # When am1 uploads A and a number not on file
    shown = am1.post("/segments/static", data={"csrf_token": token, "name": "名单", "cif_nos": f"{A}\n88249999999\n"})
    # Then the page lists A as a member and names the unknown number
    assert shown.status_code == 200
    assert 'id="segment-unknown"' in shown.text and "88249999999" in shown.text and f'data-cif="{A}"' in shown.text
