"""A tags file: imported tags added and removed; rejects with line, field and reason; re-deliveries replace."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerAlias, CustomerMerge
from bankcrm.models.tag import CustomerTag
from tests.factories import make_customer
from tests.holdings.helpers import DAY, load, reasons, write_file
from tests.ingest.snapshot import table_checksums

P1, P2, P3 = "94000000001", "94000000002", "94000000003"
OLD = "94000000009"  # merged into P3: its number finds P3
NEXT_DAY = DAY + timedelta(days=1)


def given_customers(db: Session) -> None:
    for cif in (P1, P2, P3):
        make_customer(db, cif)
    merged = make_customer(db, OLD)
    merged.status = "MERGED"
    survivor = db.scalars(select(Customer).where(Customer.cif_no == P3)).one()
    merge = CustomerMerge(
        survivor_id=survivor.id, merged_id=merged.id, merged_cif_no=OLD, snapshot_enc="", status="merged"
    )
    db.add(merge)
    db.flush()
    db.add(CustomerAlias(cif_no=OLD, customer_id=survivor.id, merge_id=merge.id))
    db.flush()


def row(cif: str, tag: str, action: str = "add", note: str = "") -> dict[str, str]:
    return {"cif_no": cif, "tag": tag, "action": action, "note": note}


def tags(db: Session) -> list[tuple[str, str, str, bool]]:
    """(CIF, tag, source, carried now) of every customer-tag row, by id."""
    db.expire_all()
    people = {c.id: c.cif_no for c in db.scalars(select(Customer))}
    rows = db.scalars(select(CustomerTag).order_by(CustomerTag.id))
    return [(people[r.customer_id], r.tag_code, r.source, r.removed_at is None) for r in rows]


def test_each_rule_rejects_its_row_and_the_good_rows_load(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given customers, P2 already carrying STAFF, and a GBK file with good rows and one row per rule
    given_customers(db)
    load(db, settings, write_file(tmp_path / "a.csv", "tags", [row(P2, "STAFF")]), "tags", source="PAYROLL")
    rows = [
        row(P1, "STAFF", note="总行员工"),  # 2 good
        row(P2, "STAFF", "remove"),  # 3 good: closes P2's tag
        row(OLD, "PAYROLL_UNIT"),  # 4 good: the merged number tags the survivor P3
        row("94000000077", "STAFF"),  # 5 unknown customer
        row(P1, "NOPE"),  # 6 unknown tag
        row(P1, "HNW"),  # 7 a rule tag: not delivered in files
        row(P1, "KEY_FOLLOW"),  # 8 a manual tag: neither
        row(P1, "STAFF", "delete"),  # 9 an action that is neither add nor remove
        row(P1, "STAFF", "remove"),  # 10 P1 and STAFF again: line 2
        row(P3, "STAFF", "remove"),  # 11 good: P3 does not carry it, nothing to do
    ]
    result = load(
        db, settings, write_file(tmp_path / "b.csv", "tags", rows, encoding="gbk"), "tags", source="HR", encoding="gbk"
    )
    # Then rows in = loaded + rejected, each reject names its line, field and reason
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (10, 4, 6)
    assert [(line, field) for line, field, _ in reasons(result)] == [
        (5, "cif_no"),
        (6, "tag"),
        (7, "tag"),
        (8, "tag"),
        (9, "action"),
        (10, "tag"),
    ]
    said = {line: reason for line, _, reason in reasons(result)}
    assert said[5] == "No customer has this CIF number."
    assert said[6] == "No tag has this code."
    assert said[7] == said[8] == "This tag is not one delivered in files."
    assert said[10] == "The same customer and tag are on line 2."
    # And the good rows took effect: P1 tagged with its note, P2's tag closed, the survivor tagged
    assert tags(db) == [(P2, "STAFF", "file", False), (P1, "STAFF", "file", True), (P3, "PAYROLL_UNIT", "file", True)]
    note = db.scalars(select(CustomerTag.note).where(CustomerTag.tag_code == "STAFF", CustomerTag.note.is_not(None)))
    assert list(note) == ["总行员工"]


def test_the_same_file_twice_changes_nothing_and_a_correction_replaces_the_delivery(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given P1 tagged STAFF by one delivery, and a second delivery adding P2 and removing P1's tag
    given_customers(db)
    load(db, settings, write_file(tmp_path / "day1.csv", "tags", [row(P1, "STAFF")]), "tags", source="HR")
    path = write_file(tmp_path / "day2.csv", "tags", [row(P2, "STAFF"), row(P1, "STAFF", "remove")])
    load(db, settings, path, "tags", source="HR", day=NEXT_DAY)
    assert tags(db) == [(P1, "STAFF", "file", False), (P2, "STAFF", "file", True)]
    before = table_checksums(db)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    # When the same file is loaded again: nothing changes
    again = load(db, settings, path, "tags", source="HR", day=NEXT_DAY)
    assert again.unchanged
    assert table_checksums(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events
    # When HR re-delivers a corrected second file: only P3 is added (P1 keeps the tag after all)
    fixed = write_file(tmp_path / "day2b.csv", "tags", [row(P3, "STAFF")])
    result = load(db, settings, fixed, "tags", source="HR", day=NEXT_DAY)
    # Then the earlier delivery's add is gone and its remove undone; the first delivery's row stands
    assert result.run.replaced and result.run.rows_rejected == 0
    assert tags(db) == [(P1, "STAFF", "file", True), (P3, "STAFF", "file", True)]
