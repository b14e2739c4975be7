"""Pages of dossier handling, one module per noun: the ledger (sổ theo dõi hồ sơ) and its Excel file,
receiving a dossier, a dossier's page with its process control sheet and the actions on it, the
format of dossier codes.

Views stay thin: they load the dossier of the user's commune by its code (404 otherwise), call one
service and show the refusal on the page when a rule refuses (nothing written). The request's unit
of work commits (qms.db.unit_of_work); views never commit.
"""

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.core.nav import register_nav
from qms.dossiers import labels, queries
from qms.dossiers import permissions as perm

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _dossier_helpers():
    return {
        "dossier_perm": perm,
        "dossier_status_labels": labels.STATUS_LABELS,
        "dossier_channel_labels": labels.CHANNEL_LABELS,
        "dossier_timeliness_labels": labels.TIMELINESS_LABELS,
        "dossier_line_labels": labels.LINE_LABELS,
    }


def dossier_or_404(code):
    found = queries.by_code(current_user.commune_id, code) if code else None
    if found is None or not perm.can_view(current_user, found):
        abort(404)
    return found


# The page modules register their routes on bp when imported.

from qms.dossiers.views import (  # noqa: E402,F401
    dossier,
    imports,
    ledger,
    monitoring,
    one_stop_forms,
    receive,
    settings,
    steps,
)

register_nav("dossiers.list_dossiers", _l("Dossiers"), order=26)
register_nav("dossiers.edit_settings", _l("Dossier settings"), order=96)
