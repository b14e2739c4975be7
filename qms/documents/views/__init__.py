"""Pages of document control, one module per noun: lists (documents, current forms, master lists,
periodic review), a document, its versions and their signed actions, change requests, settings.

Views stay thin: they load what the user may see (404 otherwise), call one service and re-render
with the reason when a rule refuses. Every object is looked up in the user's commune. The request's
unit of work commits (qms.db.unit_of_work); views never commit.
"""

from io import BytesIO

from flask import Blueprint, abort, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audit.views import reads_trail
from qms.auth.forms import unit_choices
from qms.core.access import get_in_commune
from qms.core.nav import register_nav
from qms.documents import permissions as perm
from qms.documents.labels import (
    ACCESS_VALUE_LABELS,
    KIND_VALUE_LABELS,
    LEGAL_STATUS_VALUE_LABELS,
    MEANING_LABELS,
    STATUS_LABELS,
)
from qms.documents.models import Document, DocumentVersion

bp = Blueprint("documents", __name__, url_prefix="/documents")


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _document_helpers():
    return {
        "doc_perm": perm,
        "kind_labels": KIND_VALUE_LABELS,
        "status_labels": STATUS_LABELS,
        "meaning_labels": MEANING_LABELS,
        "legal_status_labels": LEGAL_STATUS_VALUE_LABELS,
        "access_labels": ACCESS_VALUE_LABELS,
        "reads_trail": reads_trail,
    }


def document_or_404(document_id):
    document = get_in_commune(Document, document_id)
    if not perm.can_view_document(current_user, document):
        abort(404)
    return document


def version_or_404(version_id):
    version = get_in_commune(DocumentVersion, version_id)
    if not perm.can_view_version(current_user, version):
        abort(404)
    return version


def send(download):
    """A file to download (never cached: see qms.core.security)."""
    return send_file(
        BytesIO(download.data),
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.filename,
        max_age=0,
    )


def unit_choices_with(empty_label):
    return [SelectChoice(0, empty_label)] + unit_choices()


def upload_field(form, exc):
    """The field of an upload form (new version, draft) a refusal is about: the summary, or the file."""
    return form.change_summary if exc.code == "summary_required" else form.file


from qms.documents.views import change_requests, documents, imports, lists, settings, versions  # noqa: E402,F401

register_nav("documents.current_forms", _l("Current forms"), order=10)
register_nav("documents.list_documents", _l("Documents"), order=20)
register_nav("documents.periodic_review", _l("Periodic review"), order=25)
register_nav("documents.edit_settings", _l("Document settings"), order=92)
