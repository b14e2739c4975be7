"""Forms of the dossier pages: receiving a dossier, the ledger's filters, the action forms of a
dossier's page and the code format. Choices that depend on the commune (procedures, people) are
filled by the views from queries.py and services.handlers_choice."""

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from qms.core.forms import DateField, Form, MultiCheckboxField, SelectField
from qms.core.lists import FilterForm
from qms.dossiers.labels import CHANNEL_LABELS, STATUS_LABELS
from qms.dossiers.services.receive import ADDRESS_MAX, NAME_MAX, PHONE_MAX

NOTES_MAX = 1000
REASON_MAX = 2000
LINES_MAX = 4000
_TIME = re.compile(r"([01]?\d|2[0-3])[:hH.]([0-5]\d)")


def _choices(labels):
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def optional_id(value):
    """A select's value as an id, 0 for its empty entry (never an error: a wrong value is simply
    not among the choices)."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


def lines(text) -> list[str]:
    """The non-empty lines of a text area, each stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ReceiveForm(Form):
    procedure = SelectField(_l("Procedure (TTHC)"), coerce=optional_id, choices=[])
    channel = RadioField(
        _l("How the dossier came in"),
        choices=_choices(CHANNEL_LABELS),
        default="in_person",
        validators=[InputRequired(_l("Choose how the dossier came in."))],
    )
    applicant_name = StringField(
        _l("Applicant's full name"),
        validators=[DataRequired(_l("Enter the applicant's name.")), Length(max=NAME_MAX)],
    )
    applicant_phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=PHONE_MAX)],
        description=_l("For the citizen's lookup of the dossier (its last four digits)."),
    )
    applicant_address = StringField(_l("Address"), validators=[Optional(), Length(max=ADDRESS_MAX)])
    requirements = MultiCheckboxField(_l("Papers received"), choices=[], validators=[Optional()])
    other_components = TextAreaField(
        _l("Other papers received (one per line)"), validators=[Optional(), Length(max=LINES_MAX)]
    )
    received_time = StringField(
        _l("Received at (today, HH:MM)"),
        description=_l("The time now, or an earlier time today for a dossier taken at the desk before."),
    )

    def validate_procedure(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the procedure."))

    def validate_received_time(self, field):
        text = (field.data or "").strip()
        if text and not _TIME.fullmatch(text):
            raise ValidationError(_l("Enter the time as HH:MM, for example 08:30."))

    def received_clock(self) -> dt.time | None:
        """The time typed (None when empty)."""
        match = _TIME.fullmatch((self.received_time.data or "").strip())
        return dt.time(int(match.group(1)), int(match.group(2))) if match else None


class LedgerFilterForm(FilterForm):
    procedure = SelectField(_l("Procedure (TTHC)"), coerce=optional_id, choices=[], validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=[SelectChoice("", _l("All statuses"))] + _choices(STATUS_LABELS), validators=[Optional()]
    )
    received_from = DateField(_l("Received from"), render_kw={"placeholder": "dd/mm/yyyy"})
    received_to = DateField(_l("Received to"), render_kw={"placeholder": "dd/mm/yyyy"})
    late = SelectField(
        _l("Timeliness"),
        choices=[SelectChoice("", _l("All")), SelectChoice("1", _l("Late only"))],
        validators=[Optional()],
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.received_from.data and self.received_to.data and self.received_from.data > self.received_to.data:
            self.received_to.errors = [_l("The period ends before it starts.")]
            return False
        return ok


class ActionForm(Form):
    """An action of a dossier's page. `refusal`: a refusal of the service that concerns no single
    field (shown on the form)."""

    refusal = None


class HandOverForm(ActionForm):
    to_user = SelectField(_l("Hand over to"), coerce=optional_id, choices=[])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])

    def validate_to_user(self, field):
        if not field.data:
            raise ValidationError(_l("Choose who receives the dossier."))


class SupplementForm(ActionForm):
    items = TextAreaField(
        _l("What the citizen must supplement (one per line)"),
        validators=[DataRequired(_l("List what the citizen must supplement.")), Length(max=LINES_MAX)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])


class NotesForm(ActionForm):
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])


class RefuseForm(ActionForm):
    reason = TextAreaField(
        _l("Reason for refusing"),
        validators=[DataRequired(_l("Give the reason for refusing.")), Length(max=REASON_MAX)],
    )


class WithdrawForm(ActionForm):
    reason = TextAreaField(
        _l("The citizen's reason for withdrawing"),
        validators=[DataRequired(_l("Give the citizen's reason for withdrawing.")), Length(max=REASON_MAX)],
    )


class ApologyForm(ActionForm):
    reason = TextAreaField(
        _l("Reason for the delay"),
        validators=[DataRequired(_l("Give the reason for the delay.")), Length(max=REASON_MAX)],
    )
    new_due_date = DateField(_l("New return date (dd/mm/yyyy)"), validators=[InputRequired(_l("Enter the new date."))])
    password = PasswordField(
        _l("Your password (to sign the apology letter)"),
        validators=[DataRequired(_l("Enter your password to sign."))],
    )


class CodeFormatForm(Form):
    code_format = StringField(
        _l("Dossier code format"),
        validators=[DataRequired(_l("Enter the format.")), Length(max=60)],
        description=_l(
            "{unit}: the receiving unit's code; {yymmdd}, {yyyy}, {yy}, {mm}, {dd}: the day of receipt; "
            "{nnn}: the day's serial number, with as many digits as n's."
        ),
    )
    reason = StringField(_l("Reason for the change (optional)"), validators=[Optional(), Length(max=500)])
