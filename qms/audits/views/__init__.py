"""Pages of internal audits, one module per noun (the programme with its coverage, an audit with its
findings; the checklist, the library and the conduct of an audit when their services are there).

Views stay thin: they load the record in the user's commune (404 otherwise), ask permissions.py
whether the user may act (403 otherwise), call one service and re-render the page with the reason
when a rule refuses (a form error in the reader's language, nothing written). The request's unit of
work commits (qms.db.unit_of_work); views never commit.
"""

from flask import Blueprint, abort
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audits import labels, library
from qms.audits import permissions as perm
from qms.audits.models import Audit
from qms.core.access import get_in_commune
from qms.core.nav import register_nav

bp = Blueprint("audits", __name__, url_prefix="/audits")


def actor():
    return current_user._get_current_object()


def clause_title(heading) -> str:
    """A section's or clause's title in the reader's language (library.yaml has both)."""
    return heading.title_en if str(get_locale()) == "en" else heading.title


@bp.app_context_processor
def _audit_helpers():
    return {
        "audit_perm": perm,
        "audit_status_labels": labels.AUDIT_STATUS_LABELS,
        "programme_status_labels": labels.PROGRAMME_STATUS_LABELS,
        "grade_labels": labels.GRADE_LABELS,
        "decision_labels": labels.DECISION_LABELS,
        "audit_clause_title": clause_title,
        "audit_percent": lambda value: format_decimal(value, format="0.#"),
    }


def audit_or_404(audit_id):
    found = get_in_commune(Audit, audit_id)
    if not perm.can_view(current_user, found):
        abort(404)
    return found


def sections():
    """The sections 4 to 10, each with its clauses: [(section heading, [clause heading, ...])]."""
    return [
        (section, [c for c in library.CLAUSES if c.number.split(".")[0] == section.number])
        for section in library.SECTIONS
    ]


# The page modules register their routes on bp when imported.

from qms.audits import home  # noqa: E402,F401  (the home-page section)
from qms.audits.views import audit, checklist, conduct, programme, questions  # noqa: E402,F401

register_nav("audits.show_current_programme", _l("Internal audits"), order=35)
register_nav("audits.show_library", _l("Audit checklist library"), order=36)
