"""The scorer's newer levels: nationality, an ID typed one character wrong, names with a part missing or reordered."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching import jobs
from bankcrm.matching.service import scoring
from bankcrm.models.matching import MatchReview
from tests.matching.cif import person


def scored(rows: list[dict[str, Any]]) -> dict[tuple[int, int], tuple[float, dict[str, str]]]:
    """Pairs of ``rows`` scored within themselves: (ids) → (probability to 4 places, level per field)."""
    pairs = scoring.score(scoring.prepare(pl.DataFrame(rows)))
    return {
        (r["id_l"], r["id_r"]): (
            round(r["probability"], 4),
            {f: c["level"] for f, c in scoring.comparisons_json(r).items()},
        )
        for r in pairs.to_dicts()
    }


def levels(**given: str) -> dict[str, str]:
    fields = ("name", "birth_date", "gender", "mobile", "address", "employer", "id_no", "nationality")
    return {f: given.get(f, "blank") for f in fields}


def test_a_different_nationality_lowers_the_probability_and_a_missing_one_is_neutral() -> None:
    # given three records identical but for nationality (CN, CN, US) and one with none
    base = {"name": "张三", "birth_date": "1980-01-02", "gender": "M"}
    rows = [
        {"unique_id": 1, **base, "nationality": "CN"},
        {"unique_id": 2, **base, "nationality": "cn "},
        {"unique_id": 3, **base, "nationality": "US"},
        {"unique_id": 4, **base, "nationality": None},
    ]
    # when scored
    got = scored(rows)
    # then the same nationality is a little evidence for, a different one evidence against, none is neutral
    same = levels(name="exact", birth_date="exact", gender="exact", nationality="exact")
    different = levels(name="exact", birth_date="exact", gender="exact", nationality="else")
    missing = levels(name="exact", birth_date="exact", gender="exact")
    assert got == {
        (1, 2): (0.9998, same),
        (1, 3): (0.9993, different),
        (2, 3): (0.9993, different),
        (1, 4): (0.9998, missing),
        (2, 4): (0.9998, missing),
        (3, 4): (0.9998, missing),
    }
    weights = {
        f: c["weight"]
        for f, c in scoring.comparisons_json(
            scoring.score(scoring.prepare(pl.DataFrame(rows[:1] + rows[2:3]))).to_dicts()[0]
        ).items()
    }
    assert weights["nationality"] == -2.0


def test_an_id_one_character_off_is_compared_even_when_nothing_else_agrees() -> None:
    # given two records whose IDs differ by two neighbouring digits swapped, and a third with another ID
    rows = [
        {"unique_id": 1, "name": "Kelsey Ferris", "birth_date": "1913-06-01", "id_no": "8154296"},
        {"unique_id": 2, "name": "Kelsey Nguyen", "birth_date": "1950-06-01", "id_no": "8154269"},
        {"unique_id": 3, "name": "Noah Gamlin", "birth_date": "1909-10-23", "id_no": "6693641"},
    ]
    # when scored, then only the first two are paired (the ID's deletion neighbourhood blocks them), as an ID typo
    got = scored(rows)
    assert list(got) == [(1, 2)]
    assert got[(1, 2)][1] == levels(
        name="a word of the name in common", birth_date="else", id_no="one character off or swapped"
    )


def test_a_name_with_a_part_missing_or_reordered_with_a_typo() -> None:
    # given Latin names with the given name dropped, or reordered with one letter off (each pair shares a home
    # and a birth date, so it is blocked), and two Chinese names one character apart
    born, home, other_home = "1945-05-25", "142 Beedham Place Highbury", "56 Hallen Close Kununurra"
    rows = [
        {"unique_id": 1, "name": "Samuel Bishop", "birth_date": born, "address": home},
        {"unique_id": 2, "name": "Bishop", "birth_date": born, "address": home},
        {"unique_id": 3, "name": "Elizabeth Stephenson", "birth_date": "1912-11-19", "address": other_home},
        {"unique_id": 4, "name": "Stephenson Elizbeth", "birth_date": "1912-11-19", "address": other_home},
        {"unique_id": 5, "name": "张晓明", "birth_date": "1980-01-02"},
        {"unique_id": 6, "name": "张晓敏", "birth_date": "1980-01-02"},
    ]
    got = {ids: found[1]["name"] for ids, found in scored(rows).items()}
    # then each pair gets its own level; a Chinese name (one word) never reaches the Latin-only levels
    assert got == {
        (1, 2): "a part of the name missing",
        (3, 4): "words reordered, one letter off",
        (5, 6): "edit ≤ 2",
    }


def test_the_duplicate_run_reads_each_customers_nationality_from_the_cif(db: Session, settings: Settings) -> None:
    # given two pairs of customers on file, equal in name, birth date and gender: one pair both CN, one CN and US
    cipher = settings.field_cipher()
    born, other = date(1990, 3, 4), date(1991, 5, 6)
    ids = [
        person(db, cipher, "93100000001", "李雷", born, nationality="CN").id,
        person(db, cipher, "93100000002", "李雷", born, nationality="CN").id,
        person(db, cipher, "93100000003", "韩梅梅", other, "F", nationality="CN").id,
        person(db, cipher, "93100000004", "韩梅梅", other, "F", nationality="US").id,
    ]
    # when duplicates are looked for
    jobs.match_job(db, settings, full=True)
    # then both pairs are proposed, the one of different nationality with the lower probability
    got = [
        (r.customer_id, r.other_customer_id, round(r.probability, 4), json.loads(r.comparisons)["nationality"])
        for r in db.scalars(select(MatchReview).order_by(MatchReview.customer_id))
    ]
    assert got == [
        (ids[0], ids[1], 0.9998, {"level": "exact", "weight": 0.044}),
        (ids[2], ids[3], 0.9993, {"level": "else", "weight": -2.0}),
    ]


def test_a_number_with_a_right_check_character_has_no_deletion_neighbourhood() -> None:
    # given a right resident ID, the same with a digit typed wrong, a right USCC and a passport number
    ids = ["11010519491231002X", "11010519491231003X", "91350100M000100Y43", "E12345678"]
    frame = pl.DataFrame({"unique_id": [1, 2, 3, 4], "name": ["甲", "乙", "丙", "丁"], "id_no": ids})
    # when prepared for scoring
    variants = scoring.prepare(frame)["id_variants"].to_list()
    # then the two numbers whose check holds have none (one edit always breaks it); the others keep theirs
    # (distinct elements: dropping either of two equal neighbours gives the same copy)
    assert [None if v is None else len(set(v)) for v in variants] == [None, 17, None, 10]
    assert variants[1][:3] == ["11010519491231003X", "1010519491231003X", "1010519491231003X"]
