"""Reading the JSON object an API client sends, for any area: its fields are named up front (an
unknown one is refused), and each is read once with its type checked, a wrong one refused (400,
error bad_field) with a message naming the field, before any service runs. Areas look up the
records a body names (people, units) in the user's commune themselves.

The nonconformities' API reads its bodies with it (adding the references it makes to NCs and
documents); the dossiers' reads a batch of objects, each with its JsonFields."""

import datetime as dt

from flask import request
from flask_babel import lazy_gettext as _l

from qms.api.arguments import refuse

MAX_TEXT = 10_000  # any text field; the services keep their own, shorter limits where they have them
MAX_ITEMS = 200  # any list field


def json_object(*, required=True):
    """The request's JSON object. Without a body at all: refused when `required`, else {} (a step whose
    fields are all optional)."""
    if not request.is_json:
        if required or request.content_length or request.form or request.files:
            refuse(_l("Send the body as JSON (Content-Type: application/json)."), "json_required")
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        refuse(_l("The body is not a JSON object."), "bad_json")
    return data


class JsonFields:
    """The fields of one JSON object (a dict), each read once with its type checked. `unknown_message`
    says, given the unknown fields' names, why they are refused."""

    def __init__(self, data, names, unknown_message):
        self.data = data
        unknown = sorted(set(data) - set(names))
        if unknown:
            refuse(unknown_message(", ".join(unknown)), "unknown_field")

    def given(self, name) -> bool:
        return self.data.get(name) is not None

    def text(self, name) -> str:
        """A text field ("" when not given)."""
        value = self.data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            refuse(_l("%(name)s must be text.", name=name), "bad_field")
        if len(value) > MAX_TEXT:
            refuse(_l("%(name)s is longer than %(n)d characters.", name=name, n=MAX_TEXT), "bad_field")
        return value


class JsonBody(JsonFields):
    """The fields of the request's JSON object, each read once with its type checked."""

    def __init__(self, *names, required=True):
        """names: the fields the request takes; required: whether it must have a body."""
        super().__init__(
            json_object(required=required),
            names,
            lambda unknown: _l(
                "Unknown field %(names)s; this step takes %(known)s.", names=unknown, known=", ".join(names)
            ),
        )

    def items(self, name, kinds=(str,)) -> list:
        """A list field ([] when not given) whose items are each of `kinds` (booleans are no numbers)."""
        value = self.data.get(name)
        if value is None:
            return []
        if (
            not isinstance(value, list)
            or len(value) > MAX_ITEMS
            or not all(isinstance(v, kinds) and not isinstance(v, bool) for v in value)
        ):
            refuse(_l("%(name)s must be a list of at most %(n)d values.", name=name, n=MAX_ITEMS), "bad_field")
        return value

    def day(self, name, *, required=False):
        """An ISO date (2026-03-31), or None when not given."""
        value = self.data.get(name)
        if value is None:
            if required:
                refuse(_l("%(name)s is required: an ISO date, for example 2026-03-31.", name=name), "bad_field")
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else _not_a_date(name)
        except ValueError:
            return _not_a_date(name)


def _not_a_date(name):
    refuse(_l("%(name)s must be an ISO date, for example 2026-03-31.", name=name), "bad_field")
