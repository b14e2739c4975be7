"""Reading what an API client sends: a JSON object whose fields are checked one by one (an unknown
field, a value of the wrong type or a record that is not in the user's commune answers 400 with the
reason, before any service runs), and the references it makes to people, units, documents and
NCs, each looked up in the user's commune only."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.api.arguments import refuse
from qms.api.body import JsonBody
from qms.auth.models import Unit, User
from qms.core.calendar import local_tz
from qms.db import db
from qms.documents.models import Document
from qms.nonconformities.models import Nonconformity


class Body(JsonBody):
    """The fields of a JSON body, each read once with its type checked."""

    def __init__(self, *names, versioned=True):
        """names: the fields the step takes; versioned: it also takes row_version."""
        super().__init__(*names, *(["row_version"] if versioned else []), required=False)

    def flag(self, name, *, required=False):
        """true, false, or None when not given."""
        value = self.data.get(name)
        if (value is None and required) or (value is not None and not isinstance(value, bool)):
            refuse(_l("%(name)s must be true or false.", name=name), "bad_field")
        return value

    def whole(self, name):
        value = self.data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            refuse(_l("%(name)s must be a whole number.", name=name), "bad_field")
        return value

    def moment(self, name):
        """An ISO date and time (Vietnam time when it names no zone), or None when not given."""
        value = self.data.get(name)
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            refuse(
                _l("%(name)s must be an ISO date and time, for example 2026-03-31T08:30:00+07:00.", name=name),
                "bad_field",
            )
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=local_tz())

    def password(self) -> str:
        """The signer's password, required by a signed step (checked by the service)."""
        value = self.data.get("password")
        if not isinstance(value, str) or not value:
            refuse(_l("Type your password in the field password to sign this decision."), "password_required")
        return self.text("password")

    def row_version(self):
        """The NC's row_version the client acted on (optional): a newer one is a conflict (409)."""
        return self.whole("row_version")

    # --- references, in the user's commune --------------------------------------------------------

    def person(self, user, name, *, required=False):
        """A user of the commune, by id or user name."""
        value = self.data.get(name)
        if value is None:
            if required:
                refuse(_l("%(name)s is required: a user's id or user name.", name=name), "bad_field")
            return None
        query = select(User).where(User.commune_id == user.commune_id)
        found = _by_id_or(query, User.id, User.username, value, name)
        if found is None:
            refuse(_l("There is no user %(value)s in your commune.", value=value), "unknown_user")
        return found

    def unit(self, user, name="unit"):
        """A unit of the commune, by id or code."""
        value = self.data.get(name)
        if value is None:
            return None
        found = _by_id_or(select(Unit).where(Unit.commune_id == user.commune_id), Unit.id, Unit.code, value, name)
        if found is None:
            refuse(_l("There is no unit %(value)s in your commune.", value=value), "unknown_unit")
        return found

    def document(self, user, name):
        """A document of the commune, by code."""
        value = self.text(name).strip()
        if not value:
            return None
        return document_by_code(user, value)

    def documents(self, user, name):
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            refuse(_l("%(name)s must be a list of document codes.", name=name), "bad_field")
        return [document_by_code(user, code.strip()) for code in value]

    def nonconformity(self, user, name):
        """An NC of the commune, by id or number."""
        value = self.data.get(name)
        if value is None:
            refuse(_l("%(name)s is required: a nonconformity's id or number.", name=name), "bad_field")
        query = select(Nonconformity).where(Nonconformity.commune_id == user.commune_id)
        found = _by_id_or(query, Nonconformity.id, Nonconformity.number, value, name)
        if found is None:
            refuse(_l("There is no nonconformity %(value)s in your commune.", value=value), "not_found", 404)
        return found


def _by_id_or(query, id_column, name_column, value, name):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        refuse(_l("%(name)s must be an id or a code.", name=name), "bad_field")
    column = id_column if isinstance(value, int) else name_column
    return db.session.scalar(query.where(column == (value if isinstance(value, int) else value.strip())))


def document_by_code(user, code):
    found = db.session.scalar(select(Document).where(Document.commune_id == user.commune_id, Document.code == code))
    if found is None:
        refuse(_l("There is no document %(code)s in your commune.", code=code), "unknown_document")
    return found
