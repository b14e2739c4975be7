"""Conducting an audit, posted from its page: the lead auditor signs the plan, a leader approves it,
the lead auditor or the quality officer starts the audit, the lead auditor writes and signs the
report, and the audit is closed; the signed plan's and report's .docx are downloaded from the page."""

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.audits import forms as f
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.models import AuditRecord
from qms.audits.views import actor, audit_or_404, bp
from qms.audits.views.audit import ACTORS
from qms.audits.views.page import audit_page, send_of_audit, step
from qms.auth.models import LEADER
from qms.core.access import SIGNED_IN, allow

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _conduct_step(audit_id, allowed, form_name, form, run, done):
    audit = audit_or_404(audit_id)
    if not allowed(current_user, audit):
        abort(403)
    return step(
        form,
        lambda form: run(audit, form),
        lambda form, status: audit_page(audit_or_404(audit_id), status, forms={form_name: form}),
        done,
        url_for("audits.show_audit", audit_id=audit.id) + "#conduct",
    )


@bp.post("/<int:audit_id>/plan/sign")
@allow(*ACTORS)
def sign_plan(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_sign_plan,
        "sign_plan_form",
        f.SignForm(),
        lambda audit, form: services.sign_plan(actor(), audit, form.password.data, expected_row_version=form.seen()),
        _l("The audit plan has been signed."),
    )


@bp.post("/<int:audit_id>/plan/approve")
@allow(LEADER)
def approve_plan(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_approve_plan,
        "approve_plan_form",
        f.SignForm(),
        lambda audit, form: services.approve_plan(actor(), audit, form.password.data, expected_row_version=form.seen()),
        _l("The audit plan has been approved."),
    )


@bp.post("/<int:audit_id>/start")
@allow(*ACTORS)
def start_audit(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_start,
        "start_form",
        f.StepForm(),
        lambda audit, form: services.start_audit(actor(), audit, expected_row_version=form.seen()),
        _l("The audit has started."),
    )


@bp.post("/<int:audit_id>/report")
@allow(*ACTORS)
def write_report(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_report,
        "report_form",
        f.ReportForm(),
        lambda audit, form: services.write_report(
            actor(),
            audit,
            summary=form.summary.data,
            strengths=form.strengths.data,
            conclusions=form.conclusions.data,
            expected_row_version=form.seen(),
        ),
        _l("The report has been saved."),
    )


@bp.post("/<int:audit_id>/report/sign")
@allow(*ACTORS)
def sign_report(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_report,
        "sign_report_form",
        f.SignForm(),
        lambda audit, form: services.sign_report(actor(), audit, form.password.data, expected_row_version=form.seen()),
        _l("The audit report has been signed."),
    )


@bp.post("/<int:audit_id>/close")
@allow(*ACTORS)
def close_audit(audit_id):
    return _conduct_step(
        audit_id,
        perm.can_close,
        "close_form",
        f.StepForm(),
        lambda audit, form: services.close_audit(actor(), audit, expected_row_version=form.seen()),
        _l("The audit has been closed."),
    )


@bp.get("/<int:audit_id>/records/<int:audit_record_id>")
@allow(SIGNED_IN)
def download_record(audit_id, audit_record_id):
    """The .docx of a signed plan or report."""
    return send_of_audit(audit_or_404(audit_id), AuditRecord, audit_record_id, mimetype=DOCX)
