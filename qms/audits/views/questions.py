"""The commune's library of checklist questions, by ISO 9001 clause: everyone reads it; the quality
officer adds questions, revises them (a question a checklist used gets its next version, the used one
stays as it was) and withdraws them. A question is named by its key (7.5-03), the same in every
commune's library: each reads and changes its own."""

from itertools import groupby

from flask import abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audits import forms as f
from qms.audits import library, services
from qms.audits import permissions as perm
from qms.audits.views import actor, bp, clause_title
from qms.audits.views.page import headings, step
from qms.auth.models import QUALITY_OFFICER
from qms.core.access import SIGNED_IN, allow

QUESTION_FIELDS = {"text_required": "text", "invalid_clause": "clause"}


def _clause_choices():
    return [SelectChoice(h.number, f"{h.number} {clause_title(h)}") for h in library.CLAUSES]


def library_page(status=200, *, add_form=None, revise_forms=None):
    commune_id = current_user.commune_id
    questions = services.current_questions(commune_id)
    can_edit = perm.can_edit_library(current_user, commune_id)
    forms = dict(revise_forms or {})
    if can_edit:
        add_form = add_form or f.QuestionForm(formdata=None)
        add_form.clause.choices = _clause_choices()
        for q in questions:
            forms.setdefault(
                q.key,
                f.ReviseQuestionForm(
                    formdata=None, text=q.text, evidence=q.evidence, source=q.source, row_version=q.row_version or ""
                ),
            )
    return render_template(
        "audits/library.html",
        groups=[(clause, list(found)) for clause, found in groupby(questions, key=lambda q: q.clause)],
        headings=headings(),
        count=len(questions),
        add_form=add_form if can_edit else None,
        revise_forms=forms if can_edit else {},
    ), status


def _question_or_404(key):
    question = services.question_by_key(current_user.commune_id, key[:20])
    if question is None:
        abort(404)
    return question


@bp.get("/library")
@allow(SIGNED_IN)
def show_library():
    return library_page()


@bp.post("/library")
@allow(QUALITY_OFFICER)
def add_question():
    if not perm.can_edit_library(current_user, current_user.commune_id):
        abort(403)
    form = f.QuestionForm()
    form.clause.choices = _clause_choices()
    return step(
        form,
        lambda form: services.add_question(
            actor(),
            current_user.commune_id,
            clause=form.clause.data,
            text=form.text.data,
            evidence=form.evidence.data,
            source=form.source.data,
        ),
        lambda form, status: library_page(status, add_form=form),
        lambda question: _l("Question %(key)s has been added.", key=question.key),
        lambda question: url_for("audits.show_library") + f"#question-{question.key}",
        QUESTION_FIELDS,
    )


@bp.post("/library/<question_key>/revise")
@allow(QUALITY_OFFICER)
def revise_question(question_key):
    question = _question_or_404(question_key)
    if not perm.can_edit_library(current_user, question.commune_id):
        abort(403)
    return step(
        f.ReviseQuestionForm(),
        lambda form: services.revise_question(
            actor(),
            question,
            text=form.text.data,
            evidence=form.evidence.data,
            source=form.source.data,
            expected_row_version=form.seen(),
        ),
        lambda form, status: library_page(status, revise_forms={question.key: form}),
        _l("The question has been saved."),
        url_for("audits.show_library") + f"#question-{question.key}",
        QUESTION_FIELDS,
    )


@bp.post("/library/<question_key>/withdraw")
@allow(QUALITY_OFFICER)
def withdraw_question(question_key):
    question = _question_or_404(question_key)
    if not perm.can_edit_library(current_user, question.commune_id):
        abort(403)
    return step(
        f.StepForm(),
        lambda form: services.withdraw_question(actor(), question, expected_row_version=form.seen()),
        lambda form, status: library_page(status, revise_forms={question.key: _refused(question, form)}),
        _l("Question %(key)s has been withdrawn from the library.", key=question.key),
        url_for("audits.show_library") + f"#clause-{question.clause}",
    )


def _refused(question, form):
    """The question's revise form carrying a withdrawal's refusal."""
    shown = f.ReviseQuestionForm(formdata=None, text=question.text, evidence=question.evidence, source=question.source)
    shown.refusal = form.refusal
    return shown
