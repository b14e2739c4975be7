"""The working-day calendar the administrator keeps: the days off and make-up working days the
government announces each year for public offices (qms.core.calendar_days), on top of Monday to
Friday less the public holidays of the `holidays` package. One calendar for the installation: the
schedule is national, so a commune's administrator and the installation's administrator keep it,
and every deadline of every commune is counted with it (qms.core.calendar.due_date).

Who may change it (change_refusal), the reads of a year (entries, public holidays by name, the days
of a month as a page shows them) and the two changes, adding and removing a day, each recorded in
the audit trail under the day it is about ("calendar_days", the ISO date), so that a day's history
stays whole after its entry is removed and added again.
"""

import calendar as _calendar
import dataclasses
import datetime as dt

from babel.dates import get_day_names, get_month_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.auth.models import ADMINISTRATOR, INSTALLATION_ADMIN
from qms.core.calendar import RECEIVED_YEARS, format_date
from qms.core.calendar import public_holidays as known_holidays
from qms.core.calendar_days import CalendarDay, DayKind, forget_adjustments
from qms.db import DomainError, db

KEEPERS = (ADMINISTRATOR, INSTALLATION_ADMIN)
RECORD_TYPE = "calendar_days"
NAME_MAX = 200  # the columns' lengths
ANNOUNCED_BY_MAX = 300
REASON_MAX = 500
FIRST_YEAR, LAST_YEAR = RECEIVED_YEARS  # the years a page, the API and the CLI speak of


# --- who may change it -----------------------------------------------------------------------------


def change_refusal(user) -> str | None:
    """Why `user` may not change the calendar, or None: only an administrator (of a commune or of
    the installation) keeps it."""
    if user is None or not user.is_authenticated or not user.has_role(*KEEPERS):
        return _l("Only an administrator can change the working-day calendar.")
    return None


def can_change(user) -> bool:
    return change_refusal(user) is None


# --- reads -----------------------------------------------------------------------------------------


def entries_of_year(year: int) -> list[CalendarDay]:
    """The year's entries, in date order."""
    first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return list(
        db.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= first, CalendarDay.day < after).order_by(CalendarDay.day)
        )
    )


def find_entry(day: dt.date) -> CalendarDay | None:
    return db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))


def years_with_entries() -> tuple[int, int] | None:
    """The first and last year that have an entry, or None."""
    first = db.session.scalar(select(CalendarDay.day).order_by(CalendarDay.day).limit(1))
    last = db.session.scalar(select(CalendarDay.day).order_by(CalendarDay.day.desc()).limit(1))
    return (first.year, last.year) if first is not None else None


def _language():
    return "en" if str(get_locale() or "vi") == "en" else "vi"


def public_holidays(year: int) -> dict:
    """{date: name} of the year's public holidays as the `holidays` package knows them (the
    calendar's default, before the announced adjustments), named in the reader's language."""
    return known_holidays(year, _language())


def weekday_name(day: dt.date, width="wide") -> str:
    """The day of the week in the reader's language: Thứ Hai … Chủ Nhật (width "short": T2 … CN)."""
    return get_day_names(width, locale=_language())[day.weekday()]


def weekday_names(width="wide") -> list[str]:
    """The days of the week, Monday first, in the reader's language."""
    names = get_day_names(width, locale=_language())
    return [names[i] for i in range(7)]


def month_name(month: int) -> str:
    """Tháng 1 … Tháng 12 (January … December)."""
    return get_month_names("wide", context="stand-alone", locale=_language())[month]


def regular_day_off(day: dt.date) -> str | None:
    """Why `day` is off without any announced adjustment (a public holiday, by its name; Saturday,
    Sunday), or None when it is a working day by default."""
    holiday = public_holidays(day.year).get(day)
    if holiday:
        return holiday
    return weekday_name(day) if day.weekday() >= 5 else None


class Look:
    """How a day of the month view looks: the CSS class of its kind, and its words in the legend."""

    working = "cal-working"
    weekend = "cal-weekend"
    holiday = "cal-holiday"
    day_off = "cal-day-off"
    make_up = "cal-make-up"


LEGEND = (
    (Look.working, _l("Working day")),
    (Look.weekend, _l("Saturday or Sunday")),
    (Look.holiday, _l("Public holiday (Labour Code)")),
    (Look.day_off, _l("Day off announced for public offices")),
    (Look.make_up, _l("Working day announced (a make-up Saturday, a holiday worked)")),
)


@dataclasses.dataclass(frozen=True)
class CalendarCell:
    day: dt.date
    is_working: bool
    look: str
    note: str  # the holiday's or the entry's name, or ""


def month_weeks(year: int, month: int, entries: dict, holidays: dict) -> list[list[CalendarCell | None]]:
    """The weeks of a month, Monday first, each day as a CalendarCell (None outside the month).
    entries: {date: CalendarDay}; holidays: {date: name} (public_holidays)."""
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            entry = entries.get(day)
            if entry is not None:
                look = Look.make_up if entry.is_working else Look.day_off
                row.append(CalendarCell(day, entry.is_working, look, entry.name))
            elif day in holidays:
                row.append(CalendarCell(day, False, Look.holiday, holidays[day]))
            elif day.weekday() >= 5:
                row.append(CalendarCell(day, False, Look.weekend, ""))
            else:
                row.append(CalendarCell(day, True, Look.working, ""))
        weeks.append(row)
    return weeks


# --- changes ---------------------------------------------------------------------------------------


def _require_keeper(actor):
    refusal = change_refusal(actor)
    if refusal:
        raise DomainError(refusal, code="forbidden", status=403)


def _text(value, *, maximum, missing, missing_code, too_long):
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(missing, code=missing_code)
    if len(text) > maximum:
        raise DomainError(too_long, code=f"{missing_code.removesuffix('_required')}_too_long")
    return text


def _kind(kind) -> DayKind:
    try:
        return kind if isinstance(kind, DayKind) else DayKind(kind)
    except ValueError:
        raise DomainError(_l("The kind of day is either a day off or a working day."), code="bad_kind") from None


def add_calendar_day(actor, *, day, kind, name, announced_by) -> CalendarDay:
    """Add an announced day off or working day to the calendar, as `actor` (an administrator).

    Raises DomainError: forbidden (403) for anyone else; day_required, bad_kind, name_required,
    announced_by_required (or *_too_long); day_taken (409) when the day has an entry already;
    pointless when the day already is what the entry would make it (a day off on a Sunday or a
    public holiday, a working day on a weekday that is no public holiday)."""
    _require_keeper(actor)
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DomainError(_l("Enter the date of the day."), code="day_required")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            _l("The calendar covers the years %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            code="day_out_of_range",
        )
    kind = _kind(kind)
    name = _text(
        name,
        maximum=NAME_MAX,
        missing=_l("Name the day (e.g. Lunar New Year, make-up for 02/01)."),
        missing_code="name_required",
        too_long=_l("The name is longer than %(n)d characters.", n=NAME_MAX),
    )
    announced_by = _text(
        announced_by,
        maximum=ANNOUNCED_BY_MAX,
        missing=_l("Say which document announced it (its number and date)."),
        missing_code="announced_by_required",
        too_long=_l("The document's reference is longer than %(n)d characters.", n=ANNOUNCED_BY_MAX),
    )
    existing = find_entry(day)
    if existing is not None:
        raise DomainError(
            _l(
                "%(date)s is in the calendar already (%(name)s). Remove that entry first to replace it.",
                date=format_date(day),
                name=existing.name,
            ),
            code="day_taken",
            status=409,
        )
    _refuse_pointless(day, kind)
    entry = CalendarDay(day=day, kind=kind, name=name, announced_by=announced_by, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record_event(
        actor,
        "calendar.day_added",
        entity_type=RECORD_TYPE,
        entity_id=day.isoformat(),
        changes={
            "day": (None, day.isoformat()),
            "kind": (None, kind.value),
            "name": (None, name),
            "announced_by": (None, announced_by),
        },
    )
    forget_adjustments()
    return entry


def _refuse_pointless(day, kind):
    """An entry that would change nothing is refused, saying what the day is already."""
    off = regular_day_off(day)
    if kind is DayKind.day_off and off is not None:
        raise DomainError(
            _l(
                "%(date)s is a day off already (%(why)s): a day off there changes nothing.",
                date=format_date(day),
                why=off,
            ),
            code="pointless",
        )
    if kind is DayKind.working_day and off is None:
        raise DomainError(
            _l(
                "%(date)s (%(weekday)s) is a working day already: no public holiday falls on it, so a "
                "working day there changes nothing.",
                date=format_date(day),
                weekday=weekday_name(day),
            ),
            code="pointless",
        )


def remove_calendar_day(actor, entry, *, reason) -> None:
    """Remove an entry from the calendar, as `actor` (an administrator), saying why: the day is
    then counted as Monday to Friday less the public holidays say.

    Raises DomainError: forbidden (403) for anyone else; reason_required (or reason_too_long)."""
    _require_keeper(actor)
    reason = _text(
        reason,
        maximum=REASON_MAX,
        missing=_l("Say why the day is removed from the calendar."),
        missing_code="reason_required",
        too_long=_l("The reason is longer than %(n)d characters.", n=REASON_MAX),
    )
    record_event(
        actor,
        "calendar.day_removed",
        entity_type=RECORD_TYPE,
        entity_id=entry.day.isoformat(),
        changes={
            "day": (entry.day.isoformat(), None),
            "kind": (entry.kind.value, None),
            "name": (entry.name, None),
            "announced_by": (entry.announced_by, None),
        },
        reason=reason,
    )
    db.session.delete(entry)
    db.session.flush()
    forget_adjustments()
