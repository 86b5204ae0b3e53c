"""Duplicates on file: ``bankcrm match run`` opens reviews for likely pairs, never again for decided ones."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.matching import jobs
from bankcrm.matching.service import duplicates
from bankcrm.models.audit import AuditEvent
from bankcrm.models.customer import Customer
from bankcrm.models.matching import MatchDistinct, MatchReview
from tests.factories import resident_id
from tests.matching.cif import person


def given_cif(db: Session, settings: Settings) -> dict[str, Customer]:
    """A planted duplicate (traditional name, mobile one digit off), a look-alike and two strangers."""
    cipher = settings.field_cipher()
    return {
        "zhang": person(
            db,
            cipher,
            "93000000001",
            "张三",
            date(1980, 1, 2),
            mobile="13812345678",
            address="北京市朝阳区建国路1号",
            employer="北京星河科技有限公司",
            id_no=resident_id(born="19800102"),
        ),
        "zhang_copy": person(
            db,
            cipher,
            "93000000002",
            "張三",
            date(1980, 1, 2),
            mobile="13812345687",
            address="北京市朝陽區建國路1號",
            employer="北京星河科技有限公司",
        ),
        "wang": person(db, cipher, "93000000003", "王伍", date(1975, 5, 6), address="上海市浦东新区世纪大道100号"),
        "zhao": person(db, cipher, "93000000004", "赵六", date(1975, 5, 6), address="上海市浦东新区世纪大道200号"),
        "qian": person(db, cipher, "93000000005", "钱七", date(1970, 1, 1), gender="F", mobile="13912340000"),
    }


def reviews(db: Session) -> list[tuple[int, int, str, float, dict[str, str]]]:
    rows = db.scalars(select(MatchReview).order_by(MatchReview.id))
    return [
        (
            r.customer_id,
            r.other_customer_id or 0,
            r.status,
            round(r.probability, 4),
            {f: c["level"] for f, c in json.loads(r.comparisons).items()},
        )
        for r in rows
    ]


def test_a_full_run_proposes_the_planted_duplicate_and_the_look_alike(db: Session, settings: Settings) -> None:
    # given a CIF with one planted duplicate and one look-alike pair
    cif = given_cif(db, settings)
    # when duplicates are looked for over the whole CIF
    result = jobs.match_job(db, settings, full=True)
    # then both pairs wait for a reviewer with their probability and each field's level, no values
    zhang, copy, wang, zhao = (cif[k].id for k in ("zhang", "zhang_copy", "wang", "zhao"))
    assert reviews(db) == [
        (
            zhang,
            copy,
            "open",
            1.0,
            {
                "name": "exact",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "one digit off or swapped",
                "address": "exact",
                "employer": "exact",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
        (
            wang,
            zhao,
            "open",
            0.9138,
            {
                "name": "else",
                "birth_date": "exact",
                "gender": "exact",
                "mobile": "blank",
                "address": "a few characters differ",
                "employer": "blank",
                "id_no": "blank",
                "nationality": "blank",
            },
        ),
    ]
    assert result.rows == 2
    assert "13812345678" not in json.dumps([r.comparisons for r in db.scalars(select(MatchReview))])
    # and the run is audited once
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "match.duplicates_found")).one()
    assert event.detail is not None and "2 reviews opened" in event.detail


def test_a_rerun_adds_nothing_and_a_distinct_pair_is_never_proposed_again(db: Session, settings: Settings) -> None:
    # given a run that opened two reviews, and a reviewer who decided the look-alikes are different people
    cif = given_cif(db, settings)
    jobs.match_job(db, settings, full=True)
    wang, zhao = cif["wang"].id, cif["zhao"].id
    look_alike = db.scalars(select(MatchReview).where(MatchReview.customer_id == wang)).one()
    look_alike.status = "distinct"
    db.add(MatchDistinct(customer_id=min(wang, zhao), other_customer_id=max(wang, zhao)))
    db.flush()
    # when the whole CIF is compared again
    report = duplicates.run(db, settings.field_cipher(), lower=settings.match_lower, full=True)
    # then nothing new is opened: one pair is decided different, the other still under review
    assert (report.opened, report.skipped_distinct, report.skipped_standing) == (0, 1, 1)
    assert db.scalar(select(func.count(MatchReview.id))) == 2


def test_an_incremental_run_compares_only_the_changed_customers(db: Session, settings: Settings) -> None:
    # given a first full run, then a new customer who is a typo copy of 钱七
    cif = given_cif(db, settings)
    first = duplicates.run(db, settings.field_cipher(), lower=settings.match_lower)
    assert first.full and first.opened == 2
    copy = person(
        db, settings.field_cipher(), "93000000006", "钱七", date(1970, 1, 10), gender="F", mobile="13912340000"
    )
    copy.created_at = copy.created_at + timedelta(seconds=1)
    db.flush()
    # when the next run is not full
    report = duplicates.run(db, settings.field_cipher(), lower=settings.match_lower)
    # then only the new customer was compared (against everyone) and its pair is opened
    assert not report.full
    assert report.compared == {"individual": 1, "corporate": 0}
    newest = db.scalars(select(MatchReview).order_by(MatchReview.id.desc())).first()
    assert newest is not None
    assert (newest.customer_id, newest.other_customer_id) == (cif["qian"].id, copy.id)
    assert round(newest.probability, 4) == 1.0
    assert json.loads(newest.comparisons)["birth_date"]["level"] == "one digit off or swapped"
