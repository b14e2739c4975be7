"""The working-day calendar through the API (/api/v1/calendar): a due date counted as every deadline
of qms is (qms.core.calendar.due_date), and the days announced for a year. Any signed-in user may
ask: the schedule is public. Every parameter is checked; a bad one answers 400 with the reason."""

import datetime as dt
import re

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from qms.admin import calendar
from qms.api import api_route, error_spec, json_spec, query_param
from qms.api.arguments import refuse, refuse_unknown_parameters
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import DEFAULT_CUTOFF, RECEIVED_YEARS, due_date, local_today, parse_received
from qms.core.calendar_days import DayKind

TAGS = ["calendar"]
MAX_DAYS = 365
DUE_DATE_PARAMETERS = ("received", "days", "cutoff")
DAYS_PARAMETERS = ("year",)
_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _received() -> dt.datetime:
    text = (request.args.get("received") or "").strip()
    if not text:
        refuse(_l("Give the time the dossier was received: received=2026-02-13T15:30."), "missing_received")
    try:
        return parse_received(text)
    except ValueError:
        refuse(
            _l(
                "received must be an ISO 8601 time from the year %(first)d to %(last)d, for example "
                "2026-03-02T15:30:00+07:00 (Vietnam time when no offset is given).",
                first=RECEIVED_YEARS[0],
                last=RECEIVED_YEARS[1],
            ),
            "bad_received",
        )


def _days() -> int:
    text = (request.args.get("days") or "").strip()
    if not text:
        refuse(_l("Give the time limit in working days: days=3 (0 for the same day)."), "missing_days")
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_DAYS:
        refuse(_l("days must be a whole number from 0 to %(max)d.", max=MAX_DAYS), "bad_days")
    return int(text)


def _cutoff():
    text = request.args.get("cutoff")
    if text is None or text.strip() == "":
        return DEFAULT_CUTOFF
    text = text.strip()
    if text.lower() == "none":
        return None
    found = _HH_MM.fullmatch(text)
    if found is None:
        refuse(_l("cutoff is a time of day as HH:MM (15:00), or none."), "bad_cutoff")
    return dt.time(int(found.group(1)), int(found.group(2)))


@allow(SIGNED_IN)
@api_route(
    "/calendar/due-date",
    summary="The due date of a dossier received at a given time, with a limit in working days",
    tags=TAGS,
    description=(
        "Counted as every deadline of qms is: working days are Monday to Friday less the public holidays, "
        "adjusted by the days off and working days announced for public offices (GET /calendar/days). "
        "A dossier received on a day off, or after the cut-off hour, counts as received on the next working "
        "day; the day it counts as received is not counted (received Monday with 3 working days, due "
        "Thursday; 0 days: due that same day).\n\n"
        "Every parameter is checked: a missing or unreadable one, a limit outside 0 to 365, a cut-off that is "
        "not HH:MM or an unknown parameter answers 400 with the reason."
    ),
    parameters=[
        query_param(
            "received",
            "When the dossier was received, ISO 8601: 2026-02-13T15:30:00+07:00, or without an offset in "
            "Vietnam time (2026-02-13T15:30), or a date alone",
            {"type": "string", "format": "date-time"},
            required=True,
        ),
        query_param(
            "days",
            "The time limit in working days (0: the same day)",
            {"type": "integer", "minimum": 0, "maximum": MAX_DAYS},
            required=True,
        ),
        query_param(
            "cutoff",
            "The cut-off hour, HH:MM in Vietnam time (default 15:00); received later counts from the next "
            "working day. none: no cut-off.",
            {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|none)$"},
        ),
    ],
    responses={
        "200": json_spec(
            {
                "type": "object",
                "required": ["due_date", "effective_receipt_date", "working_days"],
                "properties": {
                    "due_date": {"type": "string", "format": "date"},
                    "effective_receipt_date": {
                        "type": "string",
                        "format": "date",
                        "description": "The working day the count starts from",
                    },
                    "working_days": {"type": "integer", "description": "The limit counted"},
                },
            },
            "The due date",
        ),
        "400": error_spec(
            "A parameter is refused (error: missing_received, bad_received, missing_days, bad_days, bad_cutoff "
            "or unknown_parameter); `message` says what to send"
        ),
    },
)
def calendar_due_date():
    refuse_unknown_parameters(DUE_DATE_PARAMETERS)
    received, days, cutoff = _received(), _days(), _cutoff()
    deadline = due_date(received, days, cutoff=cutoff)
    return jsonify(
        due_date=deadline.due_date.isoformat(),
        effective_receipt_date=deadline.effective_receipt_date.isoformat(),
        working_days=deadline.working_days,
    )


def _year() -> int:
    text = (request.args.get("year") or "").strip()
    if not text:
        return local_today().year
    if not (text.isascii() and text.isdigit()) or not calendar.FIRST_YEAR <= int(text) <= calendar.LAST_YEAR:
        refuse(
            _l("year must be a year from %(first)d to %(last)d.", first=calendar.FIRST_YEAR, last=calendar.LAST_YEAR),
            "bad_year",
        )
    return int(text)


@allow(SIGNED_IN)
@api_route(
    "/calendar/days",
    summary="The days off and working days announced for a year",
    tags=TAGS,
    description=(
        "The adjustments of the working-day calendar the administrator keeps, in date order: `day_off`, a day "
        "off on a day that would otherwise be worked (Tết, a swapped day); `working_day`, a day worked that "
        "would otherwise be off (a make-up Saturday). The other days follow the rule: Monday to Friday less "
        "the public holidays."
    ),
    parameters=[
        query_param(
            "year",
            "The year (default: this year)",
            {"type": "integer", "minimum": calendar.FIRST_YEAR, "maximum": calendar.LAST_YEAR},
        )
    ],
    responses={
        "200": json_spec(
            {
                "type": "object",
                "properties": {
                    "year": {"type": "integer"},
                    "days": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "date": {"type": "string", "format": "date"},
                                "kind": {"type": "string", "enum": [kind.value for kind in DayKind]},
                                "name": {"type": "string"},
                                "announced_by": {"type": "string", "description": "The document that announced it"},
                            },
                        },
                    },
                },
            },
            "The year's announced days",
        ),
        "400": error_spec("The year is refused (error: bad_year or unknown_parameter)"),
    },
)
def list_calendar_days():
    refuse_unknown_parameters(DAYS_PARAMETERS)
    year = _year()
    return jsonify(
        year=year,
        days=[
            {"date": e.day.isoformat(), "kind": e.kind.value, "name": e.name, "announced_by": e.announced_by}
            for e in calendar.entries_of_year(year)
        ],
    )
