"""The citizens' lookup of a dossier (tra cứu hồ sơ): a public page, no sign-in, one per commune
(chosen with ?commune=<code>, like the feedback box; an installation with one commune needs none).
The QR code on the receipt slip opens it with the dossier code filled in (?ma=<code>, lookup_url);
the citizen adds the last four digits of their phone and sees where the dossier stands, and nothing
personal. Once the result is returned they may rate the service there, once.

The form is sent with a POST: a lookup that finds nothing is counted against the client's address
(services/lookup.py), and a GET never writes. The rating form carries a signed token naming the
dossier the citizen found (valid for two hours), so the rating needs no second lookup.
"""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from qms.audit.services import audit_context
from qms.core.access import public
from qms.core.communes import public_commune
from qms.core.forms import field_error
from qms.db import DomainError, db, settle
from qms.dossiers.models import Dossier, RatingChannel
from qms.dossiers.rating_forms import LookupForm, LookupRatingForm
from qms.dossiers.rating_labels import CITIZEN_STATUS_LABELS, RATING_LABELS
from qms.dossiers.services import lookup
from qms.dossiers.services.rating import rate_dossier

bp = Blueprint("lookup", __name__)

TOKEN_MAX_AGE = 2 * 3600  # seconds a found dossier may be rated from its page
_SALT = "qms.dossiers.lookup-rating"


def lookup_url(commune, code, *, external=True) -> str:
    """The address of the lookup page with the dossier's code filled in: what the receipt slip's QR
    code holds."""
    return url_for("lookup.lookup_form", commune=commune.code, ma=code, _external=external)


def _commune_or_404():
    commune, _communes = public_commune()
    if commune is None:
        abort(404)
    return commune


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _token(dossier) -> str:
    return _serializer().dumps([dossier.commune_id, dossier.id])


def _dossier_of(token, commune):
    """The dossier a rating form's token names, if it is valid, recent and of this commune."""
    try:
        commune_id, dossier_id = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
    except (BadSignature, TypeError, ValueError):
        return None
    if commune_id != commune.id or not isinstance(dossier_id, int):
        return None
    dossier = db.session.get(Dossier, dossier_id)
    return dossier if dossier is not None and dossier.commune_id == commune.id else None


def _page(commune, form, *, found=None, rating_form=None, status=200):
    form.digits.data = ""  # never sent back into the page
    return render_template(
        "dossiers/lookup.html",
        commune=commune,
        commune_name=commune.name,
        form=form,
        found=found,
        rating_form=rating_form,
        status_labels=CITIZEN_STATUS_LABELS,
        rating_labels=RATING_LABELS,
    ), status


def _found_page(commune, dossier, *, rating_form=None, status=200):
    form = LookupForm(formdata=None)
    form.code.data = dossier.code
    found = lookup.public_status(dossier)
    if found.may_rate:
        rating_form = rating_form or LookupRatingForm(formdata=None)
        rating_form.token.data = _token(dossier)
    return _page(commune, form, found=found, rating_form=rating_form, status=status)


@bp.get("/tra-cuu-ho-so")
@public
def lookup_form():
    commune, communes = public_commune()
    if commune is None:
        return render_template("dossiers/lookup_choose.html", communes=communes, code=request.args.get("ma", ""))
    form = LookupForm(formdata=None)
    form.code.data = (request.args.get("ma") or "").strip()[: lookup.CODE_MAX]
    return _page(commune, form)


@bp.post("/tra-cuu-ho-so")
@public
def find_dossier():
    commune = _commune_or_404()
    form = LookupForm()
    if not form.validate_on_submit():
        return _page(commune, form, status=400)
    try:
        dossier = lookup.look_up(
            commune, code=form.code.data, digits=form.digits.data, client_address=request.remote_addr or ""
        )
    except DomainError as exc:  # NotFound (counted), RateLimited
        settle(exc)
        flash(str(exc.message), "danger")
        return _page(commune, form, status=exc.status)
    return _found_page(commune, dossier)


@bp.post("/tra-cuu-ho-so/danh-gia")
@public
def rate_dossier_online():
    commune = _commune_or_404()
    form = LookupRatingForm()
    dossier = _dossier_of(form.token.data, commune)
    if dossier is None:
        flash(_("This page has expired: look up your dossier again to rate the service."), "danger")
        return _page(commune, LookupForm(formdata=None), status=400)
    if not form.validate_on_submit():
        return _found_page(commune, dossier, rating_form=form, status=400)
    try:
        # A citizen's address is personal data and is not kept, not even in the trail's event.
        with audit_context(ip="", request_id=g.get("request_id", "")):
            rating = rate_dossier(None, dossier, form.rating.data, form.comment.data, via=RatingChannel.lookup)
    except DomainError as exc:
        settle(exc)
        if exc.code == "too_long":
            field_error(form.comment, exc)
        else:
            flash(str(exc.message), "danger")
        return _found_page(commune, dossier, rating_form=form, status=exc.status)
    flash(_("Thank you: your rating (%(rating)s) has been recorded.", rating=RATING_LABELS[rating.rating]), "success")
    return redirect(url_for("lookup.lookup_form", commune=commune.code), 303)
