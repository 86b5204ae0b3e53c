"""Corporate groups through the list component: sort with the group id as tie-breaker, exact and masked export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.audit import AuditEvent
from bankcrm.models.group import CorporateGroup, CorporateGroupMember
from tests.conftest import signed_in, token_for
from tests.holdings.helpers import make_customer

T0 = datetime(2026, 11, 25, 4, 0, 0, tzinfo=UTC)


def _groups(db: Session) -> tuple[int, int, int]:
    """Three proposed groups derived at one time: a Beijing core with a Shanghai member (2 members, 800 yuan
    exposure), a Beijing core (3 members, 500), and a Shanghai core (2 members, 700) that am1 may not see."""
    made = []
    cases = (("91000000301", "BJ", "am1", 2, 60_000), ("91000000302", "BJ", "am1", 3, 30_000))
    cases += (("91000000303", "SH", "am2", 2, 50_000),)
    for cif_no, unit, manager, members, loans in cases:
        core = make_customer(db, cif_no, unit=unit, manager=manager, name=f"核心{cif_no[-1]}有限公司", kind="corporate")
        group = CorporateGroup(
            core_customer_id=core.id,
            status="PROPOSED",
            fingerprint=cif_no.rjust(64, "0"),
            shape="s" * 64,
            member_count=members,
            controller_count=0,
            loan_balance=loans,
            guarantees_given=20_000,
            deposit_balance=10_000,
            derived_at=T0,
            refreshed_at=T0,
        )
        db.add(group)
        db.flush()
        db.add(CorporateGroupMember(group_id=group.id, customer_id=core.id, role="CORE", depth=0))
        made.append(group.id)
    # the first group also holds a Shanghai company: am1 sees the group, but not its totals
    outside = make_customer(db, "91000000304", unit="SH", manager="am2", name="上海成员有限公司", kind="corporate")
    db.add(CorporateGroupMember(group_id=made[0], customer_id=outside.id, role="MEMBER", depth=1))
    db.commit()
    return made[0], made[1], made[2]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-testid="group-(\d+)">', html)]


def test_sorting_by_members_or_exposure_breaks_ties_by_group_id(client: TestClient, db: Session) -> None:
    a, b, c = _groups(db)
    page = signed_in(client, "risk")
    assert _ids(page.get("/groups").text) == [c, b, a]  # newest first (one time: higher id first), as before
    assert _ids(page.get("/groups?sort=member_count").text) == [a, c, b]
    assert _ids(page.get("/groups?status=proposed&sort=-member_count").text) == [b, a, c]
    # exposure: a 600 + 200 = 800 yuan, b 300 + 200 = 500, c 500 + 200 = 700
    api = client.get("/api/v1/groups?sort=-credit_exposure", headers=token_for(client, "risk")).json()
    assert [g["id"] for g in api["items"]] == [a, c, b]
    assert [g["credit_exposure"] for g in api["items"]] == [80_000, 70_000, 50_000]
    assert (api["total"], api["pages"]) == (3, 1)
    bad = client.get("/api/v1/groups?sort=fingerprint", headers=token_for(client, "risk"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_export_keeps_the_masking_of_the_screen(client: TestClient, db: Session) -> None:
    a, b, _sh = _groups(db)
    page = signed_in(client, "am1")
    html = page.get("/groups?sort=-member_count").text
    assert 'href="/groups/export.csv?sort=-member_count"' in html
    # am1 sees the Beijing groups; the one with a Shanghai member keeps its totals hidden, as on screen
    response = page.get("/groups/export.csv?sort=-member_count", headers={"Accept-Language": "zh-CN"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    when = "2026-11-25 04:00:00"
    assert rows == [
        ["集团", "客户号", "核心企业", "状态", "成员", "授信敞口（元）", "存款余额（元）", "识别时间"],
        [str(b), "91000000302", "核心2有限公司", "PROPOSED", "3", "500.00", "100.00", when],
        [str(a), "91000000301", "核心1有限公司", "PROPOSED", "2", "", "", when],
    ]
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "corporate_group.export",
        "am1",
        "2 rows; status=proposed sort=-member_count",
    )
