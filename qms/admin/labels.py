"""Labels of what the working-day calendar records (see qms.core.labels): its actions, its record
type, fields and kinds of day, and the name of a day ("10/01/2026 – Làm bù cho ngày 2/1/2026")."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.core.calendar import format_date
from qms.core.calendar_days import CalendarDay, DayKind
from qms.core.labels import register
from qms.db import db

KIND_LABELS = {DayKind.day_off: _l("Day off"), DayKind.working_day: _l("Working day")}


def _days(commune_id, keys):
    """A day of the calendar is named by its date, and the entry's name while it has one: the
    calendar is the installation's, so every commune reads the same names."""
    dates = {}
    for key in keys:
        try:
            dates[key] = dt.date.fromisoformat(key)
        except ValueError:
            continue
    if not dates:
        return {}
    names = dict(
        db.session.execute(select(CalendarDay.day, CalendarDay.name).where(CalendarDay.day.in_(dates.values()))).all()
    )
    return {
        key: f"{format_date(day)} – {names[day]}" if day in names else format_date(day) for key, day in dates.items()
    }


register(
    actions={
        "calendar.day_added": _l("Day added to the working-day calendar"),
        "calendar.day_removed": _l("Day removed from the working-day calendar"),
    },
    records={"calendar_days": _l("Day of the working-day calendar")},
    record_fields={"calendar_days": {"kind": _l("Kind of day"), "name": _l("Name of the day")}},
    fields={"day": _l("Date"), "announced_by": _l("Announced by")},
    values={"kind": {kind.value: label for kind, label in KIND_LABELS.items()}},
    namers={"calendar_days": _days},
)
