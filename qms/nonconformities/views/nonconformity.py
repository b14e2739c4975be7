"""An NC's page, its whole story (timeline, rounds with their 5 Whys, fishbone, items and reviews,
signatures, similar NCs, evidence) with the next step, and one endpoint per step of its handling.

A step posts its form with the NC's row_version as the page showed it; the service decides. A refusal
re-renders the page with the reason under the field it is about (or on the form), status 400 for
bad input, 409 for a gate or a conflict, and nothing is written; success redirects (303) with a
message."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audit.labels import change_value, names_for
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF, User
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.core.calendar import local_today
from qms.core.forms import field_error
from qms.core.labels import action_label, field_label
from qms.db import DomainError, db, settle
from qms.documents.labels import STATUS_LABELS as DOCUMENT_STATUS_LABELS
from qms.documents.models import Document
from qms.files.services import max_upload_mb, read_stored
from qms.nonconformities import forms as f
from qms.nonconformities import permissions as perm
from qms.nonconformities import queries, services
from qms.nonconformities.labels import MEANING_LABELS
from qms.nonconformities.models import NcAction, NcAttachment, NcCause, NcReview, NcWhy, Nonconformity
from qms.nonconformities.progress import next_step
from qms.nonconformities.services.common import check_row_version
from qms.nonconformities.services.decisions import documents_to_update
from qms.nonconformities.views import actor, bp, nc_or_404
from qms.signatures.services import verify

ACTORS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)  # everyone who may act on an NC (not auditors)
NOBODY = 0


def _people(nc):
    return [SelectChoice(u.id, u.full_name) for u in queries.people(nc.commune_id, acting=True)]


def _documents(nc, ids=()):
    return [SelectChoice(d.id, f"{d.code} · {d.title}") for d in queries.documents(nc.commune_id, ids)]


def _fill(form, nc):
    """The choices of a step form that depend on the commune."""
    if isinstance(form, f.CorrectionForm):
        form.by.choices = _people(nc)
    elif isinstance(form, f.ActionForm):
        form.owner.choices = _people(nc)
        if isinstance(form, f.NewActionForm):
            form.document.choices = [SelectChoice(NOBODY, _l("— none —"))] + _documents(nc)
    elif isinstance(form, f.ReviewPlanForm):
        form.reviewer.choices = _people(nc)
    elif isinstance(form, f.HandlerForm):
        form.handler.choices = [SelectChoice(NOBODY, _l("The quality officer"))] + _people(nc)
    elif isinstance(form, f.CloseForm):
        form.documents.choices = _documents(nc, nc.documents_to_update or ())
    return form


def _blank(form_class, nc, **data):
    return _fill(form_class(formdata=None, row_version=nc.row_version, **data), nc)


def _page_forms(nc):
    current = nc.current_round
    return {
        "correction_form": _blank(
            f.CorrectionForm,
            nc,
            what=nc.correction,
            by=nc.correction_by_id or (nc.handler_id or current_user.id),
            due_on=nc.correction_due_on,
            done=nc.correction_done_at is not None,
        ),
        "disposition_form": _blank(f.DispositionForm, nc, disposition=nc.disposition.value if nc.disposition else None),
        "action_needed_form": _blank(
            f.ActionNeededForm,
            nc,
            needed={True: "yes", False: "no"}.get(nc.action_needed),
            reason=nc.no_action_reason,
        ),
        "why_form": _blank(f.WhyForm, nc),
        "cause_form": _blank(f.CauseForm, nc),
        "accept_form": _blank(f.AcceptAnalysisForm, nc),
        "action_form": _blank(f.NewActionForm, nc),
        "plan_form": _blank(f.ReviewPlanForm, nc, **_pending_review_data(current)),
        "evidence_form": _blank(f.EvidenceForm, nc),
        "link_form": _blank(f.LinkForm, nc),
        "handler_form": _blank(f.HandlerForm, nc, handler=nc.handler_id or NOBODY),
        "close_form": _blank(f.CloseForm, nc),
        "reopen_form": _blank(f.ReasonSignedForm, nc),
        "cancel_form": _blank(f.ReasonSignedForm, nc),
    }


def _pending_review_data(current):
    pending = next((r for r in current.reviews if r.result is None), None) if current else None
    return {"planned_on": pending.planned_on, "reviewer": pending.reviewer_id} if pending else {}


def _row_forms(nc):
    """The forms of one why, cause, item or review, by "<kind>-<id>", for those the user may use."""
    user, current, forms = current_user, nc.current_round, {}
    seen = {"row_version": nc.row_version}
    if perm.can_manage(user, nc) and current is not None and current.analysis_accepted_at is None:
        for why in current.whys:
            forms[f"why-{why.id}"] = f.WhyForm(formdata=None, question=why.question, answer=why.answer, **seen)
        for cause in current.causes:
            forms[f"cause-{cause.id}"] = f.CauseForm(
                formdata=None,
                category=cause.category.value,
                description=cause.description,
                is_root=cause.is_root,
                **seen,
            )
    for item in nc.actions:
        if item.done_at is None and current is not None and item.round_id == current.id and perm.can_manage(user, nc):
            forms[f"item-{item.id}"] = _fill(
                f.ActionForm(formdata=None, what=item.what, owner=item.owner_id, due_on=item.due_on, **seen), nc
            )
        if perm.can_complete(user, item):
            forms[f"complete-{item.id}"] = f.CompleteForm(formdata=None, **seen)
    for review in nc.reviews:
        if perm.can_record_review(user, review):
            forms[f"review-{review.id}"] = f.ReviewResultForm(formdata=None, **seen)
    return forms


def nc_page(nc, status=200, forms=None, row_forms=None):
    """The NC page; `forms` and `row_forms`: forms that came back with an error, shown as posted."""
    queries.load_story(nc)
    page_forms = _page_forms(nc) | (forms or {})
    rows = _row_forms(nc) | (row_forms or {})
    entries = queries.timeline(nc)
    signatures = queries.signatures(nc)
    return render_template(
        "nonconformities/nc.html",
        nc=nc,
        current=nc.current_round,
        next=next_step(nc),
        closing_gaps=services.closing_gaps(nc) if nc.is_open and nc.action_needed is not None else [],
        analysis_gaps=services.analysis_gaps(nc)
        if nc.is_open and nc.current_round and nc.current_round.analysis_accepted_at is None
        else [],
        entries=entries,
        names=names_for(nc.commune_id, [e.event for e in entries]),
        signatures=[(s, verify(s, nc)) for s in signatures],
        similar=services.similar_ncs(nc),
        change_requests=queries.change_requests_of(nc),
        documents_to_update=documents_to_update(nc),
        max_mb=max_upload_mb(),
        today=local_today(),
        nc_documents=queries.documents_by_id(nc.commune_id, {nc.procedure_id, nc.document_id} - {None}),
        nc_meaning_labels={meaning.value: label for meaning, label in MEANING_LABELS.items()},
        doc_status_labels=DOCUMENT_STATUS_LABELS,
        nc_action_label=action_label,
        nc_field_label=field_label,
        change_value=change_value,
        row_forms=rows,
        **page_forms,
    ), status


@bp.get("/<int:nc_id>")
@allow(SIGNED_IN)
def show_nc(nc_id):
    return nc_page(nc_or_404(nc_id))


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
    _fill(form, nc)
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
