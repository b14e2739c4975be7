"""An audit's checklist: its questions by clause, each with its result, evidence notes and files, and
the finding (and NC) a result other than conform recorded; choosing the library's questions of the
audit's clauses and adding the audit's own, for the quality officer and the team; the answers, for the
team while the audit is in progress."""

from itertools import groupby

from flask import abort, flash, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audits import forms as f
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.labels import RESULT_LABELS
from qms.audits.models import AuditAttachment, AuditChecklistItem, AuditStatus
from qms.audits.services.checklist import clause_order
from qms.audits.views import actor, audit_or_404, bp
from qms.audits.views.audit import ACTORS
from qms.audits.views.page import clause_choices, headings, send_of_audit, step
from qms.core.access import SIGNED_IN, allow
from qms.db import DomainError, db
from qms.files.services import max_upload_mb
from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS
from qms.nonconformities.models import Nonconformity

OPEN = (AuditStatus.planned, AuditStatus.in_progress)


def _item_or_404(audit, item_id):
    item = db.session.get(AuditChecklistItem, item_id)
    if item is None or item.audit_id != audit.id:
        abort(404)
    return item


def _choose_form(audit, form=None):
    offered = services.current_questions(audit.commune_id, audit.clauses)
    chosen = [i.question.key for i in audit.items if i.question is not None]
    form = form or f.ChecklistForm(formdata=None, questions=chosen, row_version=audit.row_version)
    form.questions.choices = [(q.key, q.text) for q in offered]
    return form, offered


def checklist_page(audit, status=200, *, forms=None, item_forms=None):
    """The checklist page; `forms` {name: form} and `item_forms` {"answer-<id>" | "evidence-<id>": form}:
    forms that came back with an error, shown as posted."""
    user, forms, item_forms = current_user, forms or {}, dict(item_forms or {})
    can_change = perm.can_change_checklist(user, audit) and audit.status in OPEN
    can_answer = perm.can_answer(user, audit) and audit.status is AuditStatus.in_progress
    page_forms = {}
    offered = []
    if can_change:
        page_forms["choose_form"], offered = _choose_form(audit, forms.get("choose_form"))
        own = forms.get("own_form") or f.OwnQuestionForm(formdata=None, row_version=audit.row_version)
        own.clause.choices = clause_choices(audit, sections_too=False)
        page_forms["own_form"] = own
    if can_answer:
        for item in audit.items:
            item_forms.setdefault(
                f"answer-{item.id}",
                f.AnswerForm(
                    formdata=None,
                    result=item.result.value if item.result else None,
                    notes=item.notes,
                    row_version=item.row_version,
                ),
            )
            item_forms.setdefault(f"evidence-{item.id}", f.EvidenceForm(formdata=None))
    items = sorted(audit.items, key=lambda i: (clause_order(i.clause), i.position))
    groups = [(clause, list(found)) for clause, found in groupby(items, key=lambda i: i.clause)]
    nc_ids = {i.finding.nc_id for i in items if i.finding is not None and i.finding.nc_id is not None}
    return render_template(
        "audits/checklist.html",
        audit=audit,
        groups=groups,
        headings=headings(),
        offered=[(clause, list(found)) for clause, found in groupby(offered, key=lambda q: q.clause)],
        can_change=can_change,
        can_answer=can_answer,
        item_forms=item_forms,
        result_labels=RESULT_LABELS,
        ncs={i: db.session.get(Nonconformity, i) for i in nc_ids},
        nc_status_labels=NC_STATUS_LABELS,
        max_mb=max_upload_mb(),
        answered=sum(1 for i in items if i.result is not None),
        **page_forms,
    ), status


def _url(audit, anchor=""):
    return url_for("audits.show_checklist", audit_id=audit.id) + anchor


@bp.get("/<int:audit_id>/checklist")
@allow(SIGNED_IN)
def show_checklist(audit_id):
    return checklist_page(audit_or_404(audit_id))


@bp.post("/<int:audit_id>/checklist")
@allow(*ACTORS)
def set_checklist(audit_id):
    audit = audit_or_404(audit_id)
    if not perm.can_change_checklist(current_user, audit):
        abort(403)
    form, _offered = _choose_form(audit, f.ChecklistForm())
    return step(
        form,
        lambda form: services.set_checklist(actor(), audit, form.questions.data or []),
        lambda form, status: checklist_page(audit_or_404(audit_id), status, forms={"choose_form": form}),
        _l("The checklist has been saved."),
        _url(audit),
    )


@bp.post("/<int:audit_id>/checklist/own")
@allow(*ACTORS)
def add_own_question(audit_id):
    audit = audit_or_404(audit_id)
    if not perm.can_change_checklist(current_user, audit):
        abort(403)
    form = f.OwnQuestionForm()
    form.clause.choices = clause_choices(audit, sections_too=False)
    return step(
        form,
        lambda form: services.add_own_question(actor(), audit, clause=form.clause.data, text=form.text.data),
        lambda form, status: checklist_page(audit_or_404(audit_id), status, forms={"own_form": form}),
        _l("The question has been added to the checklist."),
        _url(audit),
        {"text_required": "text", "invalid_clause": "clause", "clause_outside_scope": "clause"},
    )


@bp.post("/<int:audit_id>/checklist/<int:checklist_item_id>/remove")
@allow(*ACTORS)
def remove_item(audit_id, checklist_item_id):
    audit = audit_or_404(audit_id)
    item = _item_or_404(audit, checklist_item_id)
    if not perm.can_change_checklist(current_user, audit):
        abort(403)
    return step(
        f.StepForm(),
        lambda form: services.remove_item(actor(), item),
        lambda form, status: _refused_page(audit_id, form, status),
        _l("The question has been taken out of the checklist."),
        _url(audit),
    )


def _refused_page(audit_id, form, status):
    """A removal refused: the page again with the reason at its top."""
    flash(str(form.refusal or _l("The page was out of date; reload it and try again.")), "danger")
    return checklist_page(audit_or_404(audit_id), status)


@bp.post("/<int:audit_id>/checklist/<int:checklist_item_id>/answer")
@allow(*ACTORS)
def answer_item(audit_id, checklist_item_id):
    audit = audit_or_404(audit_id)
    item = _item_or_404(audit, checklist_item_id)
    if not perm.can_answer(current_user, audit):
        abort(403)
    key = f"answer-{item.id}"
    return step(
        f.AnswerForm(),
        lambda form: services.answer_item(
            actor(), item, result=form.result.data, notes=form.notes.data, expected_row_version=form.seen()
        ),
        lambda form, status: checklist_page(audit_or_404(audit_id), status, item_forms={key: form}),
        _l("The result has been recorded."),
        _url(audit, f"#item-{item.id}"),
        {"notes_required": "notes", "invalid": "result"},
    )


@bp.post("/<int:audit_id>/checklist/<int:checklist_item_id>/evidence")
@allow(*ACTORS)
def attach_evidence(audit_id, checklist_item_id):
    audit = audit_or_404(audit_id)
    item = _item_or_404(audit, checklist_item_id)
    if not perm.can_answer(current_user, audit):
        abort(403)
    key = f"evidence-{item.id}"

    def run(form):
        files = [s for s in (form.files.data or []) if s and s.filename]
        if not files:
            raise DomainError(_l("Choose at least one file."), code="file_required")
        for storage in files:
            services.attach_evidence(actor(), item, filename=storage.filename, data=storage.read())

    return step(
        f.EvidenceForm(),
        run,
        lambda form, status: checklist_page(audit_or_404(audit_id), status, item_forms={key: form}),
        _l("The evidence has been attached."),
        _url(audit, f"#item-{item.id}"),
        {"*": "files"},
    )


@bp.get("/<int:audit_id>/attachments/<int:audit_attachment_id>")
@allow(SIGNED_IN)
def download_attachment(audit_id, audit_attachment_id):
    return send_of_audit(audit_or_404(audit_id), AuditAttachment, audit_attachment_id)
