"""The one-stop forms: a dossier's forms filled from the commune's controlled forms (.docx), the
ledger filled for a period, and the page that says which form is which, its issue in force and the
placeholders a template may hold (with the quality officer's form naming the forms)."""

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length, Optional

from qms.auth.models import ADMINISTRATOR, QUALITY_OFFICER
from qms.core.access import allow
from qms.core.forms import Form, field_error
from qms.db import DomainError, settle
from qms.documents import services as documents
from qms.dossiers import fill
from qms.dossiers import permissions as perm
from qms.dossiers.services import forms as form_settings
from qms.dossiers.views import actor, bp, dossier_or_404
from qms.dossiers.views.ledger import _filters as ledger_filters
from qms.dossiers.views.ledger import _ledger_form
from qms.dossiers.views.lookup import lookup_url
from qms.errors import error_response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The name of each filled file, ASCII (the dossier code is added).
FILE_NAMES = {
    "receipt": "Giay_tiep_nhan",
    "supplement": "Phieu_yeu_cau_bo_sung",
    "refusal": "Phieu_tu_choi",
    "apology": "Phieu_xin_loi",
    "control_sheet": "Phieu_kiem_soat",
}
# Their links on a dossier's page, in the reader's language.
LINK_LABELS = {
    "receipt": _l("Receipt and appointment slip"),
    "supplement": _l("Request to supplement"),
    "refusal": _l("Refusal"),
    "apology": _l("Apology and new return date"),
    "control_sheet": _l("Process control sheet"),
}


def _file(data, name):
    return send_file(BytesIO(data), mimetype=DOCX, as_attachment=True, max_age=0, download_name=name)


def _safe(code) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in code)


@bp.app_context_processor
def _form_links():
    def one_stop_form_links(dossier):
        """(kind, label, url) of the forms of the dossier the reader may fill, as it stands."""
        if not perm.can_see_applicant(current_user, dossier):
            return []
        return [
            (kind, LINK_LABELS[kind], url_for("dossiers.download_form", code=dossier.code, kind=kind))
            for kind in fill.available_kinds(dossier)
        ]

    return {"one_stop_form_links": one_stop_form_links}


@bp.get("/<path:code>/forms/<any(receipt, supplement, refusal, apology, control_sheet):kind>.docx")
@allow(*perm.READERS)
def download_form(code, kind):
    """A dossier's one-stop form filled in, for those handling the dossier (it carries the
    applicant's details; the reading of the form and of the details is recorded)."""
    dossier = dossier_or_404(code)
    url = lookup_url(current_user.commune, dossier.code) if kind == "receipt" else ""
    _form_code, data = fill.fill_dossier_form(actor(), dossier, kind, url=url)
    return _file(data, f"{FILE_NAMES[kind]}_{_safe(dossier.code)}.docx")


@bp.get("/ledger.docx")
@allow(*perm.READERS)
def ledger_docx():
    """The ledger filled from the commune's ledger form, for the ledger page's filters and period
    (this month when they name none)."""
    form, _entries = _ledger_form(current_user.commune_id)
    if form.errors:
        wrong = "; ".join(
            f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
        )
        return error_response(400, "bad_filter", wrong)
    filters = ledger_filters(form)
    start, end, _filters = fill.ledger_period(filters)
    _form_code, data = fill.fill_ledger(actor(), filters)
    return _file(data, f"So_theo_doi_ho_so_{start:%Y%m%d}_{end:%Y%m%d}.docx")


# --- the page of the one-stop forms --------------------------------------------------------------------


class OneStopFormsForm(Form):
    receipt = StringField(_l("Receipt and appointment slip"), validators=[Optional(), Length(max=64)])
    supplement = StringField(_l("Request to supplement"), validators=[Optional(), Length(max=64)])
    refusal = StringField(_l("Refusal"), validators=[Optional(), Length(max=64)])
    apology = StringField(_l("Apology and new return date"), validators=[Optional(), Length(max=64)])
    control_sheet = StringField(_l("Process control sheet"), validators=[Optional(), Length(max=64)])
    ledger = StringField(_l("Dossier ledger"), validators=[Optional(), Length(max=64)])
    reason = StringField(_l("Reason for the change (optional)"), validators=[Optional(), Length(max=500)])


def _in_force(user, code):
    """(document, its version in force) of the commune's form `code`, each None when missing."""
    document = documents.document_by_code(user.commune_id, code)
    version = documents.current_version(document) if document is not None else None
    return document, version


def _forms_page(form, status=200):
    commune = current_user.commune
    codes = form_settings.one_stop_forms(commune)
    entries = []
    for key, kind in fill.PLACEHOLDERS.items():
        document, version = _in_force(current_user, codes[key])
        entries.append(
            {
                "key": key,
                "kind": kind,
                "code": codes[key],
                "document": document,
                "version": version,
                "is_docx": version is not None and version.primary_file.kind == "docx",
            }
        )
    return render_template(
        "dossiers/one_stop_forms.html",
        entries=entries,
        form=form,
        can_edit=perm.can_change_forms_settings(current_user, commune),
        defaults=form_settings.DEFAULT_FORMS,
    ), status


@bp.get("/one-stop-forms")
@allow(*perm.READERS)
def one_stop_forms():
    codes = form_settings.one_stop_forms(current_user.commune)
    return _forms_page(OneStopFormsForm(formdata=None, **codes))


@bp.post("/one-stop-forms")
@allow(QUALITY_OFFICER, ADMINISTRATOR)
def update_one_stop_forms():
    form = OneStopFormsForm()
    if not form.validate_on_submit():
        return _forms_page(form, 400)
    codes = {key: form[key].data for key in fill.PLACEHOLDERS}
    try:
        changes = form_settings.update_one_stop_forms(
            actor(), current_user.commune, codes=codes, reason=form.reason.data or ""
        )
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        target = form[exc.kind] if isinstance(exc, form_settings.FormSettingRefused) else form.receipt
        field_error(target, exc)
        return _forms_page(form, exc.status)
    flash(_("Saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
    return redirect(url_for("dossiers.one_stop_forms"), 303)
