"""Time, the one module for it: the clock (UTC), Vietnam time for what people read, the commune's
today, dd/mm/yyyy, and month arithmetic. Times are stored in UTC and shown in the installation's
time zone (QMS_TIMEZONE, Asia/Ho_Chi_Minh by default); "today" and every date a rule counts from
(effective dates, review dates, deadlines) is a date in that zone. The working-day calendar of
procedure handling belongs here too.

The clock can be set for a block of code (`clock_at`): the demo commune tells its story in the
past, and tests move time on, without any other module knowing. It is set for the whole process
(requests of a test client run in contexts of their own), so it is never used while serving.
"""

import calendar as _calendar
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UTC = dt.UTC
_clock = None  # a function returning the time, while clock_at() is in force


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (or the time `clock_at` set)."""
    return _clock() if _clock is not None else dt.datetime.now(UTC)


@contextlib.contextmanager
def clock_at(moment):
    """Within the block, utcnow() answers `moment` (an aware datetime, or a function returning
    one, for a clock that moves)."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise ValueError("clock_at needs a timezone-aware datetime")
        value = moment.astimezone(UTC)
        moment = lambda: value  # noqa: E731
    global _clock
    previous, _clock = _clock, moment
    try:
        yield
    finally:
        _clock = previous


DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def local_tz() -> ZoneInfo:
    """The installation's zone (QMS_TIMEZONE); Vietnam's outside an application."""
    return ZoneInfo(current_app.config["QMS_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE)


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(local_tz())


def local_today() -> dt.date:
    """Today in the commune's time zone (effective dates and review dates are Vietnamese dates)."""
    return utcnow().astimezone(local_tz()).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The UTC instant at which `day` begins in local time."""
    return dt.datetime.combine(day, dt.time.min, local_tz()).astimezone(UTC)


def format_date(value) -> str:
    """dd/mm/yyyy, for dates and (in Vietnam time) datetimes; "" for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value, seconds=False) -> str:
    """dd/mm/yyyy HH:MM (HH:MM:SS with seconds) in Vietnam time; "" for none."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def parse_date(text) -> dt.date:
    """dd/mm/yyyy (or ISO yyyy-mm-dd from a date input) -> date, or ValueError."""
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


RECEIVED_YEARS = (2000, 2100)
_UNENCODED_PLUS = re.compile(r"([T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def parse_received(text) -> dt.datetime:
    """When a dossier was received, as an API client writes it: ISO 8601, a date and time with or
    without its offset ("2026-03-02T15:30:00+07:00", "2026-03-02T08:30Z"), or a date alone (its
    first minute). A time without an offset is Vietnam time (the installation's zone). A "+" left
    unencoded in a query string arrives as a space: "15:30:00 07:00" is read as "15:30:00+07:00".
    Returns an aware datetime; ValueError for anything else, and for a year outside RECEIVED_YEARS
    (no working-day calendar reaches it)."""
    text = (text or "").strip()
    if not text or len(text) > 40 or not text.isascii():
        raise ValueError(text)
    text = _UNENCODED_PLUS.sub(r"\1+\2", text)
    value = dt.datetime.fromisoformat(text.replace("z", "Z"))
    if not RECEIVED_YEARS[0] <= value.year <= RECEIVED_YEARS[1]:
        raise ValueError(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=local_tz())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the last day of that month (31/01 + 1 month -> 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


# --- working days ------------------------------------------------------------------------------
# Monday to Friday, less Vietnam's public holidays (Tết and the Hùng Kings' day follow the lunar
# calendar; the `holidays` package knows them), adjusted by the days off and make-up working days
# the government announces each year (qms.core.calendar_days, kept by the administrator): where the
# two disagree, the announced schedule wins.

DEFAULT_CUTOFF = dt.time(15, 0)


# The `holidays` package loads every country it knows when asked for one: about 17 MB that a web
# worker would keep for good. A child process asks it instead, once per process, for every year a
# deadline can reach (RECEIVED_YEARS; another year alone when asked for one), named in both languages.
_HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}  # the reader's language -> the package's
_HOLIDAYS_CHILD = """
import json, sys
import holidays
years = range(int(sys.argv[1]), int(sys.argv[2]) + 1)
named = {language: holidays.country_holidays("VN", years=years, language=language) for language in sys.argv[3:]}
json.dump({language: {day.isoformat(): name for day, name in days.items()} for language, days in named.items()},
          sys.stdout)
"""


@functools.cache
def _holiday_table(first: int, last: int) -> dict:
    """{language: {year: {date: name}}} of Vietnam's public holidays in years first..last."""
    done = subprocess.run(
        [sys.executable, "-c", _HOLIDAYS_CHILD, str(first), str(last), *_HOLIDAY_LANGUAGES.values()],
        capture_output=True,
        check=True,
        timeout=120,
    )
    table = {}
    for ours, theirs in _HOLIDAY_LANGUAGES.items():
        years = table[ours] = {}
        for iso, name in json.loads(done.stdout)[theirs].items():
            day = dt.date.fromisoformat(iso)
            years.setdefault(day.year, {})[day] = name
    return table


def public_holidays(year: int, language: str = "vi") -> dict:
    """{date: name} of the year's public holidays as the `holidays` package knows them (the
    working-day calendar's default, before the announced adjustments), named in `language` (vi, en)."""
    first, last = RECEIVED_YEARS if RECEIVED_YEARS[0] <= year <= RECEIVED_YEARS[1] else (year, year)
    return _holiday_table(first, last)[language].get(year, {})


@functools.cache
def _public_holidays(year: int) -> frozenset:
    return frozenset(public_holidays(year))


def is_working_day(day: dt.date) -> bool:
    from qms.core.calendar_days import adjustments

    adjusted = adjustments().get(day)
    if adjusted is not None:
        return adjusted
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (before it for a negative n); `day` itself for n = 0."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier):
    from a Friday to the next Monday is 1."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


@dataclasses.dataclass(frozen=True)
class Deadline:
    effective_receipt_date: dt.date  # the working day the count starts from
    due_date: dt.date
    working_days: int  # the limit counted (0: same day), paused days not included


def due_date(received_at: dt.datetime, working_days: int, *, cutoff=DEFAULT_CUTOFF, paused_days: int = 0) -> Deadline:
    """The due date of a dossier received at `received_at` (an aware datetime) with a limit of
    `working_days` (0 for a same-day procedure): the one function every deadline comes from.

    A dossier received on a day off, or after the cut-off hour (`cutoff`, a time; None for none;
    a receipt within the cut-off minute, 15:00:59, is before it), counts as received on the next
    working day. The day of receipt is not counted: received Monday with 3 working days, due
    Thursday; a same-day procedure is due on the day it counts as received. `paused_days`, the
    working days the clock stood still while the citizen supplemented the dossier
    (`pause_length`), push the due date by as many working days."""
    if working_days < 0 or paused_days < 0:
        raise ValueError("working_days and paused_days cannot be negative")
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    local = to_local(received_at)
    day = local.date()
    if cutoff is not None and local.time().replace(second=0, microsecond=0) > cutoff:
        day += dt.timedelta(days=1)
    effective = next_working_day(day)
    return Deadline(effective, add_working_days(effective, working_days + paused_days), working_days)


def pause_length(paused_at: dt.datetime, resumed_at: dt.datetime) -> int:
    """The working days a pause took (from the day it began to the day it ended, as
    working_days_between counts them): paused on Monday, resumed on Wednesday, 2."""
    return max(working_days_between(to_local(paused_at).date(), to_local(resumed_at).date()), 0)


# --- working hours -------------------------------------------------------------------------------
# A step of a process is allowed working hours (a working day holds 8): counted within the office
# hours of working days (QMS_OFFICE_HOURS, "07:30-11:30,13:00-17:00" by default).

DEFAULT_OFFICE_HOURS = "07:30-11:30,13:00-17:00"


def office_hours() -> tuple:
    """((start, end), ...) of the working day, as times."""
    text = current_app.config.get("QMS_OFFICE_HOURS", DEFAULT_OFFICE_HOURS) if has_app_context() else None
    periods = []
    for part in (text or DEFAULT_OFFICE_HOURS).split(","):
        start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
        periods.append((start, end))
    return tuple(periods)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start` (aware), counting only office hours of
    working days: 2 hours from Friday 16:00 is Monday 08:30."""
    if hours <= 0:
        return start
    remaining = dt.timedelta(hours=hours)
    local = to_local(start)
    day, after = local.date(), local.time().replace(tzinfo=None)
    while True:
        if is_working_day(day):
            for begin, end in office_hours():
                begin = max(begin, after)
                if begin >= end:
                    continue
                available = dt.datetime.combine(day, end) - dt.datetime.combine(day, begin)
                if remaining <= available:
                    moment = dt.datetime.combine(day, begin, local_tz()) + remaining
                    return moment.astimezone(UTC)
                remaining -= available
        day, after = day + dt.timedelta(days=1), dt.time.min
