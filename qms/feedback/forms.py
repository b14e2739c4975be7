"""Forms of the feedback box: the citizen's (public, CSRF-protected like the sign-in page) and the
quality officer's triage."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from qms.auth.forms import EMAIL
from qms.core.forms import Form, SelectField
from qms.core.lists import FilterForm
from qms.feedback import services
from qms.feedback.labels import KIND_LABELS, STATUS_LABELS
from qms.nonconformities.labels import SEVERITY_LABELS


def _too_long(limit):
    return Length(max=limit, message=_l("At most %(max)d characters."))


class FeedbackForm(Form):
    kind = RadioField(
        _l("What would you like to send?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default="feedback",
        validators=[DataRequired(_l("Choose what kind of message this is."))],
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write your message.")), _too_long(services.MESSAGE_MAX)],
        description=_l("At most %(n)d characters.", n=services.MESSAGE_MAX),
        render_kw={"rows": 6, "maxlength": services.MESSAGE_MAX},
    )
    dossier_code = StringField(
        _l("Dossier code (if it is about a dossier)"),
        validators=[Optional(), _too_long(services.DOSSIER_MAX)],
        description=_l("As printed on the receipt and appointment slip."),
        render_kw={"maxlength": services.DOSSIER_MAX, "autocomplete": "off"},
    )
    name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), _too_long(services.NAME_MAX)],
        render_kw={"maxlength": services.NAME_MAX, "autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            _too_long(services.PHONE_MAX),
            Regexp(r"^[0-9+(). -]*$", message=_l("Enter a phone number with digits only.")),
        ],
        render_kw={"maxlength": services.PHONE_MAX, "autocomplete": "tel", "inputmode": "tel"},
    )
    email = StringField(
        _l("E-mail (optional)"),
        validators=[Optional(), EMAIL, _too_long(services.EMAIL_MAX)],
        render_kw={"maxlength": services.EMAIL_MAX, "autocomplete": "email", "inputmode": "email"},
    )
    # The honeypot: hidden from sight and from screen readers, out of the tab order; its label tells
    # anyone who still meets it to leave it empty. Programs that fill every field fill it.
    website = StringField(_l("Leave this field empty"), render_kw={"tabindex": "-1", "autocomplete": "off"})
    shown_at = HiddenField()  # the signed time the form was shown (services.form_stamp)


class OpenNcForm(Form):
    title = StringField(
        _l("Title of the nonconformity"),
        validators=[DataRequired(_l("Enter the title of the nonconformity.")), _too_long(services.TITLE_MAX)],
        render_kw={"maxlength": services.TITLE_MAX},
    )
    severity = SelectField(
        _l("Severity"),
        choices=[SelectChoice(severity.value, label) for severity, label in SEVERITY_LABELS.items()],
        default="minor",
    )


class CloseForm(Form):
    reason = TextAreaField(
        _l("Why is it closed without a nonconformity?"),
        validators=[DataRequired(_l("Say why the feedback is closed.")), _too_long(services.REASON_MAX)],
        render_kw={"rows": 3, "maxlength": services.REASON_MAX},
    )


class ItemFilterForm(FilterForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All"))] + [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        default="",
    )
