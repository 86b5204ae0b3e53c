"""The nightly ``segments`` step: members enter and leave with dates across runs; static lists stay; sizes daily."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text, update
from sqlalchemy.orm import Session

from bankcrm.models.insight import CustomerMonth
from bankcrm.models.segment import SegmentMember, SegmentSize
from bankcrm.segments.repository import segments as repository
from bankcrm.segments.service import membership
from tests.conftest import signed_in, token_for, unit_id, user_id
from tests.segments.helpers import periods, segment
from tests.segments.plant import A, B, C, E, plant

DAY1, DAY2 = date(2026, 11, 30), date(2026, 12, 1)


def test_members_enter_and_leave_across_two_nightly_runs_and_static_lists_stay(db: Session) -> None:
    # Given VIP customers A, B, E, a rule segment of VIPs and a static segment holding C
    found = plant(db, DAY1)
    vip = segment(db, "VIP", "rule", '{"feature": "tier", "op": "=", "value": "VIP"}')
    static = segment(db, "名单", "static", None)
    db.add(SegmentMember(segment_id=static.id, customer_id=found[C].id, entered_on=DAY1))
    # When the first run comes
    first = membership.refresh(db, today=DAY1)
    # Then A, B and E entered the VIP segment on day one; C stays in the static one
    assert (first.segments, first.entered, first.left, first.members) == (2, 3, 0, 4)
    assert periods(db, vip) == [(A, DAY1, None), (B, DAY1, None), (E, DAY1, None)]
    # Given B drops to mass and C rises to VIP before the second run
    for cif, tier in ((B, "MASS"), (C, "VIP")):
        db.execute(
            update(CustomerMonth)
            .where(CustomerMonth.customer_id == found[cif].id, CustomerMonth.month == date(2026, 11, 1))
            .values(tier=tier)
        )
    # When the second run comes
    second = membership.refresh(db, today=DAY2)
    # Then B left on day two, C entered on day two, the others stay; the static list is as it was
    assert (second.entered, second.left) == (1, 1)
    assert periods(db, vip) == [(A, DAY1, None), (B, DAY1, DAY2), (C, DAY2, None), (E, DAY1, None)]
    assert periods(db, static) == [(C, DAY1, None)]
    # And each day's size is kept for the trend (a rerun of a day replaces its row)
    membership.refresh(db, today=DAY2)
    sizes = db.execute(select(SegmentSize.segment_id, SegmentSize.day, SegmentSize.members).order_by(SegmentSize.day))
    assert sorted(tuple(r) for r in sizes) == sorted(  # type: ignore[misc]
        [(vip.id, DAY1, 3), (static.id, DAY1, 1), (vip.id, DAY2, 3), (static.id, DAY2, 1)]
    )
    assert periods(db, vip)[1] == (B, DAY1, DAY2)  # the rerun opened no second period


def test_a_customers_insight_lists_the_segments_the_reader_sees_that_the_customer_is_in_now(
    client: TestClient, db: Session
) -> None:
    # Given A in the bank's VIP segment, in am2's private list, and once in a segment A has left
    found = plant(db, DAY1)
    vip = segment(db, "VIP", "rule", '{"feature": "tier", "op": "=", "value": "VIP"}')
    private = segment(db, "am2 的名单", "static", None)
    private.visibility, private.owner_id, private.unit_id = "private", user_id(db, "am2"), unit_id(db, "SH")
    left = segment(db, "Left", "static", None)
    db.add(SegmentMember(segment_id=private.id, customer_id=found[A].id, entered_on=DAY1))
    db.add(SegmentMember(segment_id=left.id, customer_id=found[A].id, entered_on=DAY1, left_on=DAY2))
    membership.refresh(db, today=DAY1)
    # When am1 reads A's insight, and the insight tab
    body = client.get(f"/api/v1/customers/{A}/insight", headers=token_for(client, "am1")).json()
    tab = signed_in(client, "am1").get(f"/customers/{A}/tabs/insight").text
    # Then only the VIP segment is listed, with the day A entered it
    assert body["segments"] == [{"id": vip.id, "name": "VIP", "kind": "rule", "entered_on": "2026-11-30"}]
    assert f'data-segment="{vip.id}"' in tab
    assert f'data-segment="{private.id}"' not in tab and f'data-segment="{left.id}"' not in tab


def test_new_segments_filled_with_the_indexes_built_again_hold_the_same_periods_as_filled_entry_at_a_time(
    db: Session,
) -> None:
    # Given VIP customers A, B, E, a static list holding C, a rule segment already run and two new rule segments
    found = plant(db, DAY1)
    static = segment(db, "名单", "static", None)
    db.add(SegmentMember(segment_id=static.id, customer_id=found[C].id, entered_on=DAY1))
    held = segment(db, "Fell", "rule", '{"feature": "aum_avg", "change_pct_over_months": 3, "op": "<", "value": -20}')
    membership.refresh(db, today=DAY1)
    vip = segment(db, "VIP", "rule", '{"feature": "tier", "op": "=", "value": "VIP"}')
    rich = segment(db, "Rich", "rule", '{"feature": "aum_avg", "op": ">=", "value": 9000000}')
    # When the next run fills the new segments with the indexes dropped and built again, and (rolled back) when
    # it fills them entry at a time
    seen = {}
    for rebuild in (True, False):
        with db.begin_nested() as run:
            report = membership.refresh(db, today=DAY2, rebuild=rebuild)
            sizes = db.execute(select(SegmentSize.segment_id, SegmentSize.members).where(SegmentSize.day == DAY2))
            indexes = sorted(i["name"] for i in inspect(db.connection()).get_indexes("segment_member"))
            seen[rebuild] = (
                report,
                {row.name: periods(db, row) for row in (static, held, vip, rich)},
                sorted(tuple(r) for r in sizes),
                indexes,
                inspect(db.connection()).get_pk_constraint("segment_member")["constrained_columns"],
            )
            run.rollback()
    # Then both ways give the same report, periods and sizes: A, B, E entered VIP and A, E Rich on day two
    assert seen[True] == seen[False]
    report, held_periods, _, indexes, key = seen[True]
    assert (report.entered, report.left, report.members) == (5, 0, 8)
    assert held_periods["VIP"] == [(A, DAY2, None), (B, DAY2, None), (E, DAY2, None)]
    assert held_periods["Rich"] == [(A, DAY2, None), (E, DAY2, None)]
    assert held_periods["Fell"] == [(A, DAY1, None), (E, DAY1, None)]
    # And the table has its indexes and primary key back
    assert (indexes, key) == (["ix_segment_member_customer_id", "ix_segment_member_segment"], ["id"])


def test_a_bulk_fill_that_cannot_hold_the_table_against_a_reader_fills_entry_at_a_time_instead(
    db: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given VIP customers A, B, E, a new rule segment of VIPs, and another connection reading segment_member in an
    # open transaction (PostgreSQL: SQLite has one writer and no table locks to wait for)
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL table locks")
    plant(db, DAY1)
    vip = segment(db, "VIP", "rule", '{"feature": "tier", "op": "=", "value": "VIP"}')
    monkeypatch.setattr(repository, "LOCK_WAIT", "200ms")
    before = db.scalar(text("SELECT current_setting('lock_timeout')"))
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM segment_member"))
        # When the first run comes, asked to fill with the indexes built again
        report = membership.refresh(db, today=DAY1, rebuild=True)
        reader.rollback()
    # Then it gave up the lock after the wait and filled the segment with its indexes kept, exactly
    assert (report.entered, report.left, report.members) == (3, 0, 3)
    assert periods(db, vip) == [(A, DAY1, None), (B, DAY1, None), (E, DAY1, None)]
    # And the transaction's lock wait is its own again
    assert db.scalar(text("SELECT current_setting('lock_timeout')")) == before
