"""How the trail shows what an event recorded: changed fields and their values in the reader's
language, from the labels each area registered (qms.core.labels). The stored codes stay what they
are (the hash covers them); pages show them on hover and the CSV export keeps them."""

import datetime as dt
import re

from flask_babel import gettext as _

from qms.core.calendar import format_datetime
from qms.core.labels import is_person_field, value_labels

_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


def change_value(value, field=None, people=None):
    """A value of an event's changes as a person reads it: a coded value by its label, an account
    id by the person's name (people: {id: name}), yes or no, a recorded UTC time in Vietnam time
    (dd/mm/yyyy HH:MM:SS), a list joined by commas, settings as "key: value" pairs, nothing as ∅."""
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if is_person_field(field) and people and value in people:
        return f"{people[value]} (#{value})"
    if isinstance(value, list):
        return ", ".join(str(change_value(item, field)) for item in value) or "∅"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {change_value(item, field)}" for key, item in value.items()) or "∅"
    if isinstance(value, str):
        labels = value_labels(field)
        if value in labels:
            return labels[value]
        if _UTC_TIME.fullmatch(value):
            return format_datetime(dt.datetime.fromisoformat(value), seconds=True)
    return value
