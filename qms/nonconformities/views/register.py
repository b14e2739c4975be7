"""The register of nonconformities (filtered, counted per status, paginated), reporting one with its
evidence, correcting what was recorded, and the number format."""

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF, Unit
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.core.calendar import local_midnight, local_today, utcnow
from qms.core.forms import field_error
from qms.core.lists import Page, filter_args, page_number, read_filters
from qms.db import DomainError, settle
from qms.documents.models import Document
from qms.nonconformities import forms as f
from qms.nonconformities import permissions as perm
from qms.nonconformities import queries, services
from qms.nonconformities.labels import STATUS_LABELS
from qms.nonconformities.models import NcSource, NcStatus, Severity
from qms.nonconformities.settings import check_number_format, nc_settings, update_nc_settings
from qms.nonconformities.views import actor, bp, nc_or_404

NONE = 0  # the "none" entry of optional choices (unit, procedure, document)


def _optional(choices, label):
    return [SelectChoice(NONE, label)] + choices


def unit_choices(commune_id, empty=None):
    return _optional([SelectChoice(u.id, u.name) for u in queries.units(commune_id)], empty or _l("— none —"))


def fill_detail_choices(form, commune_id):
    form.unit.choices = unit_choices(commune_id)
    form.procedure.choices = _optional(
        [SelectChoice(d.id, f"{d.code} · {d.title}") for d in queries.procedures(commune_id)], _l("— none —")
    )
    form.document.choices = _optional(
        [SelectChoice(d.id, f"{d.code} · {d.title}") for d in queries.documents(commune_id)], _l("— none —")
    )


def chosen(model, value):
    """The record chosen in a select (None for the "none" entry), in the user's commune."""
    return get_in_commune(model, value) if value else None


def _where(form):
    return {
        "clause": form.clause.data,
        "unit": chosen(Unit, form.unit.data),
        "procedure": chosen(Document, form.procedure.data),
        "process_step": form.process_step.data,
        "document": chosen(Document, form.document.data),
        "dossier_code": form.dossier_code.data,
    }


DETAIL_FIELDS = {
    "title_required": "title",
    "invalid_clause": "clause",
    "not_a_procedure": "procedure",
    "invalid_date": "detected_on",
}


# --- the register --------------------------------------------------------------------------------

# The register's "next step" column, from the status alone (the NC page says exactly who and what).
NEXT_STEPS = {
    NcStatus.new: _l("Record the correction"),
    NcStatus.correction: _l("Finish the correction"),
    NcStatus.analysis: _l("Decide on corrective action, find the root cause"),
    NcStatus.action_plan: _l("Plan the action items"),
    NcStatus.actions: _l("Carry out the action items"),
    NcStatus.effectiveness_review: _l("Review the effectiveness, then close"),
}


def _filters(form) -> queries.RegisterFilters:
    return queries.RegisterFilters(
        status=NcStatus(form.status.data) if form.status.data else None,
        source=NcSource(form.source.data) if form.source.data else None,
        severity=Severity(form.severity.data) if form.severity.data else None,
        unit_id=form.unit.data or None,
        overdue=form.overdue.data == "1",
        detected_from=form.detected_from.data,
        detected_to=form.detected_to.data,
    )


@bp.get("/")
@allow(SIGNED_IN)
def list_ncs():
    commune_id = current_user.commune_id
    form = read_filters(f.RegisterFilterForm, request.args, choices={"unit": unit_choices(commune_id, _l("All units"))})
    if form.errors:
        empty = Page(items=[], total=0)
        return render_template("nonconformities/register.html", form=form, page=empty, next_steps=NEXT_STEPS), 400
    filters = _filters(form)
    page = queries.register_page(commune_id, filters, page=page_number(request.args))
    page.args = filter_args(form)
    counts = queries.status_counts(commune_id, filters)
    without_status = {k: v for k, v in page.args.items() if k != "status"}
    return render_template(
        "nonconformities/register.html",
        form=form,
        page=page,
        counts=counts,
        statuses=list(STATUS_LABELS),
        without_status=without_status,
        next_steps=NEXT_STEPS,
    )


# --- reporting and editing ---------------------------------------------------------------------


def _detected_at(day):
    """A detection date typed on the form: now when it is today or empty, else noon of that day
    (Vietnam time) so that the date reads back as typed."""
    if day is None or day == local_today():
        return utcnow()
    return local_midnight(day) + dt.timedelta(hours=12)


@bp.route("/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)
def report_nc():
    commune = current_user.commune
    form = f.ReportForm()
    fill_detail_choices(form, commune.id)
    status = 200
    if form.validate_on_submit():
        files = [s for s in (form.evidence.data or []) if s and s.filename]
        uploads = [(s.filename, s.read()) for s in files]
        try:
            nc = services.report_nc(
                actor(),
                commune,
                title=form.title.data,
                description=form.description.data,
                source=form.source.data,
                severity=form.severity.data,
                detected_at=_detected_at(form.detected_on.data),
                **_where(form),
            )
            for filename, data in uploads:
                services.attach_evidence(actor(), nc, filename=filename, data=data)
        except DomainError as exc:
            settle(exc)
            if exc.status == 403:
                raise
            field = getattr(form, DETAIL_FIELDS.get(exc.code, ""), None) or (
                form.evidence if exc.code not in DETAIL_FIELDS and uploads else form.title
            )
            field_error(field, exc)
            status = exc.status
        else:
            flash(_("Nonconformity %(number)s has been recorded.", number=nc.number), "success")
            return redirect(url_for("nonconformities.show_nc", nc_id=nc.id), 303)
    elif form.errors:
        status = 400
    return render_template("nonconformities/report.html", form=form, nc=None), status


@bp.route("/<int:nc_id>/edit", methods=["GET", "POST"])
@allow(QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)
def edit_nc(nc_id):
    nc = nc_or_404(nc_id)
    refusal = perm.manage_refusal(current_user, nc)
    if refusal is not None:
        flash(str(refusal), "warning")
        return redirect(url_for("nonconformities.show_nc", nc_id=nc.id), 303)
    if request.method == "GET":
        form = f.NcDetailsForm(
            formdata=None,
            obj=nc,
            severity=nc.severity.value,
            unit=nc.unit_id or NONE,
            procedure=nc.procedure_id or NONE,
            document=nc.document_id or NONE,
            row_version=nc.row_version,
        )
    else:
        form = f.NcDetailsForm()
    fill_detail_choices(form, nc.commune_id)
    status = 200
    if form.validate_on_submit():
        try:
            changes = services.update_nc(
                actor(),
                nc,
                title=form.title.data,
                description=form.description.data,
                severity=form.severity.data,
                expected_row_version=form.seen(),
                **_where(form),
            )
        except DomainError as exc:
            settle(exc)
            if exc.status == 403:
                raise
            field_error(getattr(form, DETAIL_FIELDS.get(exc.code, "title"), form.title), exc)
            status = exc.status
            nc = nc_or_404(nc_id)
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("nonconformities.show_nc", nc_id=nc.id), 303)
    elif form.errors:
        status = 400
    return render_template("nonconformities/report.html", form=form, nc=nc), status


# --- settings ------------------------------------------------------------------------------------


def _next_number(commune, written):
    """The number the next NC of this year would get under the format `written`, or the reason it
    cannot be read."""
    year = local_today().year
    try:
        number_format = check_number_format(written)
    except DomainError as exc:
        return None, str(exc.message)
    return number_format.render(year=year, serial=queries.next_serial(commune.id, year)), None


@bp.route("/settings", methods=["GET", "POST"])
@allow(QUALITY_OFFICER, ADMINISTRATOR)
def edit_settings():
    commune = current_user.commune
    settings = nc_settings(commune)
    current = settings.number_format_text
    form = (
        f.SettingsForm(formdata=None, number_format=current, report_form_code=settings.report_form_code)
        if request.method == "GET"
        else f.SettingsForm()
    )
    status = 200
    if form.validate_on_submit():
        try:
            changes = update_nc_settings(
                actor(),
                commune,
                number_format=form.number_format.data,
                report_form_code=form.report_form_code.data or "",
                reason=form.reason.data or "",
            )
        except DomainError as exc:
            settle(exc)
            if exc.status == 403:
                raise
            field_error(form.report_form_code if exc.code == "unknown_form" else form.number_format, exc)
            status = exc.status
        else:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
            return redirect(url_for("nonconformities.edit_settings"), 303)
    elif form.errors:
        status = 400
    next_number, _error = _next_number(commune, current)
    return render_template("nonconformities/settings.html", form=form, next_number=next_number), status
