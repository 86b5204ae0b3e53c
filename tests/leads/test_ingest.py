"""The ``leads`` file type: good rows become assigned leads, bad ones are rejected with line, field and reason,
and a re-delivery changes nothing — on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.leads.service import rota
from bankcrm.models.lead import Lead
from tests.factories import make_customer
from tests.holdings.helpers import load, write_file


def row(ref: str, **over: str) -> dict[str, str]:
    """A prospect from the website."""
    return {
        "lead_ref": ref,
        "source": "WEB",
        "interest": "LOAN",
        "name": "王小二",
        "phone": "13900001111",
        "amount": "5000000",
        "unit": "BJ",
    } | over


def test_a_leads_file_loads_good_rows_rejects_bad_ones_and_is_idempotent(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given Beijing's loan rota (am1) and a customer of am1's
    rota.put(db, "BJ", "LOAN", ["am1"])
    make_customer(db, "90000000301", unit="BJ-CY-01", manager="am1")
    rows = [
        row("W-1"),
        row("W-2", cif_no="90000000301", name="", phone="", interest="WEALTH", unit=""),
        row("W-3", interest="wealth", phone="13900002222"),
        row("W-4", phone="", name="李四"),
        row("W-5", phone="12345"),
        row("W-6", cif_no="90000000999", name="", phone=""),
        row("W-7", phone="13900001111"),
        row("W-1", phone="13900003333"),
        row("W-8", unit="NOPE", phone="13900004444"),
    ]
    path = write_file(tmp_path / "leads.csv", "leads", rows)

    # When the website's file is loaded, and loaded again
    first = load(db, settings, path, "leads", source="WEBSITE")
    again = load(db, settings, path, "leads", source="WEBSITE")

    # Then two rows loaded and were assigned to am1 (by the rota and as the primary manager), the rest rejected
    # with their line, field and reason; the second delivery is recognised as the same file
    assert (first.run.rows_in, first.run.rows_loaded, first.run.rows_rejected) == (9, 2, 7)
    assert [(r.line, r.field) for r in first.rejects] == [
        (4, "interest"),
        (5, "phone"),
        (6, "phone"),
        (7, "cif_no"),
        (8, "phone"),
        (9, "lead_ref"),
        (10, "unit"),
    ]
    leads = db.scalars(select(Lead).order_by(Lead.external_ref)).all()
    assert [(x.external_ref, x.status, x.assigned_by_rule) for x in leads] == [
        ("W-1", "ASSIGNED", "ROTA_PRODUCT"),
        ("W-2", "ASSIGNED", "PRIMARY_MANAGER"),
    ]
    assert leads[0].phone_masked == "139****1111" and leads[0].phone_enc and leads[0].amount == 5_000_000
    assert again.unchanged

    # When a corrected file for the same day re-delivers W-1 and W-2 with a new W-9
    fixed = write_file(tmp_path / "fixed.csv", "leads", [rows[0], rows[1], row("W-9", phone="13900005555")])
    third = load(db, settings, fixed, "leads", source="WEBSITE")

    # Then only W-9 is new: the leads delivered before are left as they were
    assert (third.run.rows_loaded, third.run.rows_rejected) == (3, 0)
    assert db.scalar(select(func.count()).select_from(Lead)) == 3
