"""The pages of evidence packs: the button on a document's, an NC's and an audit's page asks for a pack
(POST; the pack is built in the background, qms.evidence.runs), the pack's page shows its progress
(the page asks pack_progress every second) and then offers the download.

Asking for a pack writes its row and, once built, an audit event; it changes no record, so the
read-only auditor may (the views are marked own_account: what they write is the person's own
request, like their password; tests/core/test_access_matrix.py lists them with this reason)."""

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.access import allow, get_in_commune, own_account
from qms.core.background import after_commit
from qms.core.calendar import format_datetime
from qms.core.forms import ConfirmForm
from qms.db import DomainError, settle
from qms.evidence import runs, services
from qms.evidence.labels import KIND_LABELS, STATUS_LABELS
from qms.evidence.models import EvidencePack, PackStatus, SubjectKind
from qms.evidence.permissions import PACK_READERS, can_request_pack
from qms.files.services import FileDamaged, read_stored

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.app_context_processor
def _helpers():
    return {"can_request_pack": can_request_pack}


def _request(kind, key):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    try:
        pack = services.request_pack(user, kind, key)
    except DomainError as exc:
        settle(exc)
        abort(exc.status)
    app, pack_id, request_id = current_app._get_current_object(), pack.id, g.get("request_id", "")

    @after_commit
    def _start():
        runs.start_in_background(app, pack_id, request_id=request_id)

    return redirect(url_for("evidence.show_pack", pack_id=pack.id), 303)


@bp.post("/documents/<int:document_id>")
@allow(*PACK_READERS)
@own_account
def request_document_pack(document_id):
    from qms.documents.models import Document

    return _request(SubjectKind.document, get_in_commune(Document, document_id).code)


@bp.post("/nonconformities/<int:nc_id>")
@allow(*PACK_READERS)
@own_account
def request_nc_pack(nc_id):
    return _request(SubjectKind.nonconformity, nc_id)


@bp.post("/audits/<int:audit_id>")
@allow(*PACK_READERS)
@own_account
def request_audit_pack(audit_id):
    return _request(SubjectKind.audit, audit_id)


def _pack_or_404(pack_id):
    pack = get_in_commune(EvidencePack, pack_id)
    if not can_request_pack(current_user, pack.commune_id):
        abort(404)
    return pack


def progress_of(pack) -> dict:
    stale = runs.is_stale(pack)
    finished = pack.status in (PackStatus.done, PackStatus.failed) or stale
    return {
        "status": "stopped" if stale else pack.status.value,
        "status_label": _("Stopped") if stale else str(STATUS_LABELS[pack.status]),
        "finished": finished,
        "progress": pack.fraction,
        "done": pack.done,
        "total": pack.total,
        "updated_at": format_datetime(pack.updated_at, seconds=True),
    }


@bp.get("/<int:pack_id>")
@allow(*PACK_READERS)
def show_pack(pack_id):
    pack = _pack_or_404(pack_id)
    return render_template("evidence/pack.html", pack=pack, state=progress_of(pack), kind_labels=KIND_LABELS)


@bp.get("/<int:pack_id>/progress")
@allow(*PACK_READERS)
def pack_progress(pack_id):
    return jsonify(progress_of(_pack_or_404(pack_id)))


@bp.get("/<int:pack_id>/download")
@allow(*PACK_READERS)
def download_pack(pack_id):
    import io

    pack = _pack_or_404(pack_id)
    if pack.status is not PackStatus.done or not pack.sha256:
        abort(404)
    try:
        data = read_stored(pack.sha256, current_user, found_in=pack)
    except FileDamaged:
        abort(409)
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=pack.file_name, max_age=0
    )
