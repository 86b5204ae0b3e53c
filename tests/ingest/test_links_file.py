"""A links file: every row checked by the link rules, rejects with line, field and reason; re-deliveries replace."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.ingest import IngestBatch
from bankcrm.models.relationship import CustomerLink
from tests.factories import make_customer
from tests.holdings.helpers import load, reasons, write_file
from tests.ingest.snapshot import table_checksums

P1, P2, P3 = "93000000001", "93000000002", "93000000003"  # individuals
C1, C2 = "93000000011", "93000000012"  # companies
SH = "93000000021"  # an individual of another branch: links cross branches


def given_customers(db: Session) -> None:
    for cif in (P1, P2, P3):
        make_customer(db, cif)
    for cif in (C1, C2):
        make_customer(db, cif, kind="corporate", name="北京星河科技有限公司")
    make_customer(db, SH, unit="SH", manager="am2")


def row(source: str, target: str, kind: str, **extra: str) -> dict[str, str]:
    return {"from_cif_no": source, "to_cif_no": target, "link_type": kind} | extra


def links(db: Session) -> list[tuple[str, str, str, int | None, int | None, str | None]]:
    """(from, to, type, share bp, amount, valid_to) of every link, by id."""
    people = {c.id: c.cif_no for c in db.scalars(select(Customer))}
    return [
        (
            people[lk.from_customer_id],
            people[lk.to_customer_id],
            lk.link_type,
            lk.share_pct_bp,
            lk.amount,
            lk.valid_to.isoformat() if lk.valid_to else None,
        )
        for lk in db.scalars(select(CustomerLink).order_by(CustomerLink.id))
    ]


def test_each_link_rule_rejects_its_row_and_the_good_rows_load(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given customers, one existing spouse link and a file with good rows and one row per rule
    given_customers(db)
    load(db, settings, write_file(tmp_path / "first.csv", "links", [row(P1, P2, "SPOUSE")]), "links", source="CRM")
    rows = [
        row(P1, C1, "SHAREHOLDER_OF", share_pct="60"),  # 2 good
        row(P2, C1, "SHAREHOLDER_OF", share_pct="40.5"),  # 3 over 100 % with line 2
        row(P2, C1, "SHAREHOLDER_OF", share_pct="40.00"),  # 4 good: exactly 100 %
        row(P3, "93000000099", "SIBLING"),  # 5 unknown customer
        row(P3, P3, "SIBLING"),  # 6 self-link
        row(P3, C1, "SPOUSE"),  # 7 family needs two individuals
        row(C1, P3, "LEGAL_REP_OF"),  # 8 needs a corporate on the other side
        row(P3, C2, "SUBSIDIARY_OF"),  # 9 two corporates
        row(P3, C2, "SHAREHOLDER_OF"),  # 10 share missing
        row(P3, C2, "SHAREHOLDER_OF", share_pct="12.345"),  # 11 three decimals
        row(P3, C2, "DIRECTOR_OF", share_pct="5"),  # 12 share on a non-shareholder
        row(P3, C2, "GUARANTOR_FOR", amount="0.00"),  # 13 guarantee without an amount
        row(P3, C2, "EMPLOYEE_OF", amount="10.00"),  # 14 amount on a non-guarantee
        row(P3, SH, "SIBLING", valid_from="2025-06-01", valid_to="2025-01-01"),  # 15 ends before it starts
        row(P2, P1, "SPOUSE"),  # 16 already linked (the other way round)
        row(P3, SH, "SIBLING"),  # 17 good, across branches
        row(SH, P3, "SIBLING"),  # 18 the same link again, reversed
        row(P3, C2, "GUARANTOR_FOR", amount="1000000.50"),  # 19 good
        row(P3, C2, "FRIEND_OF"),  # 20 unknown type
    ]
    # When the file is loaded
    result = load(db, settings, write_file(tmp_path / "links.csv", "links", rows), "links", source="KYC")
    # Then each bad row is rejected with line, field and the links rule's message
    assert reasons(result) == [
        (3, "share_pct", "Shareholders would then hold more than 100% of this company: at most 40% is left."),
        (5, "to_cif_no", "No customer has this CIF number."),
        (6, "to_cif_no", "A customer cannot be linked to itself."),
        (7, "link_type", "A family link joins two individual customers."),
        (8, "link_type", "This link type needs a corporate customer on the other side."),
        (9, "link_type", "This link type joins two corporate customers."),
        (10, "share_pct", "Enter the share held, in percent."),
        (11, "share_pct", "Enter a percentage from 0 to 100 with at most two decimals."),
        (12, "share_pct", "A share is recorded only for a shareholder link."),
        (13, "amount", "Enter the guaranteed amount; it must be more than zero."),
        (14, "amount", "An amount is recorded only for a guarantee link."),
        (15, "valid_to", "The end date cannot be before the start date."),
        (16, "to_cif_no", "These customers already have an active link of this type."),
        (18, "to_cif_no", "The same link is on line 17."),
        (20, "link_type", "Unknown code FRIEND_OF (code table link_type)."),
    ]
    # And rows in = loaded + rejected, and exactly the good rows are links now
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (19, 4, 15)
    assert links(db) == [
        (P1, P2, "SPOUSE", None, None, None),
        (P1, C1, "SHAREHOLDER_OF", 6000, None, None),
        (P2, C1, "SHAREHOLDER_OF", 4000, None, None),
        (P3, SH, "SIBLING", None, None, None),
        (P3, C2, "GUARANTOR_FOR", None, 100000050, None),
    ]
    # And each link names the delivery that brought it
    batch = db.scalars(select(IngestBatch).where(IngestBatch.source == "KYC")).one()
    assert {lk.batch_id for lk in db.scalars(select(CustomerLink)).all()[1:]} == {batch.id}


def test_shares_over_100_percent_are_found_across_chunks_and_against_the_database(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a company 50 % held already
    given_customers(db)
    load(
        db,
        settings,
        write_file(tmp_path / "a.csv", "links", [row(C2, C1, "SHAREHOLDER_OF", share_pct="50")]),
        "links",
        source="REG",
    )
    # When another source delivers 30 % + 30 % in a file read in tiny chunks
    rows = [row(P1, C1, "SHAREHOLDER_OF", share_pct="30"), row(P2, C1, "SHAREHOLDER_OF", share_pct="30")]
    result = load(db, settings, write_file(tmp_path / "b.csv", "links", rows), "links", source="KYC", chunk_bytes=64)
    # Then the second row is refused: 20 % is left
    assert reasons(result) == [
        (3, "share_pct", "Shareholders would then hold more than 100% of this company: at most 20% is left.")
    ]
    assert [lk[3] for lk in links(db)] == [5000, 3000]


def test_the_same_file_twice_changes_nothing_and_a_correction_replaces_the_delivery(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a links file loaded from KYC, and a link of another delivery
    given_customers(db)
    load(db, settings, write_file(tmp_path / "other.csv", "links", [row(P1, P2, "SPOUSE")]), "links", source="CRM")
    path = write_file(
        tmp_path / "l.csv",
        "links",
        [row(P3, SH, "SIBLING"), row(P1, C1, "SHAREHOLDER_OF", share_pct="100")],
    )
    load(db, settings, path, "links", source="KYC")
    before = table_checksums(db)
    links_before = links(db)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    # When the same file is loaded again
    again = load(db, settings, path, "links", source="KYC")
    # Then nothing changed
    assert again.unchanged
    assert (table_checksums(db), links(db)) == (before, links_before)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events
    # When KYC re-delivers a corrected file for the same day: the share is 80 %, the siblings are gone
    fixed = write_file(tmp_path / "l2.csv", "links", [row(P1, C1, "SHAREHOLDER_OF", share_pct="80")])
    result = load(db, settings, fixed, "links", source="KYC")
    # Then that delivery's links are replaced (its old 100 % does not count against the new 80 %),
    # and the other delivery's link is untouched
    assert result.run.replaced and result.run.rows_rejected == 0
    assert links(db) == [(P1, P2, "SPOUSE", None, None, None), (P1, C1, "SHAREHOLDER_OF", 8000, None, None)]


def test_a_file_without_a_required_column_rejects_every_row(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a links file without the link_type column
    given_customers(db)
    path = write_file(tmp_path / "l.csv", "links", [row(P1, P2, "SPOUSE")], drop=("link_type",))
    # When it is loaded
    result = load(db, settings, path, "links", source="KYC")
    # Then the row is rejected naming the column, and nothing is linked
    assert reasons(result) == [(2, "link_type", "The column is missing from the header.")]
    assert links(db) == []
