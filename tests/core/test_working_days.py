"""Working days: Monday to Friday less Vietnam's public holidays, the lunar ones included."""

import datetime as dt

from qms.core.calendar import add_working_days, is_working_day, working_days_between


def test_weekends_and_public_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 12, 4))  # a Friday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 9, 2))  # National Day
    assert not is_working_day(dt.date(2026, 2, 17))  # Tết, a lunar date


def test_add_working_days_skips_weekends_and_tet():
    assert add_working_days(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)
    assert add_working_days(dt.date(2026, 12, 7), -1) == dt.date(2026, 12, 4)
    assert add_working_days(dt.date(2026, 12, 4), 0) == dt.date(2026, 12, 4)
    # Friday 13/02/2026, then Tết from Monday 16 to Friday 20: the next working day is 23/02.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(dt.date(2026, 12, 4), dt.date(2026, 12, 7)) == 1
    assert working_days_between(dt.date(2026, 12, 7), dt.date(2026, 12, 4)) == -1
    assert working_days_between(dt.date(2026, 12, 7), dt.date(2026, 12, 7)) == 0
    assert working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1
    assert working_days_between(dt.date(2026, 12, 1), dt.date(2026, 12, 8)) == 5
