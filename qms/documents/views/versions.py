"""A version's pages: uploading a new issue, the version page with its signed actions (edit the
draft, submit, review, approve, return, confirm still valid, acknowledge), the comparison of two
issues, and the downloads (controlled copy, original file)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.auth.models import AUDITOR, LEADER, QUALITY_OFFICER
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import local_today
from qms.core.forms import field_error
from qms.db import ConflictError, DomainError, db, settle
from qms.documents import compare as comparison
from qms.documents import forms as f
from qms.documents import permissions as perm
from qms.documents import queries, services
from qms.documents.models import DocumentKind, DocumentVersion
from qms.documents.views import actor, bp, document_or_404, send, upload_field, version_or_404
from qms.files import services as files
from qms.files.services import max_upload_mb
from qms.signatures.services import verify


def _read_upload(field):
    storage = field.data
    return (storage.filename or "", storage.read()) if storage else ("", b"")


@bp.route("/<int:document_id>/versions/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def create_version(document_id):
    document = document_or_404(document_id)
    refusal = perm.create_version_refusal(current_user, document)
    if refusal is not None:
        flash(str(refusal), "warning")
        return redirect(url_for("documents.show_document", document_id=document.id), 303)
    form = f.UploadForm()
    if form.validate_on_submit():
        filename, data = _read_upload(form.file)
        try:
            if document.kind is DocumentKind.external:
                version = services.register_external_file(
                    actor(), document, filename=filename, data=data, change_summary=form.change_summary.data
                )
            else:
                version = services.create_draft_version(
                    actor(),
                    document,
                    filename=filename,
                    data=data,
                    change_summary=form.change_summary.data,
                    reason=form.reason.data,
                )
        except DomainError as exc:
            settle(exc)
            field_error(upload_field(form, exc), exc)
            status = exc.status
        else:
            flash(_("Issue %(n)s has been uploaded.", n=version.issue_label), "success")
            return redirect(url_for("documents.show_version", version_id=version.id), 303)
    else:
        status = 400 if form.errors else 200
    return render_template("documents/upload.html", form=form, document=document, max_mb=max_upload_mb()), status


@bp.get("/versions/<int:version_id>")
@allow(SIGNED_IN)
def show_version(version_id):
    return _version_page(version_or_404(version_id))


def _version_page(version, status=200, **overrides):
    user = current_user
    seen = version.row_version
    forms = {
        "draft_form": f.DraftForm(
            formdata=None, change_summary=version.change_summary, reason=version.reason, row_version=seen
        ),
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
    primary = version.primary_file
    file_state = files.file_state(primary.sha256) if primary is not None else None
    digest = primary.sha256 if file_state == files.INTACT else ""
    return render_template(
        "documents/version.html",
        version=version,
        document=version.document,
        signatures=[
            (s, verify(s, version, current_digest=digest), primary is not None and s.signed_digest == primary.sha256)
            for s in version.signatures
        ]
        if history
        else [],
        file_state=file_state,
        acknowledged=done,
        not_acknowledged=waiting,
        history=history,
        others=others,
        own_ack=queries.own_acknowledgment(user, version),
        stamp_label=label,
        controlled=label == services.LABEL_CONTROLLED,
        max_mb=max_upload_mb(),
        today=today,
        review_due_soon=queries.review_due_soon(version, today),
        **forms,
    ), status


@bp.get("/versions/<int:version_id>/compare")
@allow(*perm.HISTORY_READERS)
def compare_versions(version_id):
    """The text of this version beside another of the same document (?with=<version id>; default the
    previous issue), older on the left. Only for those who read the history: staff see one version."""
    version = version_or_404(version_id)
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
        other = next((v for v in reversed(choices) if v.issue_no < version.issue_no), None) or (
            choices[0] if choices else None
        )
    left, right, rows = None, None, []
    if other is not None:
        left, right = sorted((version, other), key=lambda v: v.issue_no)
        rows = comparison.compare_versions(left, right)
    return render_template(
        "documents/compare.html",
        document=document,
        version=version,
        other=other,
        left=left,
        right=right,
        rows=rows,
        choices=choices,
    )


def _version_action(version_id, form_name, form, allowed, action, done):
    """A POST from the version page: conflict if the page was outdated, 403 if not allowed, 400 for an
    invalid form; otherwise the service runs and the page reloads with a message."""
    version = version_or_404(version_id)
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
        settle(exc)
        flash(str(exc.message), "warning")
        return _version_page(db.session.get(DocumentVersion, version_id), status=409)
    except DomainError as exc:
        settle(exc)
        if exc.code in ("bad_password", "locked"):
            target = form.password
        elif form_name == "draft_form":
            target = upload_field(form, exc)
        else:
            target = None
        if target is not None:
            field_error(target, exc)
        else:
            flash(str(exc.message), "danger")
        return _version_page(version, status=exc.status, **{form_name: form})
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
            services.replace_draft_file(
                actor(),
                version,
                filename=filename,
                data=data,
                change_summary=form.change_summary.data,
                reason=form.reason.data,
                expected_row_version=_seen(form),
            )
        else:
            services.update_draft(
                actor(),
                version,
                change_summary=form.change_summary.data,
                reason=form.reason.data,
                expected_row_version=_seen(form),
            )

    return _version_action(version_id, "draft_form", form, perm.can_edit, action, _l("The draft has been saved."))


@bp.post("/versions/<int:version_id>/submit")
@allow(QUALITY_OFFICER)
def submit_version(version_id):
    form = f.RowVersionForm()
    return _version_action(
        version_id,
        "submit_form",
        form,
        perm.can_submit,
        lambda v: services.submit_for_review(actor(), v, expected_row_version=_seen(form)),
        _l("The draft has been sent for review."),
    )


@bp.post("/versions/<int:version_id>/review")
@allow(SIGNED_IN)
def review_version(version_id):
    form = f.SignForm()
    return _version_action(
        version_id,
        "review_form",
        form,
        perm.can_review,
        lambda v: services.review_version(
            actor(), v, password=form.password.data, comment=form.comment.data, expected_row_version=_seen(form)
        ),
        _l("You have signed the version as reviewed."),
    )


@bp.post("/versions/<int:version_id>/approve")
@allow(SIGNED_IN)
def approve_version(version_id):
    form = f.ApproveForm()
    return _version_action(
        version_id,
        "approve_form",
        form,
        perm.can_approve,
        lambda v: services.approve_version(
            actor(),
            v,
            password=form.password.data,
            effective_date=form.effective_date.data,
            comment=form.comment.data,
            expected_row_version=_seen(form),
        ),
        _l("You have signed the version as approved."),
    )


@bp.post("/versions/<int:version_id>/return")
@allow(SIGNED_IN)
def return_version(version_id):
    form = f.ReturnForm()
    return _version_action(
        version_id,
        "return_form",
        form,
        perm.can_return,
        lambda v: services.return_to_draft(
            actor(), v, password=form.password.data, comment=form.comment.data, expected_row_version=_seen(form)
        ),
        _l("The version has been sent back to draft."),
    )


@bp.post("/versions/<int:version_id>/confirm")
@allow(SIGNED_IN)
def confirm_version(version_id):
    form = f.SignForm()
    return _version_action(
        version_id,
        "confirm_form",
        form,
        perm.can_confirm,
        lambda v: services.confirm_still_valid(
            actor(), v, password=form.password.data, comment=form.comment.data, expected_row_version=_seen(form)
        ),
        _l("You have confirmed that the version is still valid."),
    )


@bp.post("/versions/<int:version_id>/acknowledge")
@allow(SIGNED_IN)
def acknowledge_version(version_id):
    form = f.RowVersionForm()
    return _version_action(
        version_id,
        "ack_form",
        form,
        perm.can_acknowledge,
        lambda v: services.acknowledge_version(actor(), v),
        _l("Thank you: your acknowledgment has been recorded."),
    )


@bp.get("/versions/<int:version_id>/download")
@allow(SIGNED_IN)
def download_version(version_id):
    version = version_or_404(version_id)
    if not perm.can_download(current_user, version):
        abort(404)
    return send(services.download_copy(actor(), version))


@bp.get("/versions/<int:version_id>/original")
@allow(QUALITY_OFFICER, LEADER, AUDITOR)
def download_original(version_id):
    version = version_or_404(version_id)
    if not perm.can_see_original(current_user, version):
        abort(404)
    return send(services.download_original(actor(), version))
