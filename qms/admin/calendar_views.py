"""The working-day calendar's page (/admin/calendar?year=2026): the year's announced days off and
working days, and its months day by day, so that anyone sees what counts as a working day. Every
signed-in person reads it (the schedule is public); an administrator adds and removes days there."""

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from qms.admin import calendar
from qms.admin.labels import KIND_LABELS
from qms.admin.views import bp
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import format_date, local_today
from qms.core.forms import DateField, Form, SelectField
from qms.core.lists import FilterForm, read_filters
from qms.core.nav import register_nav
from qms.db import DomainError, settle


class YearForm(FilterForm):
    year = SelectField(_l("Year"), coerce=int, choices=[], validators=[Optional()])


class CalendarDayForm(Form):
    day = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date of the day."))], description=_l("dd/mm/yyyy")
    )
    kind = SelectField(
        _l("Kind of day"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        description=_l("A day off on a weekday, or a working day on a Saturday or a public holiday."),
    )
    name = StringField(
        _l("Name of the day"),
        validators=[
            DataRequired(_l("Name the day (e.g. Lunar New Year, make-up for 02/01).")),
            Length(max=calendar.NAME_MAX),
        ],
        description=_l("e.g. Tết Nguyên đán; Làm bù cho ngày 02/01/2026"),
    )
    announced_by = StringField(
        _l("Announced by"),
        validators=[
            DataRequired(_l("Say which document announced it (its number and date).")),
            Length(max=calendar.ANNOUNCED_BY_MAX),
        ],
        description=_l("The document that announced it, e.g. Công văn 12729/VPCP-KGVX ngày 25/12/2025"),
    )


class RemoveDayForm(Form):
    day = HiddenField()  # ISO date of the entry (the calendar's days are no commune's records: no id in the URL)
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the day is removed from the calendar.")),
            Length(max=calendar.REASON_MAX),
        ],
    )


# The field a refusal of the services is about.
_FIELDS = {
    "name_required": "name",
    "name_too_long": "name",
    "announced_by_required": "announced_by",
    "announced_by_too_long": "announced_by",
    "bad_kind": "kind",
}


def _year_choices(asked: int | None) -> list:
    """From the first year with an entry (last year at the latest) to the last one (next year at
    the earliest), and the year asked for when it lies outside."""
    this_year = local_today().year
    first, last = calendar.years_with_entries() or (this_year, this_year)
    low, high = min(first, this_year - 1), max(last, this_year + 1)
    if asked is not None and calendar.FIRST_YEAR <= asked <= calendar.LAST_YEAR:
        low, high = min(low, asked), max(high, asked)
    return [SelectChoice(year, str(year)) for year in range(low, high + 1)]


def _asked_year(text) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def _months(year, entries):
    holidays = calendar.public_holidays(year)
    by_day = {entry.day: entry for entry in entries}
    months = []
    for month in range(1, 13):
        weeks = calendar.month_weeks(year, month, by_day, holidays)
        months.append(
            {
                "number": month,
                "name": calendar.month_name(month),
                "weeks": weeks,
                "working": sum(cell.is_working for week in weeks for cell in week if cell is not None),
            }
        )
    return months, holidays


def _page(year, *, form=None, year_form=None, remove_form=None, remove_day=None, status=200):
    entries = calendar.entries_of_year(year)
    months, holidays = _months(year, entries)
    if year_form is None:
        year_form = YearForm(formdata=None, year=year)
        year_form.year.choices = _year_choices(year)
    return render_template(
        "admin/calendar.html",
        year=year,
        year_form=year_form,
        previous_year=year - 1 if year > calendar.FIRST_YEAR else None,
        next_year=year + 1 if year < calendar.LAST_YEAR else None,
        entries=entries,
        months=months,
        holidays=holidays,
        working_days=sum(month["working"] for month in months),
        weekdays=list(zip(calendar.weekday_names("short"), calendar.weekday_names())),
        weekday_name=calendar.weekday_name,
        legend=calendar.LEGEND,
        kind_labels={kind.value: label for kind, label in KIND_LABELS.items()},
        today=local_today(),
        can_change=calendar.can_change(current_user),
        form=form or CalendarDayForm(formdata=None),
        remove_form=remove_form or RemoveDayForm(formdata=None),
        remove_day=remove_day,
        language=str(get_locale() or "vi"),
    ), status


@bp.get("/calendar")
@allow(SIGNED_IN)
def show_calendar():
    """The calendar of a year (?year=, this year by default); a year that cannot be read is said
    under the selector and this year shown."""
    asked = _asked_year(request.args.get("year"))
    year_form = read_filters(YearForm, request.args, choices={"year": _year_choices(asked)})
    year = local_today().year
    if year_form.errors:
        year_form.year.data = year
        return _page(year, year_form=year_form, status=400)
    year = year_form.year.data or year
    year_form.year.data = year
    return _page(year, year_form=year_form)


def _year_of_request(day=None) -> int:
    asked = _asked_year(request.args.get("year"))
    if day is not None and calendar.FIRST_YEAR <= day.year <= calendar.LAST_YEAR:
        return day.year
    if asked is not None and calendar.FIRST_YEAR <= asked <= calendar.LAST_YEAR:
        return asked
    return local_today().year


@bp.post("/calendar/days")
@allow(*calendar.KEEPERS)
def add_calendar_day():
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            entry = calendar.add_calendar_day(
                current_user._get_current_object(),
                day=form.day.data,
                kind=form.kind.data,
                name=form.name.data,
                announced_by=form.announced_by.data,
            )
        except DomainError as exc:
            settle(exc)
            getattr(form, _FIELDS.get(exc.code, "day")).errors.append(str(exc.message))
            return _page(_year_of_request(form.day.data), form=form, status=exc.status)
        flash(
            _(
                "%(date)s has been added to the calendar: %(kind)s, %(name)s.",
                date=format_date(entry.day),
                kind=KIND_LABELS[entry.kind],
                name=entry.name,
            ),
            "success",
        )
        return redirect(url_for("admin.show_calendar", year=entry.day.year, _anchor="entries"), 303)
    return _page(_year_of_request(form.day.data), form=form, status=400)


@bp.post("/calendar/days/remove")
@allow(*calendar.KEEPERS)
def remove_calendar_day():
    """Remove the day the form names (day=, an ISO date); 404 when the calendar has no such day."""
    form = RemoveDayForm()
    try:
        date = dt.date.fromisoformat(form.day.data or "")
    except ValueError:
        abort(404)
    entry = calendar.find_entry(date)
    if entry is None:
        abort(404)
    if form.validate_on_submit():
        try:
            calendar.remove_calendar_day(current_user._get_current_object(), entry, reason=form.reason.data)
        except DomainError as exc:
            settle(exc)
            form.reason.errors.append(str(exc.message))
            return _page(date.year, remove_form=form, remove_day=date, status=exc.status)
        flash(_("%(date)s has been removed from the calendar.", date=format_date(date)), "success")
        return redirect(url_for("admin.show_calendar", year=date.year, _anchor="entries"), 303)
    return _page(date.year, remove_form=form, remove_day=date, status=400)


register_nav("admin.show_calendar", _l("Working-day calendar"), order=94)
