"""The monitoring page (/dossiers/monitoring): a year of the one-stop shop's results per month, per
procedure and per field, with charts and the targets beside them, for the whole commune or one
field or procedure; its workbook; the quality officer's targets; and, for a month whose on-time
rate fell below its target, the signed opening of a nonconformity. For the quality officer,
leaders and auditors (read only)."""

import datetime as dt
import io

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from qms.auth.models import LEADER, QUALITY_OFFICER
from qms.core.access import allow
from qms.core.calendar import local_today
from qms.core.charts import target_chart
from qms.core.forms import field_error
from qms.core.lists import filter_args, read_filters
from qms.core.nav import register_nav
from qms.db import DomainError, settle
from qms.dossiers import exports, monitoring, queries
from qms.dossiers import permissions as perm
from qms.dossiers.labels import INDICATOR_LABELS, INDICATOR_UNITS
from qms.dossiers.models import Indicator
from qms.dossiers.monitoring_forms import MonitoringFilterForm, ShortfallForm, TargetsForm
from qms.dossiers.services.monitoring import FIRST_YEAR, LAST_YEAR, set_targets, take_up_shortfall
from qms.dossiers.views import actor, bp
from qms.errors import error_response
from qms.nonconformities.services import find_opened_from

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def number(value, digits=1) -> str:
    """A figure as the reader's language writes it (87,5 in Vietnamese), "—" for none."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def figure(indicator, value) -> str:
    """An indicator's value with its unit: "87,5 %", "2,3 ngày làm việc"."""
    if value is None:
        return "—"
    unit = INDICATOR_UNITS[indicator]
    return f"{number(value)} {unit}"


def _filter_form(commune_id, args):
    this_year = local_today().year
    years = sorted({*monitoring.years_with_dossiers(commune_id), this_year}, reverse=True)
    entries = queries.procedures(commune_id)
    fields = list(dict.fromkeys(e.process.field for e in entries))
    args = MultiDict(args)
    args.setdefault("year", str(this_year))
    form = read_filters(
        MonitoringFilterForm,
        args,
        choices={
            "year": [SelectChoice(y, str(y)) for y in years],
            "field": [SelectChoice("", _l("All fields")), *(SelectChoice(f, f) for f in fields)],
            "procedure": [
                SelectChoice(0, _l("All procedures")),
                *(SelectChoice(e.procedure.id, f"{e.process.name} ({e.code})") for e in entries),
            ],
        },
    )
    return form, entries


def _chosen(form, entries):
    """The procedures the filter keeps (None: all of them) and the filter in Vietnamese words."""
    if form.procedure.data:
        entry = next(e for e in entries if e.procedure.id == form.procedure.data)
        return [entry.procedure.id], f"Thủ tục: {entry.process.name} ({entry.code})"
    if form.field.data:
        ids = [e.procedure.id for e in entries if e.process.field == form.field.data]
        return ids, f"Lĩnh vực: {form.field.data}"
    return None, ""


def _report(commune_id, args):
    form, entries = _filter_form(commune_id, args)
    year = local_today().year if form.errors else form.year.data
    procedure_ids, criteria = _chosen(form, entries) if not form.errors else (None, "")
    return form, monitoring.report(commune_id, year, entries, procedure_ids=procedure_ids), criteria


def _charts(report):
    """One chart per indicator: a bar per month, the dashed target line, the months that miss it."""
    charts = []
    for indicator in Indicator:
        target = report.targets.get(indicator)
        points = []
        for figures in report.months:
            value = figures.value(indicator) if figures.month in report.begun else None
            text = figure(indicator, value) if value is not None else _("no data")
            points.append(
                (f"{figures.month:%m}", f"{figures.month:%m/%Y}: {text}", value, report.misses(indicator, figures))
            )
        percent = INDICATOR_UNITS[indicator] == "%"
        charts.append(
            (
                indicator,
                target_chart(
                    points,
                    target=target,
                    top_value=100 if percent else None,
                    fmt=lambda v, p=percent: f"{number(v)}{' %' if p else ''}",
                    target_text=_("Target %(value)s", value=figure(indicator, target)) if target is not None else "",
                ),
            )
        )
    return charts


def _prefix(month) -> str:
    """A month's form has its own field names and ids (several are on the page)."""
    return f"m{month:%Y-%m}"


def _shortfall_forms(report) -> dict:
    """{month: form} for each begun month below its on-time target without its NC (the refused form
    of a POST as it was typed)."""
    refused = g.get("shortfall_form")
    return {
        f.month: refused
        if refused is not None and refused._prefix == _prefix(f.month) + "-"
        else ShortfallForm(formdata=None, prefix=_prefix(f.month))
        for f in report.below_target()
        if f.month not in report.shortfalls
    }


def _targets_form(report):
    form = g.get("targets_form")
    if form is None:
        form = TargetsForm(formdata=None, data={i.value: v for i, v in report.targets.items()}, year=report.year)
    return form


@bp.get("/monitoring")
@allow(*perm.MONITORING_READERS)
def monitoring_page():
    return render_monitoring(request.args)


def render_monitoring(args, status=200):
    """The page for the filters `args`; a refused form of a POST comes in `g` (kept as typed)."""
    commune = current_user.commune
    form, report, _criteria = _report(commune.id, args)
    may_take_up = perm.can_take_up_shortfall(current_user, commune) and not report.filtered
    ncs = {month: find_opened_from(commune.id, shortfall) for month, shortfall in report.shortfalls.items()}
    return render_template(
        "dossiers/monitoring.html",
        form=form,
        report=report,
        charts=_charts(report),
        indicators=list(Indicator),
        indicator_labels=INDICATOR_LABELS,
        figure=figure,
        number=number,
        target_rows=monitoring.target_rows(commune.id, report.year),
        targets_form=_targets_form(report) if perm.can_set_targets(current_user, commune) else None,
        shortfall_forms=_shortfall_forms(report) if may_take_up else {},
        ncs=ncs,
        export_args=filter_args(form),
    ), 400 if form.errors else status


@bp.get("/monitoring.xlsx")
@allow(*perm.MONITORING_READERS)
def export_monitoring():
    """The page's figures as a workbook, with the page's filters."""
    commune = current_user.commune
    form, report, criteria = _report(commune.id, request.args)
    if form.errors:
        wrong = "; ".join(
            f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
        )
        return error_response(400, "bad_filter", wrong)
    today = local_today()
    content = exports.monitoring_xlsx(commune, report, today, criteria)
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX,
        as_attachment=True,
        max_age=0,
        download_name=f"Theo_doi_giai_quyet_ho_so_{report.year}.xlsx",
    )


@bp.post("/monitoring/targets")
@allow(QUALITY_OFFICER)
def save_targets():
    commune = current_user.commune
    if not perm.can_set_targets(current_user, commune):
        abort(403)
    form = TargetsForm()
    year = form.year.data or ""
    if not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        abort(400)
    year = int(year)
    if not form.validate_on_submit():
        g.targets_form = form
        return render_monitoring({"year": year}, 400)
    values = {indicator: form[indicator.value].data for indicator in Indicator}
    removed = {i: None for i, v in values.items() if v is None}
    try:
        changed = set_targets(actor(), commune, year, {**values, **removed})
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        g.targets_form = form
        flash(str(exc.message), "danger")
        return render_monitoring({"year": year}, exc.status)
    flash(
        _("The targets of %(year)d have been saved.", year=year) if changed else _("The targets are unchanged."),
        "success" if changed else "info",
    )
    return redirect(url_for("dossiers.monitoring_page", year=year) + "#targets", 303)


@bp.post("/monitoring/<int:year>/<int:month>/nonconformity")
@allow(QUALITY_OFFICER, LEADER)
def take_up_month(year, month):
    """Open the nonconformity of a month below its on-time target, signed with the password."""
    commune = current_user.commune
    if not perm.can_take_up_shortfall(current_user, commune):
        abort(403)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        abort(404)
    first = dt.date(year, month, 1)
    form = ShortfallForm(prefix=_prefix(first))
    if not form.validate_on_submit():
        g.shortfall_form = form
        return render_monitoring({"year": year}, 400)
    try:
        _shortfall, nc = take_up_shortfall(actor(), commune, first, password=form.password.data)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        if exc.code in ("bad_password", "locked"):
            field_error(form.password, exc)
        else:
            flash(str(exc.message), "danger")
        g.shortfall_form = form
        return render_monitoring({"year": year}, exc.status)
    flash(_("Nonconformity %(nc)s has been opened for %(month)s.", nc=nc.number, month=f"{first:%m/%Y}"), "success")
    return redirect(url_for("dossiers.monitoring_page", year=year) + f"#month-{first:%Y-%m}", 303)


register_nav("dossiers.monitoring_page", _l("Monitoring"), order=28)
