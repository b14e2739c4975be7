"""An NC's page: its whole story (timeline, rounds with their 5 Whys, fishbone, items and reviews,
signatures, similar NCs, evidence), the next step and who takes it, and the step forms the reader may
use (their endpoints: views/steps.py)."""

from flask import g, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audit.labels import change_value, names_for
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import local_today
from qms.core.labels import action_label, field_label
from qms.documents.labels import STATUS_LABELS as DOCUMENT_STATUS_LABELS
from qms.files.services import max_upload_mb
from qms.nonconformities import forms as f
from qms.nonconformities import permissions as perm
from qms.nonconformities import queries, services
from qms.nonconformities.labels import MEANING_LABELS
from qms.nonconformities.models import Nonconformity
from qms.nonconformities.progress import next_step
from qms.nonconformities.services.decisions import documents_to_update
from qms.nonconformities.views import bp, nc_or_404
from qms.signatures.services import verify

ACTORS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)  # everyone who may act on an NC (not auditors)
NOBODY = 0


def _people(nc):
    """The commune's people who can act, as choices: read once per request (several forms offer them)."""
    if "nc_people" not in g:
        g.nc_people = [SelectChoice(u.id, u.full_name) for u in queries.people(nc.commune_id, acting=True)]
    return g.nc_people


def _documents(nc, ids=()):
    key = ("nc_documents", tuple(sorted(ids)))
    cache = g.setdefault("nc_documents", {})
    if key not in cache:
        cache[key] = [SelectChoice(d.id, f"{d.code} · {d.title}") for d in queries.documents(nc.commune_id, ids)]
    return cache[key]


def fill(form, nc):
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
    return fill(form_class(formdata=None, row_version=nc.row_version, **data), nc)


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
            forms[f"item-{item.id}"] = fill(
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
        nc_field_label=lambda field: field_label(field, Nonconformity.__tablename__),
        change_value=change_value,
        row_forms=rows,
        **page_forms,
    ), status


@bp.get("/<int:nc_id>")
@allow(SIGNED_IN)
def show_nc(nc_id):
    return nc_page(nc_or_404(nc_id))
