"""Labels of the one-stop forms' setting (see qms.core.labels): the action that names the forms,
its field, and the kinds of forms its value is keyed by."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register
from qms.dossiers.fill import PLACEHOLDERS

register(
    actions={"dossier.one_stop_forms_changed": _l("One-stop forms named")},
    fields={"one_stop_forms": _l("One-stop forms")},
    values={"one_stop_form_kind": {key: kind.label for key, kind in PLACEHOLDERS.items()}},
    keyed={"one_stop_forms": "one_stop_form_kind"},
)
