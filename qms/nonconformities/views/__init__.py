"""Pages of nonconformities and corrective actions, one module per noun (the register, an NC and its
steps, the analysis charts, exports, settings).

Views stay thin: they load the NC in the user's commune (404 otherwise), call one service and
re-render with the reason when a rule or a gate refuses (a form error in the reader's language). The
request's unit of work commits (qms.db.unit_of_work); views never commit.
"""

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.core.access import get_in_commune
from qms.core.nav import register_nav
from qms.nonconformities import labels
from qms.nonconformities import permissions as perm
from qms.nonconformities.models import Nonconformity

bp = Blueprint("nonconformities", __name__, url_prefix="/nc")


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _nc_helpers():
    return {
        "nc_perm": perm,
        "nc_status_labels": labels.STATUS_LABELS,
        "nc_source_labels": labels.SOURCE_LABELS,
        "nc_severity_labels": labels.SEVERITY_LABELS,
        "nc_disposition_labels": labels.DISPOSITION_LABELS,
        "nc_category_labels": labels.CATEGORY_LABELS,
        "nc_result_labels": labels.RESULT_LABELS,
    }


def nc_or_404(nc_id):
    nc = get_in_commune(Nonconformity, nc_id)
    if not perm.can_view(current_user, nc):
        abort(404)
    return nc


# The page modules register their routes on bp when imported (each helper adds its own here).

from qms.nonconformities import home  # noqa: E402,F401  (the home-page sections)
from qms.nonconformities.views import analysis, exports, nonconformity, register, steps  # noqa: E402,F401

register_nav("nonconformities.list_ncs", _l("Nonconformities"), order=30)
register_nav("nonconformities.edit_settings", _l("NC settings"), order=93)
