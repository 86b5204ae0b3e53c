"""An account_parties file: joint holders and signatories, rejects with line, field and reason; deliveries replace."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM
from bankcrm.config import Settings
from bankcrm.holdings.repository import current_parties
from bankcrm.ingest.service.rerun import rerun
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, AccountParty
from bankcrm.models.matching import CustomerAlias, CustomerMerge
from tests.factories import make_customer
from tests.holdings.helpers import DAY, account, load, reasons, write_file
from tests.ingest.snapshot import table_checksums

P1, P2, P3, CO = "94000000001", "94000000002", "94000000003", "94000000011"
ACC1, ACC2, ACC3 = "6222940000000001", "6222940000000002", "6222940000000003"  # P1's, the company's, P2's


def given_accounts(db: Session, settings: Settings, tmp_path: Path) -> None:
    """P1 and P2 (BJ), P3 (SH, am2), a company; demand accounts of P1, of the company and of P2."""
    make_customer(db, P1)
    make_customer(db, P2, name="李四")
    make_customer(db, P3, unit="SH", manager="am2", name="王五")
    make_customer(db, CO, kind="corporate", name="北京星河科技有限公司")
    rows = [account(ACC1, P1), account(ACC2, CO, product_code="DD-CNY"), account(ACC3, P2)]
    load(db, settings, write_file(tmp_path / "accounts.csv", "accounts", rows), "accounts")


def party(account_no: str, cif_no: str, role: str, **extra: str) -> dict[str, str]:
    return {"account_no": account_no, "cif_no": cif_no, "role": role} | extra


def parties(db: Session, *, current: bool = True) -> list[tuple[str, str, str]]:
    """(account masked tail, CIF number, role) of every party row (only the newest delivery's per account)."""
    cifs = {c.id: c.cif_no for c in db.scalars(select(Customer))}
    tails = {a.id: a.account_no_masked[-4:] for a in db.scalars(select(Account))}
    stmt = select(AccountParty).where(current_parties()) if current else select(AccountParty)
    return sorted((tails[p.account_id], cifs[p.customer_id], p.role) for p in db.scalars(stmt))


def test_each_rule_rejects_its_row_and_the_good_rows_load(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given three accounts and a file with good rows and one row per rule
    given_accounts(db, settings, tmp_path)
    rows = [
        party(ACC1, P2, "JOINT"),  # 2 good: P2 joint holder of P1's account
        party(ACC2, P1, "AUTHORISED"),  # 3 good: P1 signs for the company
        party(ACC2, P3, "AUTHORISED", valid_from="2026-01-01"),  # 4 good, across branches
        party("6222949999999999", P2, "JOINT"),  # 5 unknown account
        party(ACC1, "94000000099", "JOINT"),  # 6 unknown customer
        party(ACC1, P1, "JOINT"),  # 7 the owner
        party(ACC1, P3, "PRIMARY"),  # 8 the primary holder comes from the accounts file
        party(ACC1, P3, "JOINT", valid_from="2026-06-01", valid_to="2026-01-01"),  # 9 ends before it starts
        party(ACC1, P2, "JOINT"),  # 10 repeats line 2
        party(ACC1, P2, "AUTHORISED"),  # 11 good: another role
        party(ACC1, P3, "FRIEND"),  # 12 unknown role
        party(ACC1, P3, "POA", valid_to="2026-13-01"),  # 13 not a date
        party("12", P3, "GUARDIAN"),  # 14 not an account number
    ]
    # When the file is loaded
    result = load(db, settings, write_file(tmp_path / "p.csv", "account_parties", rows), "account_parties")
    # Then each bad row is rejected with its line, field and reason
    assert reasons(result) == [
        (5, "account_no", "No account with this number; load it with an accounts file first."),
        (6, "cif_no", "No customer with this CIF number."),
        (7, "cif_no", "This customer owns the account; list only its other parties."),
        (8, "role", "The primary holder is the account's owner, given by the accounts file."),
        (9, "valid_to", "The end date cannot be before the start date."),
        (10, "role", "The same account, customer and role are on line 2."),
        (12, "role", "Unknown code FRIEND (code table account_party_role)."),
        (13, "valid_to", "Not a date in the form YYYY-MM-DD."),
        (14, "account_no", "Not an account or contract number: 6 to 32 letters or digits."),
    ]
    # And rows in = loaded + rejected, and exactly the good rows are parties, dated
    assert (result.run.rows_in, result.run.rows_loaded, result.run.rows_rejected) == (13, 4, 9)
    assert parties(db) == [
        ("0001", P2, "AUTHORISED"),
        ("0001", P2, "JOINT"),
        ("0002", P1, "AUTHORISED"),
        ("0002", P3, "AUTHORISED"),
    ]
    starts = sorted((p.valid_from, p.valid_to) for p in db.scalars(select(AccountParty)))
    assert starts == [(date(2026, 1, 1), None), (DAY, None), (DAY, None), (DAY, None)]


def test_a_gbk_file_loads_as_utf8_does(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given the accounts, and the same rows written in GBK
    given_accounts(db, settings, tmp_path)
    rows = [party(ACC1, P2, "JOINT"), party(ACC2, P1, "AUTHORISED")]
    path = write_file(tmp_path / "gbk.csv", "account_parties", rows, encoding="gbk")
    # When it is loaded as GBK
    result = load(db, settings, path, "account_parties", encoding="gbk")
    # Then both rows load
    assert (result.run.rows_loaded, result.run.rows_rejected) == (2, 0)
    assert parties(db) == [("0001", P2, "JOINT"), ("0002", P1, "AUTHORISED")]


def test_the_same_file_twice_changes_nothing_and_a_correction_replaces_the_delivery(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a parties file loaded
    given_accounts(db, settings, tmp_path)
    path = write_file(tmp_path / "p.csv", "account_parties", [party(ACC1, P2, "JOINT"), party(ACC2, P1, "AUTHORISED")])
    load(db, settings, path, "account_parties")
    before = table_checksums(db)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    # When the same file is loaded again
    again = load(db, settings, path, "account_parties")
    # Then nothing changed
    assert again.unchanged
    assert table_checksums(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events
    # When a corrected file for the same day names P3 as P1's joint holder, and the company not at all
    fixed = write_file(tmp_path / "p2.csv", "account_parties", [party(ACC1, P3, "JOINT")])
    result = load(db, settings, fixed, "account_parties")
    # Then the delivery's rows are the correction's only
    assert result.run.replaced and result.run.rows_rejected == 0
    assert parties(db, current=False) == [("0001", P3, "JOINT")]


def test_an_accounts_parties_in_a_later_file_replace_its_earlier_ones(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given the parties of two accounts delivered on one day
    given_accounts(db, settings, tmp_path)
    day1, day2 = DAY - timedelta(days=1), DAY
    first = [party(ACC1, P2, "JOINT"), party(ACC2, P1, "AUTHORISED"), party(ACC2, P2, "AUTHORISED")]
    load(db, settings, write_file(tmp_path / "d1.csv", "account_parties", first), "account_parties", day=day1)
    # When the next day's file names only P1's account, with P3 as its joint holder
    second = write_file(tmp_path / "d2.csv", "account_parties", [party(ACC1, P3, "JOINT")])
    load(db, settings, second, "account_parties", day=day2)
    # Then P1's account has P3 only; the company's account keeps its parties of the day before
    assert parties(db) == [("0001", P3, "JOINT"), ("0002", P1, "AUTHORISED"), ("0002", P2, "AUTHORISED")]
    # When the first day's file is re-delivered, corrected (P3 joint of P1's account, one signatory)
    fixed1 = [party(ACC1, P2, "POA"), party(ACC2, P1, "AUTHORISED")]
    load(db, settings, write_file(tmp_path / "d1b.csv", "account_parties", fixed1), "account_parties", day=day1)
    # Then the later day still decides P1's account; the company's account has the corrected signatory
    assert parties(db) == [("0001", P3, "JOINT"), ("0002", P1, "AUTHORISED")]
    # When the second day's file is re-delivered without P1's account at all (another account instead)
    fixed2 = [party(ACC3, P1, "JOINT")]
    load(db, settings, write_file(tmp_path / "d2b.csv", "account_parties", fixed2), "account_parties", day=day2)
    # Then P1's account falls back to the first day's parties
    assert parties(db) == [("0001", P2, "POA"), ("0002", P1, "AUTHORISED"), ("0003", P1, "JOINT")]


def test_a_merged_cif_number_names_its_survivor(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given P3 merged into P2 (P3's number is an alias of P2's)
    given_accounts(db, settings, tmp_path)
    p2 = db.scalars(select(Customer).where(Customer.cif_no == P2)).one()
    p3 = db.scalars(select(Customer).where(Customer.cif_no == P3)).one()
    merge = CustomerMerge(survivor_id=p2.id, merged_id=p3.id, merged_cif_no=P3, snapshot_enc="-", status="merged")
    db.add(merge)
    db.flush()
    db.add(CustomerAlias(cif_no=P3, customer_id=p2.id, merge_id=merge.id))
    p3.status = "MERGED"
    db.flush()
    # When a file names P3 as joint holder of P1's account, and P2 (the same customer now) again
    rows = [party(ACC1, P3, "JOINT"), party(ACC1, P2, "JOINT"), party(ACC3, P3, "AUTHORISED")]
    result = load(db, settings, write_file(tmp_path / "p.csv", "account_parties", rows), "account_parties")
    # Then the row loads for P2; the second is the same party and role; P2's own account cannot take P2
    assert reasons(result) == [
        (3, "role", "The same account, customer and role are on line 2."),
        (4, "cif_no", "This customer owns the account; list only its other parties."),
    ]
    assert parties(db) == [("0001", P2, "JOINT")]


def test_parties_of_an_account_not_loaded_yet_load_when_their_rejects_are_rerun(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given parties delivered before their account: one row of an account still unknown, one repeated
    given_accounts(db, settings, tmp_path)
    new = "6222940000000009"
    rows = [party(new, P2, "JOINT"), party(ACC1, P2, "JOINT"), party(ACC1, P2, "JOINT")]
    first = load(db, settings, write_file(tmp_path / "p.csv", "account_parties", rows), "account_parties")
    assert [(line, field) for line, field, _ in reasons(first)] == [(2, "account_no"), (4, "role")]
    # When the account arrives and the run's rejects are re-run
    load(db, settings, write_file(tmp_path / "a2.csv", "accounts", [account(new, P1)]), "accounts", source="CORE2")
    again = rerun(db, settings.field_cipher(), SYSTEM, first.run.id, timezone=settings.timezone)
    # Then the unknown account's row loads into the same delivery; the repeated row stays rejected
    assert (again.run.rows_in, again.run.rows_loaded, again.run.rows_rejected) == (2, 1, 1)
    assert reasons(again) == [(4, "role", "The same account, customer and role are on line 3.")]
    assert parties(db) == [("0001", P2, "JOINT"), ("0009", P2, "JOINT")]
