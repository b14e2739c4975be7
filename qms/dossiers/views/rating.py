"""The citizens' ratings in the commune's pages: the rating recorded at the desk by the officer who
returned the result (a panel of the dossier's page, templates/dossiers/_rating.html, through
rating_panel), and the ratings page (/dossiers/satisfaction): per month for the whole commune, per
month and procedure, per month and officer who returned the result, for the quality officer,
leaders and auditors."""

import datetime as dt
from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from qms.auth.models import LEADER, QUALITY_OFFICER, STAFF, User
from qms.core.access import allow
from qms.core.calendar import local_today
from qms.core.forms import field_error
from qms.core.lists import read_filters
from qms.core.nav import register_nav
from qms.db import DomainError, db, settle
from qms.dossiers import permissions as perm
from qms.dossiers import queries, satisfaction
from qms.dossiers.models import DossierRating, DossierStatus, Rating, RatingChannel
from qms.dossiers.rating_forms import DeskRatingForm, SatisfactionFilterForm
from qms.dossiers.rating_labels import RATING_CHANNEL_LABELS, RATING_LABELS
from qms.dossiers.services.rating import rate_dossier, rating_of
from qms.dossiers.views import actor, bp, dossier_or_404
from qms.dossiers.views.dossier import dossier_page

ACTORS = (STAFF, LEADER, QUALITY_OFFICER)  # those who return results (not auditors)


@dataclass(frozen=True)
class RatingPanel:
    """What the dossier's page shows of the citizen's rating: the rating given (None before), the
    form to record it (for the officer who returned the result, while there is none), and whether
    the reader sees the comment and the feedback item it was filed as."""

    rating: DossierRating | None
    form: DeskRatingForm | None
    may_read_comment: bool


def rating_panel(dossier) -> RatingPanel | None:
    """The panel of a returned dossier (None for the others: nothing can be rated yet)."""
    if dossier.status is not DossierStatus.returned:
        return None
    rating = rating_of(dossier)
    form = None
    if rating is None and perm.can_rate(current_user, dossier):
        form = g.get("desk_rating_form") or DeskRatingForm(formdata=None)
    return RatingPanel(rating, form, perm.can_read_satisfaction(current_user, dossier.commune_id))


@bp.app_context_processor
def _rating_helpers():
    return {
        "dossier_rating_panel": rating_panel,
        "rating_labels": RATING_LABELS,
        "rating_channel_labels": RATING_CHANNEL_LABELS,
    }


@bp.post("/<path:code>/rating")
@allow(*ACTORS)
def rate_at_desk(code):
    """The officer who returned the result records the citizen's rating (once)."""
    dossier = dossier_or_404(code)
    if not perm.can_rate(current_user, dossier):
        abort(403)
    form = DeskRatingForm()
    if not form.validate_on_submit():
        g.desk_rating_form = form
        return dossier_page(dossier, 400)
    try:
        rating = rate_dossier(actor(), dossier, form.rating.data, form.comment.data, via=RatingChannel.desk)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        if exc.code == "too_long":
            field_error(form.comment, exc)
        else:  # rated or changed meanwhile (another tab, the citizen online): the form is gone
            flash(str(exc.message), "danger")
        g.desk_rating_form = form
        return dossier_page(dossier, exc.status)
    message = _("The citizen's rating has been recorded: %(rating)s.", rating=RATING_LABELS[rating.rating])
    if rating.feedback_item_id is not None:
        message += " " + _("Their comment has been sent to the quality officer as a complaint.")
    flash(message, "success")
    return redirect(url_for("dossiers.show_dossier", code=dossier.code) + "#rating", 303)


# --- the ratings page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of the page: its rows (RatingCounts) and the name of each row's key."""

    rows: list
    names: dict  # {key: name}


def percent(share) -> str:
    """A share as a percentage with one decimal: 87.5 in English, 87,5 in Vietnamese."""
    return format_decimal(share * 100, format="#,##0.0") if share is not None else "—"


def _officer_names(ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@bp.get("/satisfaction")
@allow(*perm.SATISFACTION_READERS)
def satisfaction_page():
    commune_id = current_user.commune_id
    this_year = local_today().year
    years = sorted({*satisfaction.years_rated(commune_id), this_year}, reverse=True)
    args = MultiDict(request.args)
    args.setdefault("year", str(this_year))
    form = read_filters(SatisfactionFilterForm, args, choices={"year": [SelectChoice(y, str(y)) for y in years]})
    year = this_year if form.errors else form.year.data
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    procedures = {e.procedure.id: f"{e.process.name} ({e.code})" for e in queries.procedures(commune_id)}
    per_officer = satisfaction.by_officer(commune_id, first, last)
    return render_template(
        "dossiers/satisfaction.html",
        form=form,
        year=year,
        ratings=list(Rating),
        overall=Table(satisfaction.monthly(commune_id, by="commune", first_month=first, last_month=last), {}),
        per_procedure=Table(satisfaction.by_procedure(commune_id, first, last), procedures),
        per_officer=Table(per_officer, _officer_names(row.key for row in per_officer)),
        percent=percent,
    ), 400 if form.errors else 200


register_nav("dossiers.satisfaction_page", _l("Citizens' satisfaction"), order=27)
