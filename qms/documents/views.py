"""Pages of document control: lists, a document and its versions, uploads, the signed actions,
change requests, periodic review, current forms, controlled-copy downloads and the settings.

Views stay thin: they load what the user may see (404 otherwise), call one service, commit once, and
re-render with the reason when a rule refuses. Every object is looked up in the user's commune.
"""
import logging
import threading
import time
from io import BytesIO

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from qms.audit.labels import register_value_labels
from qms.audit.views import reads_trail
from qms.auth.forms import role_choices, unit_choices
from qms.auth.models import ADMINISTRATOR, ALL_ROLES, AUDITOR, LEADER, QUALITY_OFFICER, Unit, User
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.core.calendar import local_today
from qms.core.nav import register_nav
from qms.db import ConflictError, DomainError, db
from qms.documents import compare as comparison
from qms.documents import exports
from qms.documents import forms as f
from qms.documents import permissions as perm
from qms.documents import queries, services
from qms.documents.models import ChangeRequest, Document, DocumentKind, DocumentVersion
from qms.documents.settings import (CONTROLLED_KINDS, document_settings, max_upload_mb,
                                    update_document_settings)
from qms.home.tasks import Task, register_section

log = logging.getLogger(__name__)

bp = Blueprint("documents", __name__, url_prefix="/documents", cli_group="documents")

STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("In review"), "approved": _l("Approved, not yet effective"),
    "effective": _l("Effective"), "superseded": _l("Superseded"), "obsolete": _l("Obsolete"),
    "active": _l("Active"), "open": _l("Open"), "accepted": _l("Accepted"), "declined": _l("Declined"),
}
MEANING_LABELS = {"reviewed": _l("Reviewed"), "approved": _l("Approved"), "returned": _l("Returned to draft"),
                  "withdrawn": _l("Withdrawn"), "confirmed": _l("Reviewed, still valid")}
# the labels of the coded values, keyed by the value stored (templates and the audit trail read these)
KIND_VALUE_LABELS = {k.value: v for k, v in f.KIND_LABELS.items()}
LEGAL_STATUS_VALUE_LABELS = {k.value: v for k, v in f.LEGAL_STATUS_LABELS.items()}
ACCESS_VALUE_LABELS = {k.value: v for k, v in f.ACCESS_LABELS.items()}
register_value_labels("status", STATUS_LABELS)
register_value_labels("kind", KIND_VALUE_LABELS)
register_value_labels("legal_status", LEGAL_STATUS_VALUE_LABELS)
register_value_labels("access", ACCESS_VALUE_LABELS)
register_value_labels("label", {"original": _l("Original file")})
register_value_labels("via", {"web": _l("Web page"), "api": "API"})


def _actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _document_helpers():
    return {"doc_perm": perm, "kind_labels": KIND_VALUE_LABELS, "status_labels": STATUS_LABELS,
            "meaning_labels": MEANING_LABELS, "legal_status_labels": LEGAL_STATUS_VALUE_LABELS,
            "access_labels": ACCESS_VALUE_LABELS, "reads_trail": reads_trail}


# --- versions coming into force without anyone clicking ------------------------------------------

ACTIVATION_EVERY_SECONDS = 300
_activation_lock = threading.Lock()


@bp.before_app_request
def activate_due_lazily():
    """Approved versions whose effective date has come are put into force before the pages that show
    them (at most every few minutes per process, in a transaction of their own, by the system);
    `qms documents activate-due` does the same from a scheduler."""
    if request.blueprint not in ("documents", "home", "api"):
        return
    state = current_app.extensions.setdefault("qms_documents", {"activated_at": None})
    now = time.monotonic()
    if state["activated_at"] is not None and now - state["activated_at"] < ACTIVATION_EVERY_SECONDS:
        return
    if not _activation_lock.acquire(blocking=False):
        return
    try:
        state["activated_at"] = now
        services.activate_due_versions()
        db.session.commit()
    except Exception:  # another process activating the same version, a locked database: try later
        db.session.rollback()
        state["activated_at"] = None
        log.exception("activating due document versions failed")
    finally:
        _activation_lock.release()


@bp.cli.command("activate-due")
def activate_due_command():
    """Put into force every approved version whose effective date has come (run daily)."""
    import click

    from qms.cli import run_service
    versions = run_service(services.activate_due_versions)
    click.echo(f"{len(versions)} version(s) made effective")


# --- loading ---------------------------------------------------------------------------------------

def _document_or_404(document_id):
    document = get_in_commune(Document, document_id)
    if not perm.can_view_document(current_user, document):
        abort(404)
    return document


def _version_or_404(version_id):
    version = get_in_commune(DocumentVersion, version_id)
    if not perm.can_view_version(current_user, version):
        abort(404)
    return version


def _send(download):
    return send_file(BytesIO(download.data), mimetype=download.media_type, as_attachment=True,
                     download_name=download.filename, max_age=0)


# --- lists -----------------------------------------------------------------------------------------

def _unit_choices(empty_label):
    return [SelectChoice(0, empty_label)] + unit_choices()


@bp.get("/")
@allow(SIGNED_IN)
def list_documents():
    form = f.FilterForm(request.args)
    statuses = ["active", "obsolete", "draft", "in_review", "approved", "effective"] \
        if perm.sees_history(current_user) else []
    form.status.choices = [SelectChoice("", _l("All statuses"))] + [SelectChoice(s, STATUS_LABELS[s]) for s in statuses]
    form.unit.choices = _unit_choices(_l("All units"))
    if not form.validate():
        return render_template("documents/list.html", form=form, documents=[], total=0, page=1, pages=1,
                               page_args={}), 400
    page = request.args.get("page", 1, type=int) or 1
    documents, total = queries.list_documents(current_user, kind=form.kind.data or None,
                                              status=form.status.data or None, unit_id=form.unit.data or None,
                                              q=form.q.data, page=page)
    pages = max(1, -(-total // queries.PER_PAGE))
    page_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("documents/list.html", form=form, documents=documents, total=total, page=page,
                           pages=pages, page_args=page_args)


@bp.get("/forms")
@allow(SIGNED_IN)
def current_forms():
    q = (request.args.get("q") or "").strip()[:200]
    groups = queries.group_current_files(queries.current_files(current_user.commune_id, q=q),
                                         no_field_label=_("Other"))
    return render_template("documents/current_forms.html", groups=groups, q=q)


MASTER_LISTS = {"internal": False, "external": True}
MASTER_LIST_FILES = {
    "docx": (exports.master_list_docx,
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (exports.master_list_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
MASTER_LIST_NAMES = {"internal": "Danh_muc_tai_lieu_noi_bo", "external": "Danh_muc_tai_lieu_ben_ngoai"}


@bp.get("/master-list")
@allow(SIGNED_IN)
def master_list():
    """The master list of internal or external documents (?which=), as a page or, with ?format=docx
    or xlsx, as the file auditors ask for. The rows hold effective versions of active documents only,
    so staff see in it nothing they may not see elsewhere."""
    which = request.args.get("which", "internal")
    file_format = request.args.get("format", "")
    if which not in MASTER_LISTS or (file_format and file_format not in MASTER_LIST_FILES):
        abort(404)
    external = MASTER_LISTS[which]
    rows = exports.master_list_rows(current_user.commune_id, external)
    today = local_today()
    if file_format:
        build, media_type = MASTER_LIST_FILES[file_format]
        data = build(current_user.commune, rows, external, today)
        return send_file(BytesIO(data), mimetype=media_type, as_attachment=True, max_age=0,
                         download_name=f"{MASTER_LIST_NAMES[which]}_{today:%Y%m%d}.{file_format}")
    return render_template("documents/master_list.html", rows=rows, which=which, external=external)


@bp.get("/periodic-review")
@allow(QUALITY_OFFICER, LEADER, AUDITOR)
def periodic_review():
    today = local_today()
    versions = queries.due_for_review(current_user.commune_id, today)
    return render_template("documents/periodic_review.html", versions=versions, today=today)


@bp.get("/change-requests")
@allow(SIGNED_IN)
def list_change_requests():
    status = request.args.get("status") or None
    if status not in (None, "open", "accepted", "declined"):
        abort(400)
    return render_template("documents/change_requests.html", requests=queries.change_requests_for(
        current_user, status=status), status=status, decision_form=f.DecisionForm())


# --- documents -------------------------------------------------------------------------------------

def _fill_document_choices(form, document=None):
    commune_id = current_user.commune_id
    form.owning_unit.choices = _unit_choices("—")
    form.owner.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.full_name) for u in db.session.scalars(
        select(User).where(User.commune_id == commune_id, User.is_active_account).order_by(User.full_name))]
    form.parent.choices = [SelectChoice(0, "—")] + [SelectChoice(d.id, f"{d.code} {d.title}") for d in db.session.scalars(
        select(Document).where(Document.commune_id == commune_id, Document.kind == DocumentKind.procedure)
        .order_by(Document.code)) if document is None or d.id != document.id]
    form.legal_bases.choices = [SelectChoice(d.id, f"{d.code} · {d.number} {d.title}")
                                for d in queries.external_documents(commune_id)]


def _pick(model, object_id):
    return get_in_commune(model, object_id) if object_id else None


def _document_values(form, kind):
    """The form's references as objects of the user's commune (404 for a forged id). The page hides
    the fields that do not apply to the kind (a procedure's parent, an internal document's issuer), so
    what they still hold from an earlier choice of kind is not the user's intent and is left out."""
    external = kind is DocumentKind.external
    belongs = kind in (DocumentKind.form, DocumentKind.instruction)
    return dict(
        title=form.title.data, field=form.field.data or "", owning_unit=_pick(Unit, form.owning_unit.data),
        owner=_pick(User, form.owner.data), parent=_pick(Document, form.parent.data) if belongs else None,
        retention_years=form.retention_years.data, access=form.access.data,
        legal_bases=[] if external else [get_in_commune(Document, i) for i in form.legal_bases.data or []],
        issuer=(form.issuer.data or "") if external else "", number=(form.number.data or "") if external else "",
        issued_on=form.issued_on.data if external else None, effective_on=form.effective_on.data if external else None,
        legal_status=(form.legal_status.data or None) if external else None)


def _field_error(field, exc):
    """Show a refusal of the services under the form field it is about."""
    field.errors = list(field.errors) + [str(exc.message)]


def _upload_field(form, exc):
    """The field of an upload form (new version, draft) a refusal is about: the summary, or the file."""
    return form.change_summary if exc.code == "summary_required" else form.file


def _show_document_error(form, exc):
    """Put a refusal of the document services under the field it is about (the title otherwise)."""
    fields = {"invalid_code": "code", "taken": "code", "parent_required": "parent", "external_required": "number"}
    _field_error(getattr(form, fields.get(exc.code, "title"), None) or form.title, exc)


@bp.route("/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def create_document():
    form = f.DocumentForm()
    _fill_document_choices(form)
    settings = document_settings(current_user.commune)
    if request.method == "GET":
        form.kind.data = request.args.get("kind", DocumentKind.procedure.value)
        form.parent.data = request.args.get("parent", 0, type=int)
        form.review_interval_months.data = settings.review_interval_months
    if form.validate_on_submit():
        try:
            document = services.create_document(_actor(), current_user.commune, code=form.code.data,
                                                kind=form.kind.data,
                                                review_interval_months=form.review_interval_months.data,
                                                **_document_values(form, DocumentKind(form.kind.data)))
        except DomainError as exc:
            db.session.rollback()
            _show_document_error(form, exc)
        else:
            db.session.commit()
            flash(_("The document %(code)s has been registered.", code=document.code), "success")
            return redirect(url_for("documents.show_document", document_id=document.id), 303)
    return render_template("documents/document_form.html", form=form, document=None, settings=settings), \
        400 if form.errors else 200


@bp.get("/<int:document_id>")
@allow(SIGNED_IN)
def show_document(document_id):
    document = _document_or_404(document_id)
    return _document_page(document)


def _document_page(document, *, withdraw_form=None, status=200):
    user = current_user
    history = perm.can_see_history(user, document)
    versions = document.versions if history else [v for v in document.versions if perm.can_view_version(user, v)]
    children = [c for c in document.children if perm.can_view_document(user, c)]
    based_on_this = [d for d in document.based_on_this if perm.can_view_document(user, d)]
    requests = queries.change_requests_of(document) if history else \
        [r for r in queries.change_requests_of(document) if r.requested_by_id == user.id]
    return render_template("documents/document.html", document=document, versions=versions, children=children,
                           based_on_this=based_on_this, change_requests=requests,
                           current=services.current_version(document), pending=services.pending_version(document),
                           withdraw_form=withdraw_form or f.WithdrawForm(), decision_form=f.DecisionForm(),
                           history=history), status


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def edit_document(document_id):
    document = _document_or_404(document_id)
    if not perm.can_edit_document(current_user, document):
        abort(403)
    form = f.EditDocumentForm(obj=document) if request.method == "GET" else f.EditDocumentForm()
    _fill_document_choices(form, document)
    if request.method == "GET":
        form.owning_unit.data = document.owning_unit_id or 0
        form.owner.data = document.owner_id or 0
        form.parent.data = document.parent_id or 0
        form.legal_bases.data = [d.id for d in document.legal_bases]
        form.access.data = document.access.value
        form.legal_status.data = document.legal_status.value if document.legal_status else ""
    if form.validate_on_submit():
        try:
            changes = services.update_document(_actor(), document, reason=form.reason.data or "",
                                               review_interval_months=form.review_interval_months.data
                                               or document.review_interval_months,
                                               **_document_values(form, document.kind))
        except DomainError as exc:
            db.session.rollback()
            _show_document_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("documents.show_document", document_id=document.id), 303)
    distribution_form = f.DistributionForm(
        units=[d.unit_id for d in document.distributions if d.unit_id],
        roles=sorted({d.role.code for d in document.distributions if d.role}),
        combine=any(d.unit_id and d.role_id for d in document.distributions))
    _fill_distribution_choices(distribution_form)
    return render_template("documents/document_form.html", form=form, document=document,
                           distribution_form=distribution_form), 400 if form.errors else 200


def _fill_distribution_choices(form):
    form.units.choices, form.roles.choices = unit_choices(), role_choices()


@bp.post("/<int:document_id>/distribution")
@allow(QUALITY_OFFICER)
def set_distribution(document_id):
    document = _document_or_404(document_id)
    if not perm.can_manage_distribution(current_user, document):
        abort(403)
    form = f.DistributionForm()
    _fill_distribution_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose units and roles from the lists."), "danger")
        return redirect(url_for("documents.edit_document", document_id=document.id), 303)
    units = [get_in_commune(Unit, i) for i in form.units.data or []]
    roles = form.roles.data or []
    if form.combine.data and units and roles:
        targets = [(u, r) for u in units for r in roles]
    else:
        targets = [(u, None) for u in units] + [(None, r) for r in roles]
    services.set_distribution(_actor(), document, targets)
    db.session.commit()
    flash(_("The distribution has been saved."), "success")
    return redirect(url_for("documents.show_document", document_id=document.id), 303)


@bp.post("/<int:document_id>/withdraw")
@allow(SIGNED_IN)
def withdraw_document(document_id):
    document = _document_or_404(document_id)
    if not perm.can_withdraw(current_user, document):
        abort(403)
    form = f.WithdrawForm()
    if not form.validate_on_submit():
        return _document_page(document, withdraw_form=form, status=400)
    try:
        services.withdraw_document(_actor(), document, password=form.password.data, reason=form.reason.data)
    except DomainError as exc:
        _settle(exc)
        form.password.errors = [str(exc.message)]
        return _document_page(document, withdraw_form=form, status=exc.status)
    db.session.commit()
    flash(_("The document has been withdrawn."), "success")
    return redirect(url_for("documents.show_document", document_id=document.id), 303)


@bp.get("/<int:document_id>/current/download")
@allow(SIGNED_IN)
def download_current(document_id):
    document = _document_or_404(document_id)
    version = services.current_version(document)
    if version is None or not perm.can_download(current_user, version):
        abort(404)
    return _download(version)


# --- versions --------------------------------------------------------------------------------------

def _read_upload(field):
    storage = field.data
    return (storage.filename or "", storage.read()) if storage else ("", b"")


@bp.route("/<int:document_id>/versions/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def create_version(document_id):
    document = _document_or_404(document_id)
    refusal = perm.create_version_refusal(current_user, document)
    if refusal is not None:
        flash(str(refusal), "warning")
        return redirect(url_for("documents.show_document", document_id=document.id), 303)
    form = f.UploadForm()
    if form.validate_on_submit():
        filename, data = _read_upload(form.file)
        try:
            if document.kind is DocumentKind.external:
                version = services.register_external_file(_actor(), document, filename=filename, data=data,
                                                          change_summary=form.change_summary.data)
            else:
                version = services.create_draft_version(_actor(), document, filename=filename, data=data,
                                                        change_summary=form.change_summary.data,
                                                        reason=form.reason.data)
        except DomainError as exc:
            _settle(exc)
            _field_error(_upload_field(form, exc), exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Issue %(n)s has been uploaded.", n=version.issue_label), "success")
            return redirect(url_for("documents.show_version", version_id=version.id), 303)
    else:
        status = 400 if form.errors else 200
    return render_template("documents/upload.html", form=form, document=document,
                           max_mb=max_upload_mb()), status


@bp.get("/versions/<int:version_id>")
@allow(SIGNED_IN)
def show_version(version_id):
    return _version_page(_version_or_404(version_id))


def _version_page(version, status=200, **overrides):
    user = current_user
    seen = version.row_version
    forms = {
        "draft_form": f.DraftForm(formdata=None, change_summary=version.change_summary, reason=version.reason,
                                  row_version=seen),
        "submit_form": f.RowVersionForm(formdata=None, row_version=seen),
        "review_form": f.SignForm(formdata=None, row_version=seen),
        "approve_form": f.ApproveForm(formdata=None, row_version=seen),
        "return_form": f.ReturnForm(formdata=None, row_version=seen),
        "confirm_form": f.SignForm(formdata=None, row_version=seen),
        "ack_form": f.RowVersionForm(formdata=None, row_version=seen),
    }
    forms.update(overrides)
    history = perm.can_see_history(user, version.document)
    done, waiting = queries.acknowledgment_state(version) if history else ([], [])
    others = [v for v in version.document.versions if v.id != version.id and perm.can_view_version(user, v)]
    label, today = services.stamp_label(version), local_today()
    return render_template("documents/version.html", version=version, document=version.document,
                           signatures=[(s, services.verify_signature(s), services.signature_covers_current_file(s))
                                       for s in version.signatures] if history else [],
                           acknowledged=done, not_acknowledged=waiting, history=history, others=others,
                           own_ack=queries.own_acknowledgment(user, version), stamp_label=label,
                           controlled=label == services.LABEL_CONTROLLED, max_mb=max_upload_mb(), today=today,
                           review_due_soon=queries.review_due_soon(version, today), **forms), status


@bp.get("/versions/<int:version_id>/compare")
@allow(*perm.HISTORY_READERS)
def compare_versions(version_id):
    """The text of this version beside another of the same document (?with=<version id>; default the
    previous issue), older on the left. Only for those who read the history: staff see one version."""
    version = _version_or_404(version_id)
    document = version.document
    if not perm.can_see_history(current_user, document):
        abort(404)
    choices = [v for v in document.versions if v.id != version.id]
    wanted = request.args.get("with", "")
    if wanted:
        other = next((v for v in choices if str(v.id) == wanted.strip()), None)
        if other is None:
            abort(404)
    else:
        other = next((v for v in reversed(choices) if v.issue_no < version.issue_no), None) or \
            (choices[0] if choices else None)
    left, right, rows = None, None, []
    if other is not None:
        left, right = sorted((version, other), key=lambda v: v.issue_no)
        rows = comparison.compare_versions(left, right)
    return render_template("documents/compare.html", document=document, version=version, other=other, left=left,
                           right=right, rows=rows, choices=choices)


def _settle(exc):
    """After a refused action: keep a failed signature's audit event, undo anything else."""
    if isinstance(exc, services.SignatureRefused):
        db.session.commit()
    else:
        db.session.rollback()


def _version_action(version_id, form_name, form, allowed, action, done):
    """A POST from the version page: conflict if the page was outdated, 403 if not allowed, 400 for an
    invalid form; otherwise the service runs and the page reloads with a message."""
    version = _version_or_404(version_id)
    seen = request.form.get("row_version", "")
    if seen.isdigit() and int(seen) != version.row_version:
        flash(str(services.CONFLICT_MESSAGE), "warning")
        return _version_page(version, status=409)
    if not allowed(current_user, version):
        abort(403)
    if not form.validate_on_submit():
        return _version_page(version, status=400, **{form_name: form})
    try:
        action(version)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
        return _version_page(db.session.get(DocumentVersion, version_id), status=409)
    except DomainError as exc:
        _settle(exc)
        if exc.code in ("bad_signature", "signature_locked"):
            target = form.password
        elif form_name == "draft_form":
            target = _upload_field(form, exc)
        else:
            target = None
        if target is not None:
            _field_error(target, exc)
        else:
            flash(str(exc.message), "danger")
        return _version_page(version, status=exc.status, **{form_name: form})
    db.session.commit()
    flash(str(done), "success")
    return redirect(url_for("documents.show_version", version_id=version_id), 303)


def _seen(form):
    return int(form.row_version.data) if (form.row_version.data or "").isdigit() else None


@bp.post("/versions/<int:version_id>/draft")
@allow(QUALITY_OFFICER)
def edit_draft(version_id):
    form = f.DraftForm()

    def action(version):
        filename, data = _read_upload(form.file)
        if filename or data:
            services.replace_draft_file(_actor(), version, filename=filename, data=data,
                                        change_summary=form.change_summary.data, reason=form.reason.data,
                                        expected_row_version=_seen(form))
        else:
            services.update_draft(_actor(), version, change_summary=form.change_summary.data,
                                  reason=form.reason.data, expected_row_version=_seen(form))
    return _version_action(version_id, "draft_form", form, perm.can_edit, action, _l("The draft has been saved."))


@bp.post("/versions/<int:version_id>/submit")
@allow(QUALITY_OFFICER)
def submit_version(version_id):
    form = f.RowVersionForm()
    return _version_action(version_id, "submit_form", form, perm.can_submit,
                           lambda v: services.submit_for_review(_actor(), v, expected_row_version=_seen(form)),
                           _l("The draft has been sent for review."))


@bp.post("/versions/<int:version_id>/review")
@allow(SIGNED_IN)
def review_version(version_id):
    form = f.SignForm()
    return _version_action(version_id, "review_form", form, perm.can_review,
                           lambda v: services.review_version(_actor(), v, password=form.password.data,
                                                             comment=form.comment.data,
                                                             expected_row_version=_seen(form)),
                           _l("You have signed the version as reviewed."))


@bp.post("/versions/<int:version_id>/approve")
@allow(SIGNED_IN)
def approve_version(version_id):
    form = f.ApproveForm()
    return _version_action(version_id, "approve_form", form, perm.can_approve,
                           lambda v: services.approve_version(_actor(), v, password=form.password.data,
                                                              effective_date=form.effective_date.data,
                                                              comment=form.comment.data,
                                                              expected_row_version=_seen(form)),
                           _l("You have signed the version as approved."))


@bp.post("/versions/<int:version_id>/return")
@allow(SIGNED_IN)
def return_version(version_id):
    form = f.ReturnForm()
    return _version_action(version_id, "return_form", form, perm.can_return,
                           lambda v: services.return_to_draft(_actor(), v, password=form.password.data,
                                                              comment=form.comment.data,
                                                              expected_row_version=_seen(form)),
                           _l("The version has been sent back to draft."))


@bp.post("/versions/<int:version_id>/confirm")
@allow(SIGNED_IN)
def confirm_version(version_id):
    form = f.SignForm()
    return _version_action(version_id, "confirm_form", form, perm.can_confirm,
                           lambda v: services.confirm_still_valid(_actor(), v, password=form.password.data,
                                                                  comment=form.comment.data,
                                                                  expected_row_version=_seen(form)),
                           _l("You have confirmed that the version is still valid."))


@bp.post("/versions/<int:version_id>/acknowledge")
@allow(SIGNED_IN)
def acknowledge_version(version_id):
    form = f.RowVersionForm()
    return _version_action(version_id, "ack_form", form, perm.can_acknowledge,
                           lambda v: services.acknowledge_version(_actor(), v),
                           _l("Thank you: your acknowledgment has been recorded."))


def _download(version):
    download = services.download_copy(_actor(), version)
    db.session.commit()
    return _send(download)


@bp.get("/versions/<int:version_id>/download")
@allow(SIGNED_IN)
def download_version(version_id):
    version = _version_or_404(version_id)
    if not perm.can_download(current_user, version):
        abort(404)
    return _download(version)


@bp.get("/versions/<int:version_id>/original")
@allow(QUALITY_OFFICER, LEADER, AUDITOR)
def download_original(version_id):
    version = _version_or_404(version_id)
    if not perm.can_see_original(current_user, version):
        abort(404)
    download = services.download_original(_actor(), version)
    db.session.commit()
    return _send(download)


# --- change requests -------------------------------------------------------------------------------

@bp.route("/<int:document_id>/change-requests/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def propose_change(document_id):
    document = _document_or_404(document_id)
    refusal = perm.propose_refusal(current_user, document)
    if refusal is not None:
        abort(403)
    form = f.ChangeRequestForm()
    if form.validate_on_submit():
        services.propose_change(_actor(), document, what=form.what.data, why=form.why.data)
        db.session.commit()
        flash(_("Your request has been sent to the quality officer."), "success")
        return redirect(url_for("documents.show_document", document_id=document.id), 303)
    return render_template("documents/change_request_form.html", form=form, document=document), \
        400 if form.errors else 200


def _decide(request_id, decide, done):
    change_request = get_in_commune(ChangeRequest, request_id)
    if not perm.can_see_change_request(current_user, change_request):
        abort(404)
    if not perm.can_decide_change(current_user, change_request):
        abort(403)
    form = f.DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        target = decide(change_request, form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("documents.show_document", document_id=change_request.document_id), 303)
    db.session.commit()
    flash(str(done), "success")
    return redirect(target, 303)


@bp.post("/change-requests/<int:request_id>/accept")
@allow(QUALITY_OFFICER)
def accept_change_request(request_id):
    def decide(change_request, reason):
        draft = services.accept_change_request(_actor(), change_request, comment=reason)
        return url_for("documents.show_version", version_id=draft.id)
    return _decide(request_id, decide, _l("Request accepted: edit the draft, then submit it for review."))


@bp.post("/change-requests/<int:request_id>/decline")
@allow(QUALITY_OFFICER)
def decline_change_request(request_id):
    def decide(change_request, reason):
        services.decline_change_request(_actor(), change_request, reason=reason)
        return url_for("documents.show_document", document_id=change_request.document_id)
    return _decide(request_id, decide, _l("The request has been declined."))


# --- settings --------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@allow(QUALITY_OFFICER, ADMINISTRATOR)
def edit_settings():
    commune = current_user.commune
    current = document_settings(commune)
    form_class = f.settings_form_class(list(DocumentKind), CONTROLLED_KINDS)
    if request.method == "GET":
        values = {"allow_same_reviewer_approver": current.allow_same_reviewer_approver,
                  "review_interval_months": current.review_interval_months}
        for kind in DocumentKind:
            values[f"pattern_{kind.value}"] = current.code_pattern(kind)
        for kind in CONTROLLED_KINDS:
            values[f"reviewers_{kind.value}"] = sorted(current.reviewers_for(kind))
            values[f"approvers_{kind.value}"] = sorted(current.approvers_for(kind))
        form = form_class(data=values)
    else:
        form = form_class()
    roles = role_choices()
    for kind in CONTROLLED_KINDS:
        getattr(form, f"reviewers_{kind.value}").choices = roles
        getattr(form, f"approvers_{kind.value}").choices = roles
    if form.validate_on_submit():
        try:
            changes = update_document_settings(
                _actor(), commune, reason=form.reason.data or "",
                code_patterns={k.value: getattr(form, f"pattern_{k.value}").data for k in DocumentKind},
                reviewer_roles={k.value: getattr(form, f"reviewers_{k.value}").data for k in CONTROLLED_KINDS},
                approver_roles={k.value: getattr(form, f"approvers_{k.value}").data for k in CONTROLLED_KINDS},
                allow_same_reviewer_approver=form.allow_same_reviewer_approver.data,
                review_interval_months=form.review_interval_months.data)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("documents.edit_settings"), 303)
        return _settings_page(form, 400)
    return _settings_page(form, 400 if form.errors else 200)


def _settings_page(form, status):
    return render_template("documents/settings.html", form=form, kinds=list(DocumentKind),
                           controlled_kinds=CONTROLLED_KINDS, max_mb=max_upload_mb()), status


# --- home page sections and menu -----------------------------------------------------------------

def _version_task(version, detail="", due=None, overdue=False):
    document = version.document
    return Task(title=_("%(code)s · %(title)s (issue %(issue)s)", code=document.code, title=document.title,
                        issue=version.issue_label),
                url=url_for("documents.show_version", version_id=version.id), detail=detail, due=due,
                overdue=overdue)


def _acknowledgment_tasks(user):
    return [_version_task(a.version, due=a.assigned_at) for a in queries.open_acknowledgments(user)]


def _review_tasks(user):
    return [_version_task(v) for v in queries.versions_in_review(user.commune_id) if perm.can_review(user, v)]


def _approval_tasks(user):
    return [_version_task(v, detail=_("Reviewed by %(name)s", name=v.reviewed_by.full_name))
            for v in queries.versions_in_review(user.commune_id) if perm.can_approve(user, v)]


def _change_request_tasks(user):
    return [Task(title=f"{r.document.code} · {r.what[:120]}",
                 url=url_for("documents.show_document", document_id=r.document_id) + f"#change-request-{r.id}",
                 detail=_("Proposed by %(name)s", name=r.requested_by.full_name), due=r.requested_at)
            for r in queries.open_change_requests(user.commune_id)]


def _periodic_review_tasks(user):
    today = local_today()
    return [_version_task(v, due=v.next_review_on, overdue=v.next_review_on < today)
            for v in queries.due_for_review(user.commune_id, today)]


def _draft_tasks(user):
    return [_version_task(v, detail=_("Returned: %(comment)s", comment=v.returned_comment)
                          if v.returned_comment else "") for v in queries.drafts_of(user)]


register_section("documents-acknowledge", _l("Documents to read and acknowledge"), ALL_ROLES,
                 _acknowledgment_tasks, _l("Nothing new to read."))
register_section("documents-drafts", _l("Drafts to finish"), (QUALITY_OFFICER,), _draft_tasks,
                 _l("No drafts of yours are open."))
register_section("documents-review", _l("Documents to review"), (QUALITY_OFFICER, LEADER), _review_tasks,
                 _l("Nothing waits for your review."))
register_section("documents-approve", _l("Documents to approve"), (QUALITY_OFFICER, LEADER), _approval_tasks,
                 _l("Nothing waits for your approval."))
register_section("documents-change-requests", _l("Change requests to decide"), (QUALITY_OFFICER,),
                 _change_request_tasks, _l("No open change requests."))
register_section("documents-periodic-review", _l("Documents due for periodic review"), (QUALITY_OFFICER,),
                 _periodic_review_tasks, _l("No document is due for review in the next 30 days."))

register_nav("documents.current_forms", _l("Current forms"), order=10)
register_nav("documents.list_documents", _l("Documents"), order=20)
register_nav("documents.periodic_review", _l("Periodic review"), order=25)
register_nav("documents.edit_settings", _l("Document settings"), order=92)
