"""Forms of the citizens' lookup (public, CSRF-protected like the sign-in page) and of the ratings:
the officer's at the desk, the citizen's on the lookup page, and the filter of the ratings' page."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from qms.core.forms import Form, SelectField
from qms.core.lists import FilterForm
from qms.dossiers.rating_labels import RATING_LABELS
from qms.dossiers.services.lookup import CODE_MAX
from qms.dossiers.services.rating import COMMENT_MAX

_RATINGS = [SelectChoice(rating.value, label) for rating, label in RATING_LABELS.items()]


def _at_most(limit):
    return Length(max=limit, message=_l("At most %(max)d characters."))


class LookupForm(Form):
    code = StringField(
        _l("Dossier code"),
        validators=[DataRequired(_l("Enter the dossier code.")), _at_most(CODE_MAX)],
        description=_l("As printed on the receipt and appointment slip."),
        render_kw={"maxlength": CODE_MAX, "autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    digits = StringField(
        _l("Last four digits of your phone number"),
        validators=[
            DataRequired(_l("Enter the last four digits of the phone number you gave.")),
            Regexp(r"^[0-9]{4}$", message=_l("Enter four digits.")),
        ],
        description=_l("Of the phone number you gave when you filed the dossier."),
        render_kw={"maxlength": 4, "inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"},
    )


def _comment(label, description):
    return TextAreaField(
        label,
        validators=[Optional(), _at_most(COMMENT_MAX)],
        description=description,
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )


class DeskRatingForm(Form):
    """The officer who returned the result records the citizen's rating."""

    rating = RadioField(
        _l("How satisfied is the citizen?"),
        choices=_RATINGS,
        validators=[InputRequired(_l("Choose how satisfied the citizen is."))],
    )
    comment = _comment(
        _l("The citizen's comment (optional)"),
        _l('A "dissatisfied" rating with a comment goes to the quality officer as a complaint.'),
    )


class LookupRatingForm(Form):
    """The citizen rates the service on the lookup page; the token says which dossier they found."""

    rating = RadioField(
        _l("How satisfied are you with how your dossier was handled?"),
        choices=_RATINGS,
        validators=[InputRequired(_l("Choose how satisfied you are."))],
    )
    comment = _comment(
        _l("Your comment (optional)"),
        _l("If you are dissatisfied, tell us why: your comment goes to the quality officer as a complaint."),
    )
    token = HiddenField()


class SatisfactionFilterForm(FilterForm):
    year = SelectField(_l("Year"), coerce=int, choices=[])
