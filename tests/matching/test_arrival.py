"""Matching on arrival: a delivered record without an identity match links, waits for review, or is new."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching.schemas import Outcome, Placement
from bankcrm.matching.service.arrival import place
from tests.matching.cif import person


def delivered(*rows: dict[str, str | None]) -> pl.DataFrame:
    """Records in the feed columns, numbered from line 2 as a file would number them."""
    columns = ["kind", "source_customer_id", "name", "birth_date", "gender", "mobile", "address", "id_no"]
    data = {c: [r.get(c) for r in rows] for c in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String)).with_columns(
        pl.Series("_row", list(range(2, 2 + len(rows))), pl.Int64)
    )


def test_link_review_and_new(db: Session, settings: Settings) -> None:
    # given two customers on file
    cipher = settings.field_cipher()
    zhang = person(
        db, cipher, "94000000001", "张三", date(1980, 1, 2), mobile="13812345678", address="北京市朝阳区建国路1号"
    )
    zhao = person(db, cipher, "94000000002", "赵六", date(1975, 5, 6), address="上海市浦东新区世纪大道200号")
    # when a card system delivers 張三 (traditional) with the same mobile, a 王伍 born the day 赵六 was and
    # living two doors away, and a stranger
    placements = place(
        db,
        cipher,
        delivered(
            {
                "kind": "individual",
                "name": "張三",
                "birth_date": "1980-01-02",
                "gender": "M",
                "mobile": "13812345678",
                "address": "北京市朝陽區建國路1號",
            },
            {
                "kind": "individual",
                "name": "王伍",
                "birth_date": "1975-05-06",
                "gender": "M",
                "address": "上海市浦东新区世纪大道100号",
            },
            {"kind": "individual", "name": "孙八", "birth_date": "1999-09-09", "gender": "F", "mobile": "13700001111"},
        ),
    )
    # then the first links to 张三, the second waits for a reviewer against 赵六, the third is new
    link, review, new = placements[2], placements[3], placements[4]
    assert (link.outcome, link.customer_id, link.probability) == (Outcome.LINK, zhang.id, 1.0)
    assert link.comparisons["mobile"] == {"level": "exact", "weight": 16.375}
    assert link.comparisons["name"]["level"] == "exact"
    assert (review.outcome, review.customer_id, review.probability) == (Outcome.REVIEW, zhao.id, 0.913769)
    assert review.comparisons["address"]["level"] == "a few characters differ"
    assert new == Placement(Outcome.NEW)
    assert sorted(placements) == [2, 3, 4]


def test_a_weak_best_candidate_is_new_and_merged_customers_are_not_candidates(db: Session, settings: Settings) -> None:
    # given a customer sharing only a birth date with the delivery, and a merged-away exact copy
    cipher = settings.field_cipher()
    person(db, cipher, "94000000011", "李四", date(1990, 3, 4), gender="F")
    merged = person(db, cipher, "94000000012", "周九", date(1990, 3, 4), mobile="13655556666")
    merged.status = "MERGED"
    db.flush()
    # when 周九 is delivered
    placements = place(
        db,
        cipher,
        delivered(
            {"kind": "individual", "name": "周九", "birth_date": "1990-03-04", "gender": "M", "mobile": "13655556666"}
        ),
    )
    # then the only candidate scores below the lower threshold: a new customer, with its best probability
    assert placements[2].outcome == Outcome.NEW
    assert placements[2].customer_id is None
    assert placements[2].probability < settings.match_lower
