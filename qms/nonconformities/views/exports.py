"""Files: an NC's report (.docx; the commune's own form filled in when its settings name one in
force) and the register with the register page's filters (.xlsx)."""

from io import BytesIO

from flask import request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import format_date, local_today
from qms.core.lists import read_filters
from qms.documents.services import form_template
from qms.errors import error_response
from qms.nonconformities import exports, queries
from qms.nonconformities import forms as f
from qms.nonconformities.labels import SEVERITY_LABELS, SOURCE_LABELS, STATUS_LABELS
from qms.nonconformities.settings import nc_settings
from qms.nonconformities.views import actor, bp, nc_or_404
from qms.nonconformities.views.register import _filters as register_filters
from qms.nonconformities.views.register import unit_choices

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data, media_type, name):
    return send_file(BytesIO(data), mimetype=media_type, as_attachment=True, max_age=0, download_name=name)


@bp.get("/<int:nc_id>/report.docx")
@allow(SIGNED_IN)
def export_report(nc_id):
    """The NC and corrective-action report of one NC, for whoever may read the NC."""
    nc = queries.load_story(nc_or_404(nc_id))
    commune = current_user.commune
    template = form_template(actor(), commune, nc_settings(commune).report_form_code, purpose="nc_report")
    today = local_today()
    data = exports.report_docx(nc, commune, today, template=template)
    return _file(data, DOCX, f"Phieu_xu_ly_{nc.number}_{today:%Y%m%d}.docx")


def _criteria(filters, units) -> str:
    """The filters in words (Vietnamese, as the file is), for the line under the title."""
    parts = []
    for label, labels, value in (
        ("Trạng thái", STATUS_LABELS, filters.status),
        ("Nguồn", SOURCE_LABELS, filters.source),
        ("Mức độ", SEVERITY_LABELS, filters.severity),
    ):
        if value is not None:
            parts.append(f"{label}: {exports.vietnamese(labels, value)}")
    if filters.unit_id:
        parts.append(f"Đơn vị: {units.get(filters.unit_id, '')}")
    if filters.overdue:
        parts.append("Chỉ những sự không phù hợp quá hạn")
    if filters.detected_from or filters.detected_to:
        since = f" từ {format_date(filters.detected_from)}" if filters.detected_from else ""
        until = f" đến {format_date(filters.detected_to)}" if filters.detected_to else ""
        parts.append(f"Phát hiện{since}{until}")
    return "; ".join(parts)


@bp.get("/export.xlsx")
@allow(SIGNED_IN)
def export_register():
    """The register as an Excel workbook, with the filters of the register page (?status=, source,
    severity, unit, overdue, detected_from, detected_to): every NC they choose, not one page."""
    commune_id = current_user.commune_id
    form = read_filters(f.RegisterFilterForm, request.args, choices={"unit": unit_choices(commune_id, _l("All units"))})
    if form.errors:
        wrong = "; ".join(
            f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
        )
        return error_response(400, "bad_filter", wrong)
    filters = register_filters(form)
    ncs = exports.register_ncs(commune_id, filters)
    units = {u.id: u.name for u in queries.units(commune_id)}
    today = local_today()
    data = exports.register_xlsx(
        current_user.commune, exports.register_rows(ncs), today, criteria=_criteria(filters, units)
    )
    return _file(data, XLSX, f"So_theo_doi_SKPH_{today:%Y%m%d}.xlsx")
