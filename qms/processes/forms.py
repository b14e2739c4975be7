"""Forms of the procedures' pages: the filters of the list and the search of the public catalogue
(GET forms, read from the query string: no CSRF token)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from qms.core.forms import SelectField
from qms.core.lists import FilterForm

Q_MAX = 200


class ProcedureFilterForm(FilterForm):
    q = StringField(
        _l("Search code or name"),
        validators=[Optional(), Length(max=Q_MAX)],
        render_kw={"placeholder": _l("e.g. khai sinh, 1.001193")},
    )
    field = SelectField(_l("Field"), choices=[], validators=[Optional()])


class CatalogueSearchForm(FilterForm):
    commune = HiddenField(validators=[Optional(), Length(max=64)])  # the commune chosen (?commune=)
    q = StringField(_l("Find a procedure"), validators=[Optional(), Length(max=Q_MAX)])
