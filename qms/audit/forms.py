"""The filters of the trail as a page shows them (qms.audit.queries.TrailFilter reads and checks the
same query-string arguments)."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from qms.core.forms import SelectField
from qms.core.labels import actions_in_order, records_in_order
from qms.core.lists import FilterForm


class TrailFilterForm(FilterForm):
    from_ = StringField(_l("From"), name="from", render_kw={"placeholder": "dd/mm/yyyy"})
    to = StringField(_l("To"), render_kw={"placeholder": "dd/mm/yyyy"})
    user = SelectField(_l("User"), choices=[], default="")
    action = SelectField(_l("Action"), choices=[], default="")
    entity_type = SelectField(_l("Record type"), choices=[], default="")
    entity_id = StringField(_l("Record id"))


def filter_choices(people):
    """The lists the filters choose from: the commune's people, and the actions and record types by
    their labels, in Vietnamese order (the trail's own codes stay in the links)."""
    return {
        "user": [SelectChoice("", _l("Everyone"))] + [SelectChoice(str(p.id), p.full_name) for p in people],
        "action": [SelectChoice("", _l("Every action"))] + [SelectChoice(*item) for item in actions_in_order()],
        "entity_type": [SelectChoice("", _l("Every kind of record"))]
        + [SelectChoice(*item) for item in records_in_order()],
    }
