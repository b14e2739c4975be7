"""Pages of the feedback box: the citizen's public page (no sign-in, one per commune) and the quality
officer's triage (the list, an item, its contact details, opening an NC from it, closing it).

Views stay thin: they load the item in the user's commune (404 otherwise), call one service and show
a refusal on the page. The request's unit of work commits; views never commit.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from qms.audit.services import audit_context
from qms.auth.models import QUALITY_OFFICER
from qms.core.access import allow, get_in_commune, public
from qms.core.communes import public_commune
from qms.core.forms import ConfirmForm, field_error
from qms.core.lists import filter_args, page_number, read_filters
from qms.core.nav import register_nav
from qms.db import DomainError, settle
from qms.feedback import forms, queries, services
from qms.feedback import permissions as perm
from qms.feedback.labels import KIND_LABELS, STATUS_LABELS
from qms.feedback.models import FeedbackItem, FeedbackStatus

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

_SENT = "feedback_sent"  # the session key holding the reference of what was just sent


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def _feedback_helpers():
    return {"feedback_perm": perm, "feedback_kind_labels": KIND_LABELS, "feedback_status_labels": STATUS_LABELS}


# --- the citizen's page -------------------------------------------------------------------------------


def _form_page(form, commune, status=200):
    form.website.data = ""
    form.shown_at.data = services.form_stamp()  # a refused form may be sent again as it is
    return render_template("feedback/form.html", form=form, commune=commune, commune_name=commune.name), status


@bp.get("")
@public
def new_feedback():
    commune, communes = public_commune()
    if commune is None:
        return render_template("feedback/choose.html", communes=communes)
    return _form_page(forms.FeedbackForm(formdata=None), commune)


@bp.post("")
@public
def send_feedback():
    commune, _communes = public_commune()
    if commune is None:
        abort(404)
    form = forms.FeedbackForm()
    if not form.validate_on_submit():
        return _form_page(form, commune, 400)
    try:
        # A citizen's address is personal data and is not kept: not even in the trail's event (only
        # its keyed hash, for the rate limit, for a day).
        with audit_context(ip="", request_id=g.get("request_id", "")):
            item = services.receive_feedback(
                commune,
                kind=form.kind.data,
                message=form.message.data,
                name=form.name.data,
                phone=form.phone.data,
                email=form.email.data,
                dossier_code=form.dossier_code.data,
                client_address=request.remote_addr or "",
                form_stamp_value=form.shown_at.data,
                honeypot=form.website.data,
            )
    except services.SubmissionRefused as exc:
        settle(exc)
        flash(str(exc.message), "danger")
        return _form_page(form, commune, exc.status)
    session[_SENT] = item.reference
    return redirect(url_for("feedback.feedback_sent", commune=commune.code), 303)


@bp.get("/sent")
@public
def feedback_sent():
    commune, _communes = public_commune()
    reference = session.pop(_SENT, None)
    if commune is None or reference is None:
        return redirect(url_for("feedback.new_feedback", **({"commune": commune.code} if commune else {})))
    return render_template("feedback/sent.html", reference=reference, commune=commune, commune_name=commune.name)


# --- triage -----------------------------------------------------------------------------------------------


def _item_or_404(feedback_id):
    item = get_in_commune(FeedbackItem, feedback_id)
    if not perm.can_view(current_user, item):
        abort(404)
    return item


def _nc_url(nc):
    try:
        return url_for("nonconformities.show_nc", nc_id=nc.id)
    except BuildError:  # the NC pages are not part of this installation's build
        return None


def _item_page(item, *, contact=None, nc_form=None, close_form=None, status=200):
    nc = services.opened_nc(item) if item.status is FeedbackStatus.nc_opened else None
    if nc_form is None:
        nc_form = forms.OpenNcForm(formdata=None)
        nc_form.title.data = _(
            "%(kind)s from a citizen, %(reference)s", kind=KIND_LABELS[item.kind], reference=item.reference
        )
    return render_template(
        "feedback/item.html",
        item=item,
        contact=contact,
        nc=nc,
        nc_url=_nc_url(nc) if nc is not None else None,
        nc_form=nc_form,
        close_form=close_form or forms.CloseForm(formdata=None),
        contact_form=ConfirmForm(formdata=None),
    ), status


@bp.get("/items")
@allow(*perm.READERS)
def list_items():
    form = read_filters(forms.ItemFilterForm, request.args)
    status = FeedbackStatus(form.status.data) if form.status.data and not form.errors else None
    page = queries.items_page(current_user.commune_id, status=status, page=page_number(request.args))
    page.args = filter_args(form)
    return render_template("feedback/list.html", page=page, filters=form), 400 if form.errors else 200


@bp.get("/items/<int:feedback_id>")
@allow(*perm.READERS)
def show_item(feedback_id):
    return _item_page(_item_or_404(feedback_id))


@bp.post("/items/<int:feedback_id>/contact")
@allow(QUALITY_OFFICER)
def show_contact(feedback_id):
    """The citizen's contact details, on the item's page. Reading them changes nothing, but it is
    recorded (personal data): so it is asked for with a POST, as a change would be, and its event is
    committed by the request's unit of work; no GET ever writes, and no prefetched link records a
    reading nobody made."""
    item = _item_or_404(feedback_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _item_page(item, contact=services.read_contact(actor(), item))


def _refused(item, field, exc):
    """A refused triage: under the field when the form is still offered, above the page when the item
    was dealt with meanwhile (in another tab, by another officer)."""
    settle(exc)
    if perm.can_triage(current_user, item):
        field_error(field, exc)
    else:
        flash(str(exc.message), "danger")


@bp.post("/items/<int:feedback_id>/nc")
@allow(QUALITY_OFFICER)
def open_nc(feedback_id):
    item = _item_or_404(feedback_id)
    form = forms.OpenNcForm()
    if not form.validate_on_submit():
        return _item_page(item, nc_form=form, status=400)
    try:
        nc = services.open_nc(actor(), item, title=form.title.data, severity=form.severity.data)
    except DomainError as exc:
        _refused(item, form.title, exc)
        return _item_page(item, nc_form=form, status=exc.status)
    flash(_("Nonconformity %(number)s opened from this feedback.", number=nc.number), "success")
    return redirect(url_for("feedback.show_item", feedback_id=item.id), 303)


@bp.post("/items/<int:feedback_id>/close")
@allow(QUALITY_OFFICER)
def close_item(feedback_id):
    item = _item_or_404(feedback_id)
    form = forms.CloseForm()
    if not form.validate_on_submit():
        return _item_page(item, close_form=form, status=400)
    try:
        services.close_item(actor(), item, reason=form.reason.data)
    except DomainError as exc:
        _refused(item, form.reason, exc)
        return _item_page(item, close_form=form, status=exc.status)
    flash(_("The feedback has been closed."), "success")
    return redirect(url_for("feedback.show_item", feedback_id=item.id), 303)


register_nav("feedback.list_items", _l("Citizens' feedback"), order=40)
