"""The actions on a dossier, one endpoint each, posted from the dossier's page (views/dossier.py):
hand over to the next step, request a supplement, record it received, refuse, record the result,
return it, withdraw, and the leader's apology letter with a new return date.

Who may act is asked of permissions.py first (403 otherwise); the service decides the rest. A
refusal shows the dossier's page again with the reason under the field it is about (or on the
form), status 400 for bad input and 409 when the dossier's state forbids it, and nothing is written;
success redirects (303) to the page with a message."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.auth.models import LEADER, QUALITY_OFFICER, STAFF, User
from qms.core.access import allow
from qms.core.calendar import format_date
from qms.core.forms import field_error
from qms.db import DomainError, db, settle
from qms.dossiers import forms as f
from qms.dossiers import permissions as perm
from qms.dossiers import services
from qms.dossiers.views import actor, bp, dossier_or_404
from qms.dossiers.views.dossier import FORM_CLASSES, dossier_page, fill

ACTORS = (STAFF, LEADER, QUALITY_OFFICER)  # those who may handle a dossier (not auditors)
PASSWORD_CODES = ("bad_password", "locked")


def _refused(form, exc, fields):
    """Put the refusal under the field it is about, or on the form."""
    name = "password" if exc.code in PASSWORD_CODES else fields.get(exc.code)
    target = getattr(form, name, None) if name else None
    if target is not None:
        field_error(target, exc)
    else:
        form.refusal = str(exc.message)


def _act(code, form_name, allowed, run, done, *, fields=None, anchor="#control-sheet"):
    """Run one action posted from the dossier's page: 403 when the user may not take it, the page
    again with the reason when the form or the service refuses, otherwise back to the page with the
    message `done` (a function of the dossier)."""
    dossier = dossier_or_404(code)
    if not allowed(current_user, dossier):
        abort(403)
    form = fill(FORM_CLASSES[form_name](), dossier)
    if not form.validate_on_submit():
        return dossier_page(dossier, 400, {form_name: form})
    try:
        run(dossier, form)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        _refused(form, exc, fields or {})
        return dossier_page(dossier, exc.status, {form_name: form})
    flash(done(dossier), "success")
    return redirect(url_for("dossiers.show_dossier", code=dossier.code) + anchor, 303)


def _person(dossier, user_id):
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.commune_id == dossier.commune_id else None


@bp.post("/<path:code>/hand-over")
@allow(*ACTORS)
def hand_over(code):
    return _act(
        code,
        "handover_form",
        perm.can_act,
        lambda dossier, form: services.hand_over(
            actor(), dossier, to_user=_person(dossier, form.to_user.data), notes=form.notes.data
        ),
        lambda dossier: _(
            "The dossier has been handed over to %(name)s.", name=db.session.get(User, dossier.holder_id).full_name
        ),
        fields={"receiver_required": "to_user"},
    )


@bp.post("/<path:code>/supplement")
@allow(*ACTORS)
def request_supplement(code):
    return _act(
        code,
        "supplement_form",
        perm.can_act,
        lambda dossier, form: services.request_supplement(
            actor(), dossier, items=f.lines(form.items.data), notes=form.notes.data
        ),
        lambda dossier: _(
            "The request to supplement has been recorded: the clock stands still until the citizen brings what "
            "is missing."
        ),
        fields={"items_required": "items"},
    )


@bp.post("/<path:code>/supplement-received")
@allow(*ACTORS)
def receive_supplement(code):
    return _act(
        code,
        "supplement_received_form",
        perm.can_act,
        lambda dossier, form: services.receive_supplement(actor(), dossier, notes=form.notes.data),
        lambda dossier: _(
            "The supplement has been recorded; the result is now due on %(date)s.", date=format_date(dossier.due_date)
        ),
    )


@bp.post("/<path:code>/refuse")
@allow(*ACTORS)
def refuse_dossier(code):
    return _act(
        code,
        "refuse_form",
        perm.can_act,
        lambda dossier, form: services.refuse_dossier(actor(), dossier, reason=form.reason.data),
        lambda dossier: _("The dossier has been refused."),
        fields={"reason_required": "reason"},
    )


@bp.post("/<path:code>/result")
@allow(*ACTORS)
def record_result(code):
    return _act(
        code,
        "result_form",
        perm.can_act,
        lambda dossier, form: services.record_result(actor(), dossier, notes=form.notes.data),
        lambda dossier: _("The result is ready for the citizen."),
    )


@bp.post("/<path:code>/return")
@allow(*ACTORS)
def return_result(code):
    return _act(
        code,
        "return_form",
        perm.can_act,
        lambda dossier, form: services.return_result(actor(), dossier, notes=form.notes.data),
        lambda dossier: _("The result has been returned to the citizen."),
    )


@bp.post("/<path:code>/withdraw")
@allow(*ACTORS)
def withdraw_dossier(code):
    return _act(
        code,
        "withdraw_form",
        perm.can_act,
        lambda dossier, form: services.withdraw_dossier(actor(), dossier, reason=form.reason.data),
        lambda dossier: _("The withdrawal has been recorded."),
        fields={"reason_required": "reason"},
    )


@bp.post("/<path:code>/apology")
@allow(LEADER)
def extend_due_date(code):
    return _act(
        code,
        "apology_form",
        perm.can_extend,
        lambda dossier, form: services.extend_due_date(
            actor(),
            dossier,
            reason=form.reason.data,
            new_due_date=form.new_due_date.data,
            password=form.password.data,
        ),
        lambda dossier: _(
            "The apology letter has been signed; the new return date is %(date)s.", date=format_date(dossier.due_date)
        ),
        fields={"reason_required": "reason", "invalid_date": "new_due_date"},
    )
