"""How the trail shows what an event recorded: its record and changed values in the reader's language,
from the labels and namers each area registered (qms.core.labels). The stored codes stay what they
are (the hash covers them); pages show them on hover and the CSV export keeps them."""

import datetime as dt
import json
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.audit.queries import changes_of
from qms.core.calendar import format_date, format_datetime
from qms.core.labels import Names, key_labels, record_ref_kind, ref_kind, register, value_labels, within_record

# what qms.core.commands and qms.core.jobs record in place of an IP address (see audit_context)
register(origins={"cli": _l("Command line"), "job": _l("Scheduled job")})

_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def names_for(commune_id, events):
    """A qms.core.labels.Names for the events' records and the keys their changes point at."""
    names = Names(commune_id)
    for event in events:
        if event.entity_type:
            names.want(event.entity_type, event.entity_id)
        for field, pair in changes_of(event).items():
            within = record_ref_kind(event.entity_type, field)
            kind = ref_kind(field)
            for value in pair:
                for item in value if isinstance(value, list) else [value]:
                    if within is not None and isinstance(item, str):
                        names.want(within, within_record(event.entity_id, item))
                    elif kind is not None:
                        names.want(kind, item)
    return names


def stored_text(value):
    """The value as the chain stores it (the text shown on hover): a string as it is, else its JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def change_value(value, field=None, names=None, record=None):
    """A value of an event's changes as a person reads it: a coded value by its label, a key of a
    record (an account's id, a unit's code) by its name, a key within the event's record (`record`:
    its type and id; a dossier's step) by its name there, yes or no, a date as dd/mm/yyyy, a recorded
    UTC time in Vietnam time (dd/mm/yyyy HH:MM:SS), a SHA-256 by its first digits, a list joined by
    commas, a dict as "key: value" pairs, nothing as ∅."""
    if value is None or value == "" or value == [] or value == {}:
        return "∅"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(change_value(item, field, names, record)) for item in value)
    if isinstance(value, dict):
        keys = key_labels(field)
        return "; ".join(
            f"{keys.get(key, key)}: {change_value(item, field, names, record)}" for key, item in value.items()
        )
    within = record_ref_kind(record[0], field) if record is not None else None
    if within is not None and names is not None and isinstance(value, str):
        name = names.get(within, within_record(record[1], value))
        if name:
            return name
    kind = ref_kind(field)
    if kind is not None and names is not None:
        name = names.get(kind, value)
        if name:
            return name
    if isinstance(value, str):
        labels = value_labels(field)
        if value in labels:
            return labels[value]
        if _UTC_TIME.fullmatch(value):
            return format_datetime(dt.datetime.fromisoformat(value), seconds=True)
        if _DATE.fullmatch(value):
            try:
                return format_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if _DIGEST.fullmatch(value):
            return value[:12] + "…"
    return value
