"""A load of many chunks compares each chunk with the customers its earlier chunks created (from memory,
matching/service/known.py) exactly as with the customers that were in the CIF before it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching import repository
from bankcrm.matching.service import scoring
from bankcrm.matching.service.known import Known
from bankcrm.models.customer import Customer, CustomerContact
from bankcrm.models.matching import CustomerSource, MatchReview
from tests.factories import resident_id
from tests.holdings.helpers import DAY, load, reasons, write_file
from tests.matching.helpers import person

NEXT = DAY + timedelta(days=1)
# The same person twice, without an ID or a mobile to look up: only the name and birth date find the other.
FIRST = person("A1", id_type="", id_no="", mobile="", name="欧阳娜娜", gender="F", birth_date="1988-06-15")
SECOND = person("A2", id_type="", id_no="", mobile="", name="欧阳娜娜", gender="F", birth_date="1988-06-15")


def fillers(n: int) -> list[dict[str, str]]:
    """People unlike anyone else in the file (own name, birth date, ID, mobile, address)."""
    return [
        person(
            f"F{i:03d}",
            name=f"填充{i}",
            id_no=resident_id(born=f"1970{1 + i % 12:02d}{1 + i % 28:02d}", seq=f"{i % 500 * 2 + 1:03d}"),
            birth_date=f"1970-{1 + i % 12:02d}-{1 + i % 28:02d}",
            mobile=f"137{i:08d}",
            address=f"上海市徐汇区漕溪北路{i}号",
        )
        for i in range(n)
    ]


def outcome(db: Session) -> list[tuple[str, str | None, float | None, bool]]:
    """Each source record: its key, how it was linked, the score, whether it shares its customer with A1."""
    first = db.scalar(select(CustomerSource.customer_id).where(CustomerSource.source_customer_id == "A1"))
    records = db.scalars(select(CustomerSource).order_by(CustomerSource.source_customer_id)).all()
    return [
        (r.source_customer_id, r.match_method, r.match_probability, r.customer_id == first)
        for r in records
        if r.source_customer_id.startswith("A")
    ]


def test_a_later_chunk_is_matched_with_a_customer_an_earlier_chunk_created(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a file where the same person comes first and last, with 40 other people between them
    rows = [FIRST, *fillers(40), SECOND]
    # When it is loaded in chunks of 2 KB (the two records in different chunks), and, instead, as two files
    # (all but the last record, then the last: the first's customer then stood in the CIF before the load)
    savepoint = db.begin_nested()
    chunked = load(db, settings, write_file(tmp_path / "c.csv", "customers", rows), "customers", chunk_bytes=2048)
    in_chunks = outcome(db), db.scalars(select(MatchReview.probability)).all(), len(db.scalars(select(Customer)).all())
    savepoint.rollback()
    before = load(db, settings, write_file(tmp_path / "b.csv", "customers", rows[:-1]), "customers")
    after = load(db, settings, write_file(tmp_path / "a.csv", "customers", rows[-1:]), "customers", NEXT)
    in_two = outcome(db), db.scalars(select(MatchReview.probability)).all(), len(db.scalars(select(Customer)).all())
    # Then the second record is linked by score to the first's customer, with the same score either way
    assert reasons(chunked) == reasons(before) == reasons(after) == []
    assert in_chunks == in_two == ([("A1", "created", None, True), ("A2", "probabilistic", 1.0, True)], [], 41)


def test_a_customer_changed_during_the_load_is_read_again(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given a customer a load created, held in the load's memory
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [FIRST]), "customers")
    customer = db.scalar(select(Customer).where(Customer.name == "欧阳娜娜"))
    assert customer is not None
    known = Known(before=0)
    known.refresh(db, settings.field_cipher())
    # And a record of someone else born the same day, living where the customer now lives
    record = {"unique_id": 1, "name": "李雷", "birth_date": date(1988, 6, 15), "address": "广州市天河区体育西路1号"}
    records = scoring.prepare(pl.DataFrame([record]))
    keys = ({"lilei"}, {date(1988, 6, 15)})
    # When the customer's address changes (as a later record's survivorship changes it)
    home = db.scalar(
        select(CustomerContact).where(CustomerContact.customer_id == customer.id, CustomerContact.channel == "address")
    )
    assert home is not None
    home.value = "广州市天河区体育西路1号"
    db.flush()
    unread = known.sharing("individual", records, *keys)
    known.changed.add(customer.id)
    known.refresh(db, settings.field_cipher())
    # Then until it is marked changed the old address counts; read again, it shares birth date and district
    assert unread == []
    assert known.sharing("individual", records, *keys) == [customer.id]
    assert known.frames["individual"].height == 1


def test_a_load_s_own_customer_is_found_by_its_mobile_alone_from_memory(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    # Given a customer a load created with mobile 13912345678, held in the load's memory
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [FIRST | {"mobile": "13912345678"}]), "customers")
    customer = db.scalar(select(Customer).where(Customer.name == "欧阳娜娜"))
    assert customer is not None
    known = Known(before=0)
    known.refresh(db, settings.field_cipher())
    # And records of other names and birth dates: one with that mobile written +86 139 1234 5678, one without it
    same_phone = {"unique_id": 1, "name": "李雷", "birth_date": date(1979, 1, 2), "mobile": "+86 139 1234 5678"}
    other = {"unique_id": 2, "name": "韩梅梅", "birth_date": date(1980, 3, 4), "mobile": "13700000000"}
    keys = ({"lilei", "hanmeimei"}, {date(1979, 1, 2), date(1980, 3, 4)})
    # When each is compared with the load's customers (the database's phone look-up covers only older ones)
    by_phone = known.sharing("individual", scoring.prepare(pl.DataFrame([same_phone])), *keys)
    by_nothing = known.sharing("individual", scoring.prepare(pl.DataFrame([other])), *keys)
    # Then the customer is found by the mobile alone, and the other record finds none
    assert by_phone == [customer.id]
    assert by_nothing == []
    # and the database's phone look-up finds it over every customer, but none among those older than the load
    cipher = settings.field_cipher()
    stored = repository.customer_frame(db, cipher, [customer.id])["mobile"].to_list()  # as the feed normalised it
    phone = {cipher.blind_index(number, "phone") for number in stored}

    def looked_up(up_to: int | None) -> set[int]:
        none: set[str] = set()
        found = repository.found_candidates(
            db, "individual", pinyins=none, birth_dates=set(), id_indexes=none, phone_indexes=phone, up_to=up_to
        )
        return found.exact | found.broad

    assert (looked_up(None), looked_up(0)) == ({customer.id}, set())


def test_a_big_load_refreshes_statistics_with_its_own_rows(db: Session, settings: Settings, tmp_path: Path) -> None:
    # Given three records kept by a load, not yet committed
    load(db, settings, write_file(tmp_path / "c.csv", "customers", [FIRST, *fillers(2)]), "customers")
    # When the growing tables' statistics are refreshed inside the load's transaction
    repository.analyse_growing(db)
    # Then on PostgreSQL they count the load's own rows (its look-ups are planned on them); SQLite has nothing to do
    if db.get_bind().dialect.name == "postgresql":
        counted = db.execute(
            text("SELECT relname, reltuples FROM pg_class WHERE relname IN ('customer', 'customer_source') ORDER BY 1")
        ).all()
        assert [(name, int(n)) for name, n in counted] == [("customer", 3), ("customer_source", 3)]
