"""Reading what an API client sends about dossiers: a JSON object (a step's body, or one dossier of
a receipt, alone or in a batch) whose fields are checked one by one. An unknown field, a value of
the wrong type or a person who is not of the user's commune is refused with the reason (400) before
any service runs; the services then apply the rules of the domain."""

import datetime as dt

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.api.arguments import refuse
from qms.api.body import MAX_TEXT, JsonFields
from qms.auth.models import User
from qms.core.calendar import RECEIVED_YEARS, parse_received
from qms.db import db

MAX_ITEMS = 100  # a list of papers or of what to supplement


def json_body():
    """The request's JSON (any JSON value); no body at all counts as {} (a step whose fields are
    optional)."""
    if not request.is_json:
        if request.content_length or request.form or request.files:
            refuse(_l("Send the body as JSON (Content-Type: application/json)."), "json_required")
        return {}
    data = request.get_json(silent=True)
    if data is None:
        refuse(_l("The body is not a JSON object."), "bad_json")
    return data


class Fields(JsonFields):
    """The fields of one JSON object, each read once with its type checked. `what` names the object
    in the message about an unknown field ("this step", "a dossier")."""

    def __init__(self, data, names, *, what=None):
        if not isinstance(data, dict):
            refuse(_l("The body is not a JSON object."), "bad_json")
        known = ", ".join(names) or "-"

        def unknown_message(unknown):
            if what == "dossier":
                return _l("Unknown field %(names)s; a dossier takes %(known)s.", names=unknown, known=known)
            if what == "applicant":
                return _l("Unknown field %(names)s in applicant; it takes %(known)s.", names=unknown, known=known)
            return _l("Unknown field %(names)s; this step takes %(known)s.", names=unknown, known=known)

        super().__init__(data, names, unknown_message)

    def texts(self, name) -> list:
        """A list of texts ([] when not given)."""
        value = self.data.get(name)
        if value is None:
            return []
        if (
            not isinstance(value, list)
            or len(value) > MAX_ITEMS
            or not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in value)
        ):
            refuse(_l("%(name)s must be a list of at most %(n)d texts.", name=name, n=MAX_ITEMS), "bad_field")
        return value

    def object(self, name, names):
        """A nested object (an empty one when not given)."""
        value = self.data.get(name)
        if value is None:
            return Fields({}, names)
        if not isinstance(value, dict):
            refuse(_l("%(name)s must be a JSON object.", name=name), "bad_field")
        return Fields(value, names, what=name)

    def day(self, name, *, required=False):
        """An ISO date (2026-03-31), or None when not given."""
        value = self.data.get(name)
        if value is None and not required:
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _not_a_date(name)
        except ValueError:
            return _not_a_date(name)

    def received(self, name):
        """When a dossier was received (qms.core.calendar.parse_received: Vietnam time when no offset
        is given), or None when not given."""
        value = self.data.get(name)
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return parse_received(value)
        except ValueError:
            refuse(
                _l(
                    "%(name)s must be an ISO 8601 time from the year %(first)d to %(last)d, for example "
                    "2026-03-02T15:30:00+07:00 (Vietnam time when no offset is given).",
                    name=name,
                    first=RECEIVED_YEARS[0],
                    last=RECEIVED_YEARS[1],
                ),
                "bad_field",
            )

    def password(self) -> str:
        """The signer's password, required by a signed step (checked by the service)."""
        value = self.data.get("password")
        if not isinstance(value, str) or not value:
            refuse(_l("Type your password in the field password to sign this decision."), "password_required")
        return self.text("password")

    def person(self, user, name):
        """An active user of `user`'s commune, by user name (or id); required."""
        value = self.data.get(name)
        if value is None or value == "":
            refuse(_l("%(name)s is required: a user's id or user name.", name=name), "bad_field")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            refuse(_l("%(name)s must be an id or a code.", name=name), "bad_field")
        column = User.id if isinstance(value, int) else User.username
        found = db.session.scalar(
            select(User).where(
                User.commune_id == user.commune_id, column == (value if isinstance(value, int) else value.strip())
            )
        )
        if found is None:
            refuse(_l("There is no user %(value)s in your commune.", value=value), "unknown_user")
        return found


def _not_a_date(name):
    refuse(_l("%(name)s must be an ISO date, for example 2026-03-31.", name=name), "bad_field")
