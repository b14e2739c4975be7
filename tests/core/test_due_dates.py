"""Due dates of procedure dossiers: qms.core.calendar.due_date() and pause_length() on the calendar of
the installation, the working-day adjustments (the official 2024-2026 schedules the migration ships
in calendar_days) included. Hand-worked cases, each citing the schedule it relies on, then
properties over 2024-2026.

Every test uses the `app` fixture: its database is made by running the migrations, so that
is_working_day() reads the announced days off and make-up Saturdays; without an app context the
adjustments are empty and only the `holidays` package and weekends count."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qms.core.calendar import (
    DEFAULT_CUTOFF,
    Deadline,
    add_working_days,
    due_date,
    is_working_day,
    next_working_day,
    pause_length,
    working_days_between,
)
from qms.core.calendar_days import CalendarDay, DayKind, forget_adjustments
from qms.db import db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
D = dt.date

# The schedules the cases rely on (domain guide, section 6; migration 0010, OFFICIAL_SCHEDULES).
VPCP_2024 = "Công văn 2450/VPCP-KGVX (12/4/2024)"
TB_2025 = "Thông báo 6150/TB-BLĐTBXH, applying 8726/VPCP-KGVX"
VPCP_2026 = "Công văn 12729/VPCP-KGVX (25/12/2025)"
BNV_2026 = "Thông báo 9441/TB-BNV (16/10/2025)"


def vn(year, month, day, hour=9, minute=0, second=0):
    """A receipt time in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN)


def utc(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- hand-worked cases ---------------------------------------------------------------------------
# (received at, working days, paused days, cutoff, expected effective receipt date, expected due date)
HOLIDAY_CASES = {
    # 2024 ---------------------------------------------------------------------------------------
    # 2450/VPCP-KGVX: Tết 8–14/2/2024 (Thu–Wed) off. Wed 7/2 + 1 -> Thu 15/2.
    "2024 Tết, 1 day": (vn(2024, 2, 7), 1, 0, DEFAULT_CUTOFF, D(2024, 2, 7), D(2024, 2, 15)),
    # 2450/VPCP-KGVX: Tết 8–14/2/2024 off. Wed 7/2 + 3 -> Thu 15, Fri 16, Mon 19/2.
    "2024 Tết, 3 days": (vn(2024, 2, 7), 3, 0, DEFAULT_CUTOFF, D(2024, 2, 7), D(2024, 2, 19)),
    # 2450/VPCP-KGVX: Tết 8–14/2/2024 off; received on Mon 12/2 (in Tết) counts from Thu 15/2.
    "2024 received in Tết": (vn(2024, 2, 12), 0, 0, DEFAULT_CUTOFF, D(2024, 2, 15), D(2024, 2, 15)),
    # 2450/VPCP-KGVX: 27/4–1/5/2024 off (29/4 swapped), Sat 4/5 worked. Fri 26/4 + 1 -> Thu 2/5.
    "2024 30/4–1/5, 1 day": (vn(2024, 4, 26), 1, 0, DEFAULT_CUTOFF, D(2024, 4, 26), D(2024, 5, 2)),
    # 2450/VPCP-KGVX: 27/4–1/5/2024 off, Sat 4/5 worked: Fri 26/4 + 3 -> Thu 2, Fri 3, Sat 4/5.
    "2024 due on make-up Sat 4/5": (vn(2024, 4, 26), 3, 0, DEFAULT_CUTOFF, D(2024, 4, 26), D(2024, 5, 4)),
    # 2450/VPCP-KGVX: Sat 4/5/2024 worked, so it counts: Thu 2/5 + 3 -> Fri 3, Sat 4, Mon 6/5.
    "2024 over make-up Sat 4/5": (vn(2024, 5, 2), 3, 0, DEFAULT_CUTOFF, D(2024, 5, 2), D(2024, 5, 6)),
    # 2450/VPCP-KGVX: Sat 4/5/2024 worked: received that Saturday, it is the day of receipt.
    "2024 received on make-up Sat 4/5": (vn(2024, 5, 4), 1, 0, DEFAULT_CUTOFF, D(2024, 5, 4), D(2024, 5, 6)),
    # 2450/VPCP-KGVX: Sat 4/5/2024 worked: Fri 3/5 after 15:00 counts from that Saturday.
    "2024 after cut-off Fri 3/5": (vn(2024, 5, 3, 16), 0, 0, DEFAULT_CUTOFF, D(2024, 5, 4), D(2024, 5, 4)),
    # 2450/VPCP-KGVX: Mon 29/4/2024 swapped off: received that day counts from Thu 2/5.
    "2024 received on swapped 29/4": (vn(2024, 4, 29), 1, 0, DEFAULT_CUTOFF, D(2024, 5, 2), D(2024, 5, 3)),
    # 2450/VPCP-KGVX: Quốc khánh 2–3/9/2024 (Mon–Tue) off. Fri 30/8 + 1 -> Wed 4/9.
    "2024 Quốc khánh": (vn(2024, 8, 30), 1, 0, DEFAULT_CUTOFF, D(2024, 8, 30), D(2024, 9, 4)),
    # 2025 ---------------------------------------------------------------------------------------
    # 6150/TB-BLĐTBXH: Tết 25/1–2/2/2025 (Sat–Sun) off. Fri 24/1 + 1 -> Mon 3/2.
    "2025 Tết, 1 day": (vn(2025, 1, 24), 1, 0, DEFAULT_CUTOFF, D(2025, 1, 24), D(2025, 2, 3)),
    # 6150/TB-BLĐTBXH: Tết 25/1–2/2/2025 off: Fri 24/1 at 15:30, same-day, counts from Mon 3/2.
    "2025 Tết, after cut-off": (vn(2025, 1, 24, 15, 30), 0, 0, DEFAULT_CUTOFF, D(2025, 2, 3), D(2025, 2, 3)),
    # 6150/TB-BLĐTBXH: 30/4–4/5/2025 off (2/5 swapped), Sat 26/4 worked. Fri 25/4 + 1 -> Sat 26/4.
    "2025 due on make-up Sat 26/4": (vn(2025, 4, 25), 1, 0, DEFAULT_CUTOFF, D(2025, 4, 25), D(2025, 4, 26)),
    # 6150/TB-BLĐTBXH: Sat 26/4 worked, 30/4–4/5 off: Fri 25/4 + 4 -> Sat 26, Mon 28, Tue 29, Mon 5/5.
    "2025 30/4–4/5": (vn(2025, 4, 25), 4, 0, DEFAULT_CUTOFF, D(2025, 4, 25), D(2025, 5, 5)),
    # 6150/TB-BLĐTBXH: Fri 2/5/2025 swapped off: received then counts from Mon 5/5.
    "2025 received on swapped 2/5": (vn(2025, 5, 2), 0, 0, DEFAULT_CUTOFF, D(2025, 5, 5), D(2025, 5, 5)),
    # 6150/TB-BLĐTBXH: Quốc khánh 1–2/9/2025 (Mon–Tue) off. Fri 29/8 + 1 -> Wed 3/9.
    "2025 Quốc khánh": (vn(2025, 8, 29), 1, 0, DEFAULT_CUTOFF, D(2025, 8, 29), D(2025, 9, 3)),
    # 2026 ---------------------------------------------------------------------------------------
    # 12729/VPCP-KGVX: Tết Dương lịch 1–4/1/2026 off. Wed 31/12/2025 + 1 -> Mon 5/1.
    "2026 Tết Dương lịch": (vn(2025, 12, 31), 1, 0, DEFAULT_CUTOFF, D(2025, 12, 31), D(2026, 1, 5)),
    # 12729/VPCP-KGVX: Fri 2/1/2026 swapped off (the holidays package does not know it): counts from Mon 5/1.
    "2026 received on swapped 2/1": (vn(2026, 1, 2), 0, 0, DEFAULT_CUTOFF, D(2026, 1, 5), D(2026, 1, 5)),
    # 12729/VPCP-KGVX: Sat 10/1/2026 worked. Fri 9/1 + 1 -> Sat 10/1.
    "2026 due on make-up Sat 10/1": (vn(2026, 1, 9), 1, 0, DEFAULT_CUTOFF, D(2026, 1, 9), D(2026, 1, 10)),
    # 12729/VPCP-KGVX: Sat 10/1/2026 worked: a same-day dossier received that Saturday is due then.
    "2026 same day on Sat 10/1": (vn(2026, 1, 10, 10), 0, 0, DEFAULT_CUTOFF, D(2026, 1, 10), D(2026, 1, 10)),
    # 12729/VPCP-KGVX: 1–4/1 off, Sat 10/1 worked: Wed 31/12/2025 + 5 -> Mon 5, Tue 6, Wed 7, Thu 8, Fri 9;
    # + 6 -> Sat 10/1.
    "2026 over Tết Dương lịch": (vn(2025, 12, 31), 6, 0, DEFAULT_CUTOFF, D(2025, 12, 31), D(2026, 1, 10)),
    # 9441/TB-BNV: Tết 14–22/2/2026 (Sat–Sun) off. Fri 13/2 + 1 -> Mon 23/2.
    "2026 Tết": (vn(2026, 2, 13), 1, 0, DEFAULT_CUTOFF, D(2026, 2, 13), D(2026, 2, 23)),
    # 9441/TB-BNV: Giỗ Tổ Mon 27/4/2026 off, 30/4–1/5 (Thu–Fri) off. Fri 24/4 + 3 -> Tue 28, Wed 29, Mon 4/5.
    "2026 Giỗ Tổ and 30/4–1/5": (vn(2026, 4, 24), 3, 0, DEFAULT_CUTOFF, D(2026, 4, 24), D(2026, 5, 4)),
    # 9441/TB-BNV: Quốc khánh 29/8–2/9/2026 off (31/8 swapped), Sat 22/8 worked. Fri 21/8 + 1 -> Sat 22/8.
    "2026 due on make-up Sat 22/8": (vn(2026, 8, 21), 1, 0, DEFAULT_CUTOFF, D(2026, 8, 21), D(2026, 8, 22)),
    # 9441/TB-BNV: Quốc khánh 29/8–2/9/2026 off. Fri 28/8 + 1 -> Thu 3/9.
    "2026 Quốc khánh": (vn(2026, 8, 28), 1, 0, DEFAULT_CUTOFF, D(2026, 8, 28), D(2026, 9, 3)),
    # 9441/TB-BNV: Mon 31/8/2026 swapped off: received then counts from Thu 3/9.
    "2026 received on swapped 31/8": (vn(2026, 8, 31), 0, 0, DEFAULT_CUTOFF, D(2026, 9, 3), D(2026, 9, 3)),
    # 24/11/2026 (Ngày Văn hóa Việt Nam) not confirmed as a day off (domain guide, section 6; migration
    # 0010 keeps it a working day): Mon 23/11 + 1 -> Tue 24/11.
    "2026 24/11 worked": (vn(2026, 11, 23), 1, 0, DEFAULT_CUTOFF, D(2026, 11, 23), D(2026, 11, 24)),
}

# The rules, on an ordinary week: Mon 7/12 to Fri 11/12/2026, no day off near (9441/TB-BNV lists none).
RULE_CASES = {
    # The day of acceptance is not counted: Mon + 3 -> Thu.
    "Monday + 3 -> Thursday": (vn(2026, 12, 7, 9), 3, 0, DEFAULT_CUTOFF, D(2026, 12, 7), D(2026, 12, 10)),
    "15:00:00 is before the cut-off": (vn(2026, 12, 7, 15), 3, 0, DEFAULT_CUTOFF, D(2026, 12, 7), D(2026, 12, 10)),
    "15:00:59 is before the cut-off": (
        vn(2026, 12, 7, 15, 0, 59),
        3,
        0,
        DEFAULT_CUTOFF,
        D(2026, 12, 7),
        D(2026, 12, 10),
    ),
    "15:01 is after the cut-off": (vn(2026, 12, 7, 15, 1), 3, 0, DEFAULT_CUTOFF, D(2026, 12, 8), D(2026, 12, 11)),
    "Friday after the cut-off counts from Monday": (
        vn(2026, 12, 4, 16),
        1,
        0,
        DEFAULT_CUTOFF,
        D(2026, 12, 7),
        D(2026, 12, 8),
    ),
    "received on Saturday": (vn(2026, 12, 12, 9), 1, 0, DEFAULT_CUTOFF, D(2026, 12, 14), D(2026, 12, 15)),
    "received on Sunday after the cut-off": (
        vn(2026, 12, 13, 16),
        0,
        0,
        DEFAULT_CUTOFF,
        D(2026, 12, 14),
        D(2026, 12, 14),
    ),
    # 9441/TB-BNV: Wed 2/9/2026 off.
    "received on a holiday": (vn(2026, 9, 2, 9), 1, 0, DEFAULT_CUTOFF, D(2026, 9, 3), D(2026, 9, 4)),
    "same day, before the cut-off": (vn(2026, 12, 7, 10), 0, 0, DEFAULT_CUTOFF, D(2026, 12, 7), D(2026, 12, 7)),
    "same day, after the cut-off": (vn(2026, 12, 7, 15, 30), 0, 0, DEFAULT_CUTOFF, D(2026, 12, 8), D(2026, 12, 8)),
    "no cut-off: 16:30 counts that day": (vn(2026, 12, 7, 16, 30), 0, 0, None, D(2026, 12, 7), D(2026, 12, 7)),
    "no cut-off: 23:59 + 3": (vn(2026, 12, 7, 23, 59), 3, 0, None, D(2026, 12, 7), D(2026, 12, 10)),
    "cut-off 11:30: 11:30:59 before": (
        vn(2026, 12, 7, 11, 30, 59),
        0,
        0,
        dt.time(11, 30),
        D(2026, 12, 7),
        D(2026, 12, 7),
    ),
    "cut-off 11:30: 11:31 after": (vn(2026, 12, 7, 11, 31), 0, 0, dt.time(11, 30), D(2026, 12, 8), D(2026, 12, 8)),
    # A pause of N working days pushes by N: Mon + 3 = Thu 10/12, + 2 paused -> Fri 11, Mon 14/12.
    "pause of 2": (vn(2026, 12, 7, 9), 3, 2, DEFAULT_CUTOFF, D(2026, 12, 7), D(2026, 12, 14)),
    # 9441/TB-BNV: Quốc khánh 29/8–2/9/2026 off: Wed 26/8 + 1 = Thu 27/8; + 2 paused -> Fri 28/8, Thu 3/9.
    "pause over Quốc khánh 2026": (vn(2026, 8, 26), 1, 2, DEFAULT_CUTOFF, D(2026, 8, 26), D(2026, 9, 3)),
    # UTC is converted to Vietnam time (UTC+7).
    "08:00 UTC is 15:00 Vietnam time": (utc(2026, 12, 7, 8, 0), 3, 0, DEFAULT_CUTOFF, D(2026, 12, 7), D(2026, 12, 10)),
    "08:30 UTC is 15:30 Vietnam time": (utc(2026, 12, 7, 8, 30), 3, 0, DEFAULT_CUTOFF, D(2026, 12, 8), D(2026, 12, 11)),
    "Sun 17:30 UTC is Mon 00:30 Vietnam time": (
        utc(2026, 12, 6, 17, 30),
        0,
        0,
        DEFAULT_CUTOFF,
        D(2026, 12, 7),
        D(2026, 12, 7),
    ),
    "Fri 23:00 UTC is Sat 06:00 Vietnam time": (
        utc(2026, 12, 4, 23, 0),
        0,
        0,
        None,
        D(2026, 12, 7),
        D(2026, 12, 7),
    ),
    # 12729/VPCP-KGVX: Sat 10/1/2026 worked; Fri 9/1 18:00 UTC is Sat 10/1 01:00 Vietnam time.
    "UTC into make-up Sat 10/1/2026": (utc(2026, 1, 9, 18), 0, 0, DEFAULT_CUTOFF, D(2026, 1, 10), D(2026, 1, 10)),
}


@pytest.mark.parametrize(
    ("received_at", "days", "paused", "cutoff", "effective", "due"),
    list(HOLIDAY_CASES.values()) + list(RULE_CASES.values()),
    ids=list(HOLIDAY_CASES) + list(RULE_CASES),
)
def test_hand_worked_due_dates(app, received_at, days, paused, cutoff, effective, due):
    assert due_date(received_at, days, cutoff=cutoff, paused_days=paused) == Deadline(effective, due, days)


def test_the_shipped_schedules_are_read(app):
    """The adjustments the hand-worked cases rely on, read from calendar_days."""
    # 2450/VPCP-KGVX: Sat 4/5/2024 worked, Mon 29/4/2024 off.
    assert is_working_day(D(2024, 5, 4)) and not is_working_day(D(2024, 4, 29))
    # 6150/TB-BLĐTBXH: Sat 26/4/2025 worked, Fri 2/5/2025 off.
    assert is_working_day(D(2025, 4, 26)) and not is_working_day(D(2025, 5, 2))
    # 12729/VPCP-KGVX: Fri 2/1/2026 off, Sat 10/1/2026 worked.
    assert not is_working_day(D(2026, 1, 2)) and is_working_day(D(2026, 1, 10))
    # 9441/TB-BNV: Sat 22/8/2026 worked, Mon 31/8/2026 off.
    assert is_working_day(D(2026, 8, 22)) and not is_working_day(D(2026, 8, 31))
    # 24/11/2026 is a working day for public offices (the holidays package lists it).
    assert is_working_day(D(2026, 11, 24))


def test_negative_limits_are_refused(app):
    with pytest.raises(ValueError):
        due_date(vn(2026, 12, 7), -1)
    with pytest.raises(ValueError):
        due_date(vn(2026, 12, 7), 1, paused_days=-1)


# --- pause_length --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paused_at", "resumed_at", "expected"),
    [
        (vn(2026, 12, 7, 9), vn(2026, 12, 9, 14), 2),  # Monday to Wednesday
        (vn(2026, 12, 7, 9), vn(2026, 12, 7, 16), 0),  # the same day
        (vn(2026, 12, 4, 9), vn(2026, 12, 7, 9), 1),  # Friday to Monday, across the weekend
        (vn(2026, 12, 3, 9), vn(2026, 12, 8, 9), 3),  # Thursday to Tuesday: Fri, Mon, Tue
        (vn(2026, 12, 4, 9), vn(2026, 12, 6, 9), 0),  # Friday to Sunday
        (vn(2026, 12, 9, 9), vn(2026, 12, 7, 9), 0),  # resumed "before" paused: never negative
        # 9441/TB-BNV: Tết 14–22/2/2026 off: Friday 13/2 to Monday 23/2 is one working day.
        (vn(2026, 2, 13, 9), vn(2026, 2, 23, 9), 1),
        # 2450/VPCP-KGVX: Sat 4/5/2024 worked: Friday 3/5 to Monday 6/5 is two.
        (vn(2024, 5, 3, 9), vn(2024, 5, 6, 9), 2),
        # In UTC: Fri 4/12 20:00 UTC is Sat 5/12 03:00 Vietnam time; Mon 7/12 01:00 UTC is Mon 08:00.
        (utc(2026, 12, 4, 20), utc(2026, 12, 7, 1), 1),
        # Mon 7/12 17:30 UTC is Tue 8/12 00:30 Vietnam time: Tuesday to Wednesday.
        (utc(2026, 12, 7, 17, 30), vn(2026, 12, 9, 9), 1),
    ],
    ids=[
        "mon-wed",
        "same day",
        "fri-mon",
        "thu-tue",
        "fri-sun",
        "reversed",
        "over Tết 2026",
        "over make-up Sat 4/5/2024",
        "utc over the weekend",
        "utc after local midnight",
    ],
)
def test_pause_length(app, paused_at, resumed_at, expected):
    assert pause_length(paused_at, resumed_at) == expected


def test_a_measured_pause_pushes_the_due_date_by_its_length(app):
    """Received Mon 7/12/2026 with 3 days (due Thu 10/12); paused Tue 8/12, resumed Thu 10/12: 2 days,
    due Mon 14/12."""
    paused = pause_length(vn(2026, 12, 8, 10), vn(2026, 12, 10, 10))
    assert paused == 2
    assert due_date(vn(2026, 12, 7), 3, paused_days=paused).due_date == D(2026, 12, 14)


# --- properties ----------------------------------------------------------------------------------
# The app fixture (its database, its app context) is made once per test and shared by the examples:
# they only read the calendar, but for the one that adds a day off and takes it back in the same
# transaction, so reusing it across examples is safe. database=None: no example database written
# into the shared checkout.

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

received_times = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([VN, UTC]),
)
limits = st.integers(0, 30)
pauses = st.integers(0, 10)
cutoffs = st.sampled_from([None, dt.time(15, 0), dt.time(11, 30)])


@PROPERTY_SETTINGS
@given(received_at=received_times, days=limits, paused=pauses, cutoff=cutoffs)
def test_a_due_date_is_a_working_day_the_limit_after_the_receipt(app, received_at, days, paused, cutoff):
    deadline = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    assert is_working_day(deadline.due_date)
    assert deadline.working_days == days
    # counted by the other function: exactly days + paused working days after the effective date
    assert working_days_between(deadline.effective_receipt_date, deadline.due_date) == days + paused


@PROPERTY_SETTINGS
@given(received_at=received_times, days=limits, paused=pauses, more=st.integers(0, 10), cutoff=cutoffs)
def test_a_pause_never_brings_the_due_date_earlier(app, received_at, days, paused, more, cutoff):
    shorter = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    longer = due_date(received_at, days, cutoff=cutoff, paused_days=paused + more)
    assert longer.due_date >= shorter.due_date
    # it pushes by exactly `more` working days, and does not move the receipt
    assert longer.due_date == add_working_days(shorter.due_date, more)
    assert longer.effective_receipt_date == shorter.effective_receipt_date


@PROPERTY_SETTINGS
@given(
    received_at=received_times,
    later_by=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)),
    days=limits,
    paused=pauses,
    cutoff=cutoffs,
    other_zone=st.booleans(),
)
def test_a_later_receipt_never_gives_an_earlier_due_date(app, received_at, later_by, days, paused, cutoff, other_zone):
    later = received_at + later_by
    if other_zone:  # the same instant written in the other zone
        later = later.astimezone(UTC if later.tzinfo is VN else VN)
    first = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    second = due_date(later, days, cutoff=cutoff, paused_days=paused)
    assert second.effective_receipt_date >= first.effective_receipt_date
    assert second.due_date >= first.due_date


@PROPERTY_SETTINGS
@given(received_at=received_times, days=limits, paused=pauses, cutoff=cutoffs)
def test_the_effective_receipt_date_is_a_working_day_not_before_the_receipt(app, received_at, days, paused, cutoff):
    deadline = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    local_day = received_at.astimezone(VN).date()
    assert is_working_day(deadline.effective_receipt_date)
    assert deadline.effective_receipt_date >= local_day
    # and no later than the first working day after the receipt's local date
    assert deadline.effective_receipt_date <= next_working_day(local_day + dt.timedelta(days=1))
    if cutoff is None or received_at.astimezone(VN).time() < cutoff:
        assert deadline.effective_receipt_date == next_working_day(local_day)


@PROPERTY_SETTINGS
@given(received_at=received_times, days=limits, paused=pauses, cutoff=cutoffs)
def test_the_due_date_is_the_effective_date_plus_days_and_pause(app, received_at, days, paused, cutoff):
    deadline = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    assert deadline.due_date == add_working_days(deadline.effective_receipt_date, days + paused)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(
    received_at=received_times,
    days=st.integers(2, 30),  # at least one working day strictly between receipt and due date
    paused=pauses,
    cutoff=cutoffs,
    pick=st.integers(0, 10_000),
)
def test_a_new_day_off_never_brings_the_due_date_earlier(app, received_at, days, paused, cutoff, pick):
    before = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
    between = [
        before.effective_receipt_date + dt.timedelta(days=i)
        for i in range(1, (before.due_date - before.effective_receipt_date).days)
    ]
    between = [day for day in between if is_working_day(day)]
    assert between  # days >= 2
    day_off = between[pick % len(between)]
    # Within the test's transaction, rolled back at the end of the example: the next example sees
    # the shipped calendar. A make-up Saturday or 24/11/2026 already has a row: it becomes a day off.
    try:
        row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day_off))
        if row is None:
            db.session.add(
                CalendarDay(day=day_off, kind=DayKind.day_off, name="Nghỉ đột xuất (thử)", announced_by="test")
            )
        else:
            row.kind = DayKind.day_off
        db.session.flush()
        forget_adjustments()
        assert not is_working_day(day_off)
        after = due_date(received_at, days, cutoff=cutoff, paused_days=paused)
        assert after.effective_receipt_date == before.effective_receipt_date
        assert after.due_date > before.due_date  # one working day fewer before it: strictly later
        assert after.due_date == add_working_days(before.due_date, 1)
    finally:
        db.session.rollback()
        forget_adjustments()
    assert is_working_day(day_off)
    assert due_date(received_at, days, cutoff=cutoff, paused_days=paused) == before
