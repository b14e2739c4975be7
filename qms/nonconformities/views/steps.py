"""The steps of an NC's handling, one endpoint each, posted from the NC page (views/nonconformity.py).

A step posts its form with the NC's row_version as the page showed it; the service decides. A refusal
re-renders the page with the reason under the field it is about (or on the form), status 400 for
bad input, 409 for a gate or a conflict, and nothing is written; success redirects (303) with a
message. Who may take a step is asked of permissions.py first (403 otherwise)."""

from io import BytesIO

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.auth.models import QUALITY_OFFICER, User
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.core.forms import field_error
from qms.db import DomainError, db, settle
from qms.documents.models import Document
from qms.files.services import read_stored
from qms.nonconformities import forms as f
from qms.nonconformities import permissions as perm
from qms.nonconformities import queries, services
from qms.nonconformities.models import NcAction, NcAttachment, NcCause, NcReview, NcWhy, Nonconformity
from qms.nonconformities.services.common import check_row_version
from qms.nonconformities.views import actor, bp, nc_or_404
from qms.nonconformities.views.nonconformity import ACTORS, fill, nc_page

# --- the steps -----------------------------------------------------------------------------------

PASSWORD_CODES = ("bad_password", "locked")


def _refused(form, exc, fields):
    """Put the refusal under the field it is about, or on the form."""
    if exc.code in PASSWORD_CODES and hasattr(form, "password"):
        target = form.password
    else:
        target = getattr(form, fields.get(exc.code, fields.get("*", "")), None) if fields else None
    if target is not None:
        field_error(target, exc)
    else:
        form.refusal = str(exc.message)


def _step(nc, form_name, form, allowed, run, done, *, fields=None, row=None, anchor=""):
    """Run one step posted from the NC page: 403 when the user may not take it, the page again with
    the reason when the form or the service refuses, otherwise back to the page with `done`."""
    if not allowed:
        abort(403)
    fill(form, nc)
    if not form.validate_on_submit():
        return _again(nc, form_name, form, row, 400)
    try:
        run(form)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        _refused(form, exc, fields)
        return _again(db.session.get(Nonconformity, nc.id), form_name, form, row, exc.status)
    flash(str(done), "success")
    return redirect(url_for("nonconformities.show_nc", nc_id=nc.id) + anchor, 303)


def _again(nc, form_name, form, row, status):
    if row is not None:
        return nc_page(nc, status, row_forms={row: form})
    return nc_page(nc, status, forms={form_name: form} if form_name else None)


def _chosen_user(nc, user_id):
    if not user_id:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.commune_id == nc.commune_id else None


def _of_nc(model, nc, object_id, nc_id_of):
    found = db.session.get(model, object_id)
    if found is None or nc_id_of(found) != nc.id:
        abort(404)
    return found


def _why(nc, why_id):
    return _of_nc(NcWhy, nc, why_id, lambda w: w.round.nonconformity_id)


def _cause(nc, cause_id):
    return _of_nc(NcCause, nc, cause_id, lambda c: c.round.nonconformity_id)


def _item(nc, item_id):
    return _of_nc(NcAction, nc, item_id, lambda a: a.nonconformity_id)


def _review(nc, review_id):
    return _of_nc(NcReview, nc, review_id, lambda r: r.nonconformity_id)


@bp.post("/<int:nc_id>/correction")
@allow(*ACTORS)
def record_correction(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "correction_form",
        f.CorrectionForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.record_correction(
            actor(),
            nc,
            what=form.what.data,
            by=_chosen_user(nc, form.by.data),
            due_on=form.due_on.data,
            done=form.done.data,
            expected_row_version=form.seen(),
        ),
        _l("The correction has been recorded."),
        fields={"correction_required": "what", "correction_by_required": "by", "invalid_date": "due_on"},
        anchor="#correction",
    )


@bp.post("/<int:nc_id>/disposition")
@allow(*ACTORS)
def record_disposition(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "disposition_form",
        f.DispositionForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.record_disposition(
            actor(), nc, disposition=form.disposition.data, expected_row_version=form.seen()
        ),
        _l("The disposition has been recorded."),
        fields={"*": "disposition"},
        anchor="#correction",
    )


@bp.post("/<int:nc_id>/action-needed")
@allow(*ACTORS)
def decide_action_needed(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "action_needed_form",
        f.ActionNeededForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.decide_action_needed(
            actor(),
            nc,
            needed=f.yes_no(form.needed.data),
            reason=form.reason.data,
            expected_row_version=form.seen(),
        ),
        _l("The decision on a corrective action has been recorded."),
        fields={"reason_required": "reason", "*": "needed"},
        anchor="#decision",
    )


@bp.post("/<int:nc_id>/whys")
@allow(*ACTORS)
def add_why(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "why_form",
        f.WhyForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.add_why(
            actor(), nc, question=form.question.data, answer=form.answer.data, expected_row_version=form.seen()
        ),
        _l("The why has been added."),
        fields={"*": "answer"},
        anchor="#analysis",
    )


@bp.post("/<int:nc_id>/whys/<int:why_id>")
@allow(*ACTORS)
def edit_why(nc_id, why_id):
    nc = nc_or_404(nc_id)
    why = _why(nc, why_id)
    return _step(
        nc,
        None,
        f.WhyForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.edit_why(
            actor(), why, question=form.question.data, answer=form.answer.data, expected_row_version=form.seen()
        ),
        _l("The why has been changed."),
        fields={"*": "answer"},
        row=f"why-{why.id}",
        anchor="#analysis",
    )


@bp.post("/<int:nc_id>/whys/<int:why_id>/remove")
@allow(*ACTORS)
def remove_why(nc_id, why_id):
    nc = nc_or_404(nc_id)
    why = _why(nc, why_id)
    return _step(
        nc,
        None,
        f.StepForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.remove_why(actor(), why, expected_row_version=form.seen()),
        _l("The why has been removed."),
        row=f"why-{why.id}",
        anchor="#analysis",
    )


@bp.post("/<int:nc_id>/causes")
@allow(*ACTORS)
def add_cause(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "cause_form",
        f.CauseForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.add_cause(
            actor(),
            nc,
            category=form.category.data,
            description=form.description.data,
            is_root=form.is_root.data,
            expected_row_version=form.seen(),
        ),
        _l("The cause has been added to the fishbone."),
        fields={"invalid_choice": "category", "*": "description"},
        anchor="#fishbone",
    )


@bp.post("/<int:nc_id>/causes/<int:cause_id>")
@allow(*ACTORS)
def edit_cause(nc_id, cause_id):
    nc = nc_or_404(nc_id)
    cause = _cause(nc, cause_id)
    return _step(
        nc,
        None,
        f.CauseForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.edit_cause(
            actor(),
            cause,
            category=form.category.data,
            description=form.description.data,
            is_root=form.is_root.data,
            expected_row_version=form.seen(),
        ),
        _l("The cause has been changed."),
        fields={"invalid_choice": "category", "*": "description"},
        row=f"cause-{cause.id}",
        anchor="#fishbone",
    )


@bp.post("/<int:nc_id>/causes/<int:cause_id>/remove")
@allow(*ACTORS)
def remove_cause(nc_id, cause_id):
    nc = nc_or_404(nc_id)
    cause = _cause(nc, cause_id)
    return _step(
        nc,
        None,
        f.StepForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.remove_cause(actor(), cause, expected_row_version=form.seen()),
        _l("The cause has been removed."),
        row=f"cause-{cause.id}",
        anchor="#fishbone",
    )


@bp.post("/<int:nc_id>/accept-analysis")
@allow(QUALITY_OFFICER)
def accept_analysis(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "accept_form",
        f.AcceptAnalysisForm(),
        perm.can_decide(current_user, nc),
        lambda form: services.accept_analysis(
            actor(), nc, password=form.password.data, comment=form.comment.data, expected_row_version=form.seen()
        ),
        _l("You have signed: the root-cause analysis is accepted."),
        anchor="#analysis",
    )


@bp.post("/<int:nc_id>/actions")
@allow(*ACTORS)
def add_action(nc_id):
    nc = nc_or_404(nc_id)

    def run(form):
        document = get_in_commune(Document, form.document.data) if form.document.data else None
        services.add_action(
            actor(),
            nc,
            what=form.what.data,
            owner=_chosen_user(nc, form.owner.data),
            due_on=form.due_on.data,
            document=document,
            expected_row_version=form.seen(),
        )

    return _step(
        nc,
        "action_form",
        f.NewActionForm(),
        perm.can_manage(current_user, nc),
        run,
        _l("The action item has been added."),
        fields={
            "what_required": "what",
            "invalid_user": "owner",
            "invalid_date": "due_on",
            "other_commune": "document",
        },
        anchor="#actions",
    )


@bp.post("/<int:nc_id>/actions/<int:item_id>")
@allow(*ACTORS)
def edit_action(nc_id, item_id):
    nc = nc_or_404(nc_id)
    item = _item(nc, item_id)
    return _step(
        nc,
        None,
        f.ActionForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.edit_action(
            actor(),
            item,
            what=form.what.data,
            owner=_chosen_user(nc, form.owner.data),
            due_on=form.due_on.data,
            expected_row_version=form.seen(),
        ),
        _l("The action item has been changed."),
        fields={"what_required": "what", "invalid_user": "owner", "invalid_date": "due_on"},
        row=f"item-{item.id}",
        anchor=f"#item-{item.id}",
    )


@bp.post("/<int:nc_id>/actions/<int:item_id>/complete")
@allow(*ACTORS)
def complete_action(nc_id, item_id):
    nc = nc_or_404(nc_id)
    item = _item(nc, item_id)
    return _step(
        nc,
        None,
        f.CompleteForm(),
        perm.complete_refusal(current_user, item) is None,
        lambda form: services.complete_action(actor(), item, result=form.result.data, expected_row_version=form.seen()),
        _l("The action item is marked done."),
        fields={"*": "result"},
        row=f"complete-{item.id}",
        anchor=f"#item-{item.id}",
    )


@bp.post("/<int:nc_id>/review")
@allow(*ACTORS)
def plan_review(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "plan_form",
        f.ReviewPlanForm(),
        perm.can_manage(current_user, nc),
        lambda form: services.plan_review(
            actor(),
            nc,
            planned_on=form.planned_on.data,
            reviewer=_chosen_user(nc, form.reviewer.data),
            expected_row_version=form.seen(),
        ),
        _l("The effectiveness review has been planned."),
        fields={"invalid_user": "reviewer", "reviewer_owns_item": "reviewer", "invalid_date": "planned_on"},
        anchor="#reviews",
    )


@bp.post("/<int:nc_id>/reviews/<int:review_id>")
@allow(*ACTORS)
def record_review(nc_id, review_id):
    nc = nc_or_404(nc_id)
    review = _review(nc, review_id)
    return _step(
        nc,
        None,
        f.ReviewResultForm(),
        perm.review_refusal(current_user, review) is None,
        lambda form: services.record_review(
            actor(),
            review,
            result=form.result.data,
            reviewed_on=form.reviewed_on.data,
            notes=form.notes.data,
            expected_row_version=form.seen(),
        ),
        _l("The result of the effectiveness review has been recorded."),
        fields={"notes_required": "notes", "invalid_date": "reviewed_on", "invalid_choice": "result"},
        row=f"review-{review.id}",
        anchor="#reviews",
    )


@bp.post("/<int:nc_id>/evidence")
@allow(*ACTORS)
def attach_evidence(nc_id):
    nc = nc_or_404(nc_id)

    def run(form):
        files = [s for s in (form.files.data or []) if s and s.filename]
        if not files:
            raise DomainError(_l("Choose at least one file."), code="file_required")
        check_row_version(nc, form.seen())  # before any file is read
        for storage in files:
            services.attach_evidence(actor(), nc, filename=storage.filename, data=storage.read())

    return _step(
        nc,
        "evidence_form",
        f.EvidenceForm(),
        perm.can_manage(current_user, nc),
        run,
        _l("The evidence has been attached."),
        fields={"*": "files"},
        anchor="#evidence",
    )


@bp.get("/<int:nc_id>/evidence/<int:attachment_id>")
@allow(SIGNED_IN)
def download_evidence(nc_id, attachment_id):
    nc = nc_or_404(nc_id)
    attachment = _of_nc(NcAttachment, nc, attachment_id, lambda a: a.nonconformity_id)
    data = read_stored(attachment.sha256, actor(), found_in=nc)
    return send_file(
        BytesIO(data),
        mimetype=attachment.media_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )


@bp.post("/<int:nc_id>/links")
@allow(*ACTORS)
def link_similar(nc_id):
    nc = nc_or_404(nc_id)

    def run(form):
        other = queries.nc_by_number(nc.commune_id, form.number.data)
        if other is None:
            raise DomainError(_l("No nonconformity of this commune has that number."), code="not_found")
        check_row_version(nc, form.seen())
        services.link_similar(actor(), nc, other, note=form.note.data)

    return _step(
        nc,
        "link_form",
        f.LinkForm(),
        perm.can_manage(current_user, nc),
        run,
        _l("The similar nonconformity has been linked."),
        fields={"*": "number"},
        anchor="#similar",
    )


@bp.post("/<int:nc_id>/links/<int:other_id>/remove")
@allow(*ACTORS)
def unlink_similar(nc_id, other_id):
    nc = nc_or_404(nc_id)
    other = get_in_commune(Nonconformity, other_id)

    def run(form):
        check_row_version(nc, form.seen())
        services.unlink_similar(actor(), nc, other)

    return _step(
        nc,
        "link_form",
        f.StepForm(),
        perm.can_manage(current_user, nc),
        run,
        _l("The link has been removed."),
        anchor="#similar",
    )


@bp.post("/<int:nc_id>/handler")
@allow(QUALITY_OFFICER)
def assign_handler(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "handler_form",
        f.HandlerForm(),
        perm.can_decide(current_user, nc) and nc.is_open,
        lambda form: services.assign_handler(
            actor(), nc, _chosen_user(nc, form.handler.data), expected_row_version=form.seen()
        ),
        _l("The handler has been assigned."),
        fields={"*": "handler"},
    )


@bp.post("/<int:nc_id>/close")
@allow(QUALITY_OFFICER)
def close_nc(nc_id):
    nc = nc_or_404(nc_id)

    def run(form):
        chosen = [get_in_commune(Document, i) for i in form.documents.data or []]
        services.close_nc(
            actor(),
            nc,
            password=form.password.data,
            risks_need_update=f.yes_no(form.risks.data),
            documents_need_update=f.yes_no(form.documents_need.data),
            documents=chosen,
            comment=form.comment.data,
            expected_row_version=form.seen(),
        )

    return _step(
        nc,
        "close_form",
        f.CloseForm(),
        perm.can_decide(current_user, nc),
        run,
        _l("You have signed: the nonconformity is closed."),
        fields={"documents_required": "documents", "answers_required": "risks"},
    )


@bp.post("/<int:nc_id>/reopen")
@allow(QUALITY_OFFICER)
def reopen_nc(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "reopen_form",
        f.ReasonSignedForm(),
        perm.can_decide(current_user, nc),
        lambda form: services.reopen_nc(
            actor(), nc, password=form.password.data, reason=form.reason.data, expected_row_version=form.seen()
        ),
        _l("You have signed: the nonconformity is reopened for a new round."),
        fields={"reason_required": "reason"},
    )


@bp.post("/<int:nc_id>/cancel")
@allow(QUALITY_OFFICER)
def cancel_nc(nc_id):
    nc = nc_or_404(nc_id)
    return _step(
        nc,
        "cancel_form",
        f.ReasonSignedForm(),
        perm.can_decide(current_user, nc),
        lambda form: services.cancel_nc(
            actor(), nc, password=form.password.data, reason=form.reason.data, expected_row_version=form.seen()
        ),
        _l("You have signed: the nonconformity is cancelled."),
        fields={"reason_required": "reason"},
    )
