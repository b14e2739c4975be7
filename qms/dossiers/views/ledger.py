"""The ledger of dossiers (sổ theo dõi hồ sơ): filtered by procedure, status, period of receipt and
lateness, paginated, and its Excel file with the same filters. Everyone of the commune reads it
(auditors included): it shows no personal data."""

from flask import render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.core.access import allow
from qms.core.calendar import format_date, local_today
from qms.core.lists import Page, filter_args, page_number, read_filters
from qms.dossiers import exports, queries
from qms.dossiers import forms as f
from qms.dossiers import permissions as perm
from qms.dossiers.models import DossierStatus
from qms.dossiers.views import bp
from qms.errors import error_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def procedure_choices(commune_id, *, in_force_only=False, empty=None):
    entries = queries.procedures(commune_id, in_force_only=in_force_only)
    listed = [SelectChoice(e.procedure.id, f"{e.process.name} ({e.code})") for e in entries]
    return ([SelectChoice(0, empty)] if empty else []) + listed, entries


def _ledger_form(commune_id):
    choices, entries = procedure_choices(commune_id, empty=_l("All procedures"))
    form = read_filters(f.LedgerFilterForm, request.args, choices={"procedure": choices})
    return form, entries


def _filters(form) -> queries.LedgerFilters:
    return queries.LedgerFilters(
        procedure_id=form.procedure.data or None,
        status=DossierStatus(form.status.data) if form.status.data else None,
        received_from=form.received_from.data,
        received_to=form.received_to.data,
        late_only=form.late.data == "1",
    )


@bp.get("/")
@allow(*perm.READERS)
def list_dossiers():
    commune_id = current_user.commune_id
    form, _entries = _ledger_form(commune_id)
    can_receive = perm.can_receive(current_user, current_user.commune) if current_user.commune else False
    if form.errors:
        empty = Page(items=[], total=0)
        return render_ledger(form, empty, can_receive), 400
    page = queries.ledger_page(commune_id, _filters(form), page=page_number(request.args))
    page.args = filter_args(form)
    return render_ledger(form, page, can_receive)


def render_ledger(form, page, can_receive):
    return render_template(
        "dossiers/ledger.html",
        form=form,
        page=page,
        today=local_today(),
        can_receive=can_receive,
        open_statuses=(DossierStatus.in_progress, DossierStatus.supplement),
        step_name=step_name,
    )


def step_name(dossier) -> str:
    """The name of the step the dossier is at, as the process it follows says it."""
    return next((s["name"] for s in dossier.process_map.content.get("steps", []) if s["id"] == dossier.step_id), "")


def _criteria(filters, entries) -> str:
    """The filters in words (Vietnamese, as the file is), for the line under the title."""
    parts = []
    if filters.procedure_id:
        entry = next((e for e in entries if e.procedure.id == filters.procedure_id), None)
        if entry is not None:
            parts.append(f"Thủ tục: {entry.process.name} ({entry.code})")
    if filters.status is not None:
        parts.append(f"Trạng thái: {exports.vietnamese(exports.STATUS_LABELS, filters.status)}")
    if filters.received_from or filters.received_to:
        since = f" từ {format_date(filters.received_from)}" if filters.received_from else ""
        until = f" đến {format_date(filters.received_to)}" if filters.received_to else ""
        parts.append(f"Tiếp nhận{since}{until}")
    if filters.late_only:
        parts.append("Chỉ những hồ sơ trễ hạn")
    return "; ".join(parts)


@bp.get("/export.xlsx")
@allow(*perm.READERS)
def export_ledger():
    """The ledger as an Excel workbook, with the ledger page's filters (?procedure=, status,
    received_from, received_to, late): every dossier they choose, not one page."""
    commune_id = current_user.commune_id
    form, entries = _ledger_form(commune_id)
    if form.errors:
        wrong = "; ".join(
            f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
        )
        return error_response(400, "bad_filter", wrong)
    filters = _filters(form)
    today = local_today()
    spool = exports.ledger_xlsx(
        current_user.commune, queries.ledger_rows(commune_id, filters), today, criteria=_criteria(filters, entries)
    )
    return send_file(
        spool, mimetype=XLSX, as_attachment=True, max_age=0, download_name=f"So_theo_doi_ho_so_{today:%Y%m%d}.xlsx"
    )
