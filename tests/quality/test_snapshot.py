"""The monthly snapshot: one set of rows per month-end, rewritten by a second run in the month; the trend reads it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.service import auth as auth_service
from bankcrm.config import Settings
from bankcrm.kit.time import utcnow
from bankcrm.models.access import User
from bankcrm.models.audit import AuditEvent
from bankcrm.models.quality import DataQualitySnapshot
from bankcrm.modules import jobs, resolve
from bankcrm.quality.service import figures, snapshot
from bankcrm.quality.service.cards import quality_card
from tests.quality.helpers import TODAY, build


def rows_of(db: Session, month_end: date) -> int:
    return db.scalar(select(func.count()).where(DataQualitySnapshot.month_end == month_end)) or 0


def test_a_second_run_in_the_month_replaces_the_months_rows(db: Session, settings: Settings) -> None:
    # given the bank and a first run on 3 December
    cipher = settings.field_cipher()
    bank = build(db, cipher)
    first = snapshot.take(db, cipher, TODAY)
    # then it checked every customer and wrote December's month-end: per home unit, each field of its customers'
    # kind and the duplicates
    assert (first.month_end, first.customers, first.checked, first.rows) == (date(2026, 12, 31), 4, 4, 43)
    # when the sparse customer gets an occupation and the step runs again in the month
    assert bank.sparse.individual is not None
    bank.sparse.individual.occupation = "2"
    bank.sparse.updated_at = utcnow()  # as every change path does (records.record_changes)
    db.flush()
    again = snapshot.take(db, cipher, date(2026, 12, 20))
    # then the month holds the same number of rows, with the new counts
    assert (again.month_end, again.rows, rows_of(db, date(2026, 12, 31))) == (date(2026, 12, 31), 43, 43)
    # and only the changed customer was checked again
    assert again.checked == 1
    [month] = figures.trend(db, SYSTEM_PRINCIPAL, TODAY)
    assert (month.month_end, month.customers, month.checks, month.complete, month.valid, month.duplicates) == (
        date(2026, 12, 31),
        4,
        39,
        25,
        20,
        2,
    )


def test_the_trend_shows_each_month_end_of_the_viewers_subtree(db: Session, settings: Settings) -> None:
    # given runs in November and December
    cipher = settings.field_cipher()
    build(db, cipher)
    snapshot.take(db, cipher, date(2026, 11, 15))
    snapshot.take(db, cipher, TODAY)
    # when BJ's operations manager reads the trend
    ops = auth_service.principal_for(db.query(User).filter_by(username="ops").one())
    months = figures.trend(db, ops, TODAY)
    # then both month-ends cover only BJ's three customers
    assert [(m.month_end, m.customers, m.checks, m.complete, m.valid, m.complete_pct, m.valid_pct) for m in months] == [
        (date(2026, 11, 30), 3, 29, 20, 17, 69.0, 58.6),
        (date(2026, 12, 31), 3, 29, 20, 17, 69.0, 58.6),
    ]
    # and a month more than 12 months back is no longer shown
    assert [m.month_end for m in figures.trend(db, ops, date(2027, 11, 1))] == [date(2026, 12, 31)]


def test_the_registered_nightly_step_writes_the_current_month_and_is_audited(db: Session, settings: Settings) -> None:
    # given the bank and the registry's data-quality step
    build(db, settings.field_cipher())
    [step] = [j for j in jobs() if j.code == "data-quality"]
    assert step.nightly
    # when it runs twice
    first = resolve(step.entry)(db, settings)
    second = resolve(step.entry)(db, settings)
    # then both checked the four served customers and the month holds one set of rows
    assert (first.rows, second.rows) == (4, 4)
    assert rows_of(db, first.report.month_end) == 43
    assert db.scalar(select(func.count()).where(AuditEvent.action == "quality.snapshot")) == 2


def test_the_operations_home_card_shows_the_newest_month_end(db: Session, settings: Settings) -> None:
    # given no snapshot yet, then one for December
    cipher = settings.field_cipher()
    build(db, cipher)
    ops = auth_service.principal_for(db.query(User).filter_by(username="ops").one())
    assert quality_card(db, ops) is None
    snapshot.take(db, cipher, date.today())
    # when the operations manager's card is computed
    card = quality_card(db, ops)
    # then it holds BJ's month-end figures
    assert card is not None
    assert (card.customers, card.duplicates) == (3, 2)
