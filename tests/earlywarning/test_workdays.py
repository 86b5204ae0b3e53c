"""The working calendar escalations count in: weekends and statutory holidays off, make-up Saturdays on."""

from __future__ import annotations

from datetime import date

from bankcrm.kit.workdays import add_working_days, is_working_day, working_days_between


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday() -> None:
    # Given Wednesday 30 September 2026: 1-7 October off, Saturday 10 October a make-up working day
    start = date(2026, 9, 30)
    # Then 3 working days later is Saturday 10 October (8 Oct, 9 Oct, 10 Oct)
    assert add_working_days(start, 3) == date(2026, 10, 10)
    assert not is_working_day(date(2026, 10, 5)) and is_working_day(date(2026, 10, 10))
    assert working_days_between(start, date(2026, 10, 10)) == 3


def test_an_ordinary_week_skips_the_weekend() -> None:
    # Thursday 3 December 2026 + 3 working days: Friday, Monday, Tuesday
    assert add_working_days(date(2026, 12, 3), 3) == date(2026, 12, 8)
