"""Forms of the monitoring page: its filter (year, field, procedure), the quality officer's targets
for a year, and the signed opening of a nonconformity for a month below target."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, NumberRange, Optional

from qms.core.forms import Form, NumberField, SelectField
from qms.core.lists import FilterForm
from qms.dossiers.forms import optional_id
from qms.dossiers.labels import INDICATOR_LABELS
from qms.dossiers.models import Indicator
from qms.dossiers.services.monitoring import LIMITS


class MonitoringFilterForm(FilterForm):
    year = SelectField(_l("Year"), coerce=int, choices=[])
    field = SelectField(_l("Field"), choices=[], validators=[Optional()])
    procedure = SelectField(_l("Procedure (TTHC)"), coerce=optional_id, choices=[], validators=[Optional()])


def _target(indicator, description):
    low, high = LIMITS[indicator]
    return NumberField(
        INDICATOR_LABELS[indicator],
        validators=[Optional(), NumberRange(low, high, _l("A target is a number from %(min)s to %(max)s."))],
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off", "size": 6},
    )


class TargetsForm(Form):
    """The year's targets; an empty box removes that target."""

    year = HiddenField()
    on_time_rate = _target(Indicator.on_time_rate, _l("At least, as a percentage of the dossiers with a result."))
    online_share = _target(Indicator.online_share, _l("At least, as a percentage of the dossiers received."))
    handling_days = _target(Indicator.handling_days, _l("At most, in working days from receipt to result."))
    satisfied_share = _target(Indicator.satisfied_share, _l("At least, as a percentage of the citizens' ratings."))


class ShortfallForm(Form):
    """Open the nonconformity of a month below target: signed with the password."""

    password = PasswordField(
        _l("Your password (to sign)"), validators=[DataRequired(_l("Enter your password to sign."))]
    )
