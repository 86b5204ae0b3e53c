"""Which customers a delivered record is scored against: all found by ID or phone, of those found by pinyin or
birth date only the ones a blocking rule pairs with it — the same pairs as scoring every customer found."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching import repository
from bankcrm.matching.service import arrival, scoring
from tests.matching.cif import person

BORN = date(1980, 1, 2)
ADDRESS = "北京市朝阳区建国路88号1单元302"


def _record() -> pl.DataFrame:
    return pl.DataFrame(
        {
            arrival.ROW: [2],
            "kind": ["individual"],
            "name": ["李敏"],
            "birth_date": ["1980-01-02"],
            "gender": ["F"],
            "mobile": ["+86 13812345678"],
            "address": [ADDRESS],
        }
    )


def test_only_customers_a_blocking_rule_pairs_are_scored(db: Session, settings: Settings) -> None:
    # given customers found by the broad look-up (same birth date or pinyin) of whom only some share a rule
    cipher = settings.field_cipher()
    same_initials = person(db, cipher, "94000000201", "李明", BORN, "M")  # (initials, birth date)
    same_address = person(db, cipher, "94000000202", "周七", BORN, "M", address=ADDRESS)  # (birth date, address)
    birthday_only = person(db, cipher, "94000000203", "王强", BORN, "M", address="上海市浦东新区世纪大道100号")
    pinyin_only = person(db, cipher, "94000000204", "李敏", date(1955, 3, 4), "F")  # another birth year
    same_mobile = person(db, cipher, "94000000205", "赵六", date(1990, 1, 1), "M", mobile="13812345678")
    records = arrival._as_scored(_record(), "individual")
    prepared = scoring.prepare(records)

    # when the candidates are looked up and sifted
    found = arrival._candidates(db, cipher, records, "individual", None, arrival._broad_keys(records))
    kept = arrival._sharing(db, cipher, found, prepared)

    # then the mobile without +86 is found exactly, and the broad ones that share no rule are left out
    assert found.exact == {same_mobile.id}
    assert found.broad == {same_initials.id, same_address.id, birthday_only.id, pinyin_only.id}
    assert kept == sorted([same_initials.id, same_address.id, same_mobile.id])
    # and scoring every customer found pairs the record with exactly the kept ones
    everyone = scoring.prepare(repository.customer_frame(db, cipher, sorted(found.exact | found.broad)).drop("kind"))
    assert sorted(scoring.score(prepared, everyone)["id_r"].to_list()) == kept


def test_a_record_with_a_passport_keeps_customers_whose_document_may_be_mistyped(
    db: Session, settings: Settings
) -> None:
    # given a customer born the same day holding a passport (no check character), and a record with a passport
    cipher = settings.field_cipher()
    holder = person(db, cipher, "94000000211", "王强", BORN, "M")
    holder.id_type = "PAS"
    db.flush()
    records = arrival._as_scored(_record().with_columns(pl.lit("E12345678").alias("id_no")), "individual")

    # when sifted
    found = arrival._candidates(db, cipher, records, "individual", None, arrival._broad_keys(records))

    # then the customer is scored though no rule on clear columns pairs them (the ID one may, once decrypted)
    assert arrival._sharing(db, cipher, found, scoring.prepare(records)) == [holder.id]
