"""The business calendar: the holidays package's days, the bank's entries winning, and the warnings counted in it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.earlywarning.service import raising
from bankcrm.kit.workdays import PACKAGE_ONLY
from bankcrm.models.audit import AuditEvent
from bankcrm.models.workcalendar import CalendarDay
from bankcrm.workcalendar.schemas import CalendarDayWrite
from bankcrm.workcalendar.service import days, edit, reads
from tests.conftest import unit_id, user_id
from tests.factories import make_customer


def _set(db: Session, day: date, kind: str, en: str = "Bank day", zh: str = "本行日期") -> None:
    edit.put(db, SYSTEM_PRINCIPAL, day, CalendarDayWrite(kind=kind, label_en=en, label_zh=zh))


def test_the_package_closes_a_statutory_holiday_and_opens_its_make_up_saturday(db: Session) -> None:
    # Given no bank entries
    cal = days.current(db)
    # Then Labour Day (Friday 1 May 2026) is closed and Saturday 9 May 2026 is a make-up working day, from the package
    assert (cal.is_working_day(date(2026, 5, 1)), cal.is_working_day(date(2026, 5, 9))) == (False, True)
    labour = cal.day(date(2026, 5, 1))
    assert labour is not None and (labour.kind, labour.source, labour.label_zh) == ("HOLIDAY", "package", "劳动节")
    # And an ordinary Wednesday is worked, an ordinary Sunday is not
    assert (cal.is_working_day(date(2026, 6, 3)), cal.is_working_day(date(2026, 6, 7))) == (True, False)


def test_a_bank_entry_overrides_the_package_and_removing_it_restores_the_package(db: Session) -> None:
    # Given the package closes Friday 25 September 2026 (Mid-Autumn Festival)
    assert days.current(db).is_working_day(date(2026, 9, 25)) is False
    # When the bank opens it, and closes Monday 28 September 2026
    _set(db, date(2026, 9, 25), "WORKDAY", "Branch open", "网点营业")
    _set(db, date(2026, 9, 28), "HOLIDAY", "Bank holiday", "行庆")
    cal = days.current(db)
    # Then the bank's answers win
    assert (cal.is_working_day(date(2026, 9, 25)), cal.is_working_day(date(2026, 9, 28))) == (True, False)
    listed = {d.day: d for d in reads.year(db, SYSTEM_PRINCIPAL, 2026, locale="zh_CN").days}
    mid_autumn = listed[date(2026, 9, 25)]
    assert (mid_autumn.source, mid_autumn.kind, mid_autumn.label, mid_autumn.overrides) == (
        "bank",
        "WORKDAY",
        "网点营业",
        "中秋节",
    )
    assert (mid_autumn.kind_label, mid_autumn.changed_by) == ("工作日", "system")
    # When the bank removes its entry for 25 September
    edit.remove(db, SYSTEM_PRINCIPAL, date(2026, 9, 25))
    # Then the package answers again: closed, and only 28 September is still the bank's
    cal = days.current(db)
    assert (cal.is_working_day(date(2026, 9, 25)), cal.is_working_day(date(2026, 9, 28))) == (False, False)
    assert [r.day for r in db.query(CalendarDay).all()] == [date(2026, 9, 28)]
    # And each change is in the audit log
    actions = [e.action for e in db.query(AuditEvent).filter(AuditEvent.entity_type == "calendar_day")]
    assert actions == ["calendar_day.set", "calendar_day.set", "calendar_day.removed"]


def test_working_days_across_the_2026_spring_festival_count_both_make_up_saturdays(db: Session) -> None:
    cal = days.current(db)
    # Given Friday 13 February 2026: Saturday 14 Feb worked, 15-23 Feb off, Saturday 28 Feb worked
    start = date(2026, 2, 13)
    # Then the working days after it are 14 Feb, 24-27 Feb, 28 Feb, 2 March
    assert [cal.add_working_days(start, n) for n in (1, 2, 5, 6, 7)] == [
        date(2026, 2, 14),
        date(2026, 2, 24),
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 2),
    ]
    assert cal.working_days_between(start, date(2026, 3, 2)) == 7


def test_a_year_without_make_up_days_is_flagged_until_the_bank_enters_one(db: Session) -> None:
    # Given the package carries 2026's schedule but only 2027's computed holidays
    assert reads.year(db, SYSTEM_PRINCIPAL, 2026, locale="en").has_make_up_days is True
    assert reads.year(db, SYSTEM_PRINCIPAL, 2027, locale="en").has_make_up_days is False
    # When the bank enters a make-up Saturday of 2027
    _set(db, date(2027, 2, 20), "WORKDAY", "Make-up working day for the Spring Festival", "春节调休上班")
    # Then 2027 has its make-up day
    assert reads.year(db, SYSTEM_PRINCIPAL, 2027, locale="en").has_make_up_days is True


def test_an_escalation_due_date_counts_a_holiday_the_bank_entered_for_2027(db: Session) -> None:
    # Given the package closes 5-10 February 2027, and the bank closes Thursday 11 and Friday 12 as well
    assert PACKAGE_ONLY.add_working_days(date(2027, 2, 4), 3) == date(2027, 2, 15)
    _set(db, date(2027, 2, 11), "HOLIDAY", "Spring Festival", "春节")
    _set(db, date(2027, 2, 12), "HOLIDAY", "Spring Festival", "春节")
    c = make_customer(db, "93100000001", manager="am1")
    context = {"manager_id": user_id(db, "am1"), "unit_id": unit_id(db, "BJ"), "tier": "", "aum": 0}
    # When a warning is raised on Thursday 4 February 2027 (escalation after 3 working days)
    w = raising.new_warning(
        db, customer_id=c.id, context=context, month=date(2027, 1, 1), today=date(2027, 2, 4), reasons=[], leading="X"
    )
    # Then it is due Wednesday 17 February (15, 16, 17), and escalates on the 18th, not before
    assert w.due_on == date(2027, 2, 17)
    assert raising.escalate_due(db, date(2027, 2, 17)) == 0
    assert raising.escalate_due(db, date(2027, 2, 18)) == 1


def test_an_edit_is_seen_at_the_next_load_and_nothing_is_reread_while_nothing_changed(db: Session) -> None:
    # Given a calendar loaded once
    first = days.current(db)
    # When nothing changes, the next load is the very same object (built once per process)
    assert days.current(db) is first
    # When an entry is added, then changed
    _set(db, date(2026, 12, 31), "HOLIDAY")
    added = days.current(db)
    _set(db, date(2026, 12, 31), "WORKDAY")
    changed = days.current(db)
    # Then each load after a change sees it
    assert (added.is_working_day(date(2026, 12, 31)), changed.is_working_day(date(2026, 12, 31))) == (False, True)
    assert added is not first and changed is not added
