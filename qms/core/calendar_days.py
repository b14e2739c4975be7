"""The yearly adjustments of the working-day calendar: the days off and make-up working days the
government announces for public offices (the `holidays` package models no make-up Saturday and no
swapped day, and lists days that were never confirmed for public offices). The administrator keeps
them (qms/admin/calendar.py); the official schedules of 2024 to 2026 are shipped as this data by
the migration that made the table. One calendar for the installation: the schedule is national."""

import datetime as dt
import enum

from flask import g, has_app_context
from sqlalchemy import Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column


class DayKind(enum.Enum):
    day_off = "day_off"  # no work on a day that would otherwise be a working day
    working_day = "working_day"  # work on a day that would otherwise be off (a make-up Saturday)


class CalendarDay(db.Model):
    __tablename__ = "calendar_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind))
    name: Mapped[str] = mapped_column(String(200))  # Tết Nguyên đán, làm bù cho ngày 02/01
    announced_by: Mapped[str] = mapped_column(String(300))  # the document that announced it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_working(self) -> bool:
        return self.kind is DayKind.working_day


def adjustments() -> dict:
    """{date: True for a working day, False for a day off} as the administrator keeps them; read
    once per request (or command) and kept on it, so that an edit in one worker holds in the next
    request of every other. Outside an application (a plain function call) there are none."""
    if not has_app_context():
        return {}
    found = g.get("calendar_adjustments")
    if found is None:
        rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        found = g.calendar_adjustments = {day: kind is DayKind.working_day for day, kind in rows}
    return found


def forget_adjustments():
    """After an edit: the next question reads the table again."""
    if has_app_context():
        g.pop("calendar_adjustments", None)
