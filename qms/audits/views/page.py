"""What the audit's pages share: running a posted step (the service's refusal under its field, or on
the form, nothing written), the clauses a finding or question may name, and the audit's page with the
forms the reader may use (views/audit.py, conduct.py and checklist.py post to it)."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audits import forms as f
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.labels import MEANING_LABELS
from qms.audits.models import NC_GRADES, AuditStatus, RecordKind
from qms.audits.services.common import process_name
from qms.audits.services.impartiality import Reasons
from qms.audits.views import clause_title, sections
from qms.core.forms import field_error
from qms.db import DomainError, db, settle
from qms.files.services import read_stored
from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS

PASSWORD_CODES = ("bad_password", "locked")


def refuse(form, exc, fields):
    """Put a service's refusal under the field it is about, or on the form. An impartiality refusal
    keeps every reason (form.reasons), each shown on its own line."""
    if isinstance(exc.message, Reasons):
        form.reasons = [str(reason) for reason in exc.message.reasons]
        return
    if exc.code in PASSWORD_CODES and hasattr(form, "password"):
        target = form.password
    else:
        target = getattr(form, (fields or {}).get(exc.code, (fields or {}).get("*", "")), None)
    if target is not None:
        field_error(target, exc)
    else:
        form.refusal = str(exc.message)


def step(form, run, again, done, url, fields=None):
    """Run one posted step: the page again (`again(form, status)`) when the form or the service
    refuses, otherwise to `url` with the message `done` (either may be a function of what `run`
    returned)."""
    if not form.validate_on_submit():
        return again(form, 400)
    try:
        result = run(form)
    except DomainError as exc:
        settle(exc)
        if exc.code == "forbidden":
            raise
        refuse(form, exc, fields)
        return again(form, exc.status)
    flash(str(done(result) if callable(done) else done), "success")
    return redirect(url(result) if callable(url) else url, 303)


def send_of_audit(audit, model, row_id, *, mimetype=None):
    """Download the stored file of a row (`model`: a record or an attachment) of `audit`; 404 when the
    row is not the audit's."""
    row = db.session.get(model, row_id)
    if row is None or row.audit_id != audit.id:
        abort(404)
    data = read_stored(row.sha256, current_user._get_current_object(), found_in=audit)
    return send_file(
        BytesIO(data),
        mimetype=mimetype or row.media_type,
        as_attachment=True,
        download_name=row.filename,
        max_age=0,
    )


def headings():
    """{number: heading} of every section and clause."""
    return {h.number: h for section, clauses in sections() for h in (section, *clauses)}


def clause_names(numbers):
    by_number = headings()
    return [f"{n} {clause_title(by_number[n])}" if n in by_number else n for n in numbers or ()]


def clause_choices(audit, *, sections_too=True):
    """The clauses a finding or an own question may name: those of the audit's scope and, for a
    section, its clauses."""
    chosen = set(audit.clauses or [])
    choices = []
    for section, clauses in sections():
        if sections_too and section.number in chosen:
            choices.append(SelectChoice(section.number, f"{section.number} {clause_title(section)}"))
        for h in clauses:
            if h.number in chosen or section.number in chosen:
                choices.append(SelectChoice(h.number, f"{h.number} {clause_title(h)}"))
    return choices


def _conduct(audit, user, forms):
    """The plan's and report's records and signatures, the gates, and the conduct forms the user may use."""
    planned, in_progress = audit.status is AuditStatus.planned, audit.status is AuditStatus.in_progress
    plan_signature, plan_approval = services.plan_signature(audit), services.plan_approval(audit)
    plan_current = services.plan_is_current(audit)
    seen = {"row_version": audit.row_version}
    shown = {}
    if planned and perm.can_sign_plan(user, audit) and not (plan_current and plan_signature):
        shown["sign_plan_form"] = f.SignForm(formdata=None, **seen)
    if (
        planned
        and perm.can_approve_plan(user, audit)
        and plan_current
        and plan_signature
        and not plan_approval
        and user.id != audit.lead_auditor_id
    ):
        shown["approve_plan_form"] = f.SignForm(formdata=None, **seen)
    start_gate = None
    if planned and perm.can_start(user, audit):
        start_gate = services.start_refusal(audit)
        if start_gate is None:
            shown["start_form"] = f.StepForm(formdata=None, **seen)
    report_gate = None
    if in_progress and perm.can_report(user, audit):
        shown["report_form"] = f.ReportForm(
            formdata=None, summary=audit.summary, strengths=audit.strengths, conclusions=audit.conclusions, **seen
        )
        report_gate = services.report_refusal(audit)
        if report_gate is None:
            shown["sign_report_form"] = f.SignForm(formdata=None, **seen)
    if audit.status is AuditStatus.reported and perm.can_close(user, audit):
        shown["close_form"] = f.StepForm(formdata=None, **seen)
    for name, form in forms.items():  # a form that came back with an error, as posted
        if name in shown:
            shown[name] = form
    return {
        "plan_record": services.latest_record(audit, RecordKind.plan),
        "report_record": services.latest_record(audit, RecordKind.report),
        "plan_signature": plan_signature,
        "plan_approval": plan_approval,
        "plan_current": plan_current,
        "report_signature": services.report_signature(audit),
        "start_gate": start_gate,
        "report_gate": report_gate,
        "meaning_labels": {m.value: label for m, label in MEANING_LABELS.items()},
        **shown,
    }


def audit_page(audit, status=200, *, forms=None, decision_forms=None):
    """The audit's page; `forms` {name: form} and `decision_forms` {finding id: form}: forms that came
    back with an error, shown as posted."""
    user, forms = current_user, dict(forms or {})
    page_forms = {}
    if perm.can_record_finding(user, audit) and audit.status is AuditStatus.in_progress:
        page_forms["finding_form"] = forms.get("finding_form") or f.FindingForm(formdata=None)
        page_forms["finding_form"].clause.choices = clause_choices(audit)
    can_plan = perm.can_plan(user, audit.programme) and audit.status is AuditStatus.planned
    if can_plan:
        page_forms["cancel_form"] = forms.get("cancel_form") or f.CancelForm(
            formdata=None, row_version=audit.row_version
        )
    decisions = {
        finding.id: f.DecisionForm(formdata=None)
        for finding in audit.findings
        if finding.grade not in NC_GRADES and finding.decision is None and perm.can_decide_finding(user, finding)
    }
    decisions.update(decision_forms or {})
    follow = services.follow_up(audit)
    ncs = {nc.id: nc for _finding, nc in follow if nc is not None}
    answered = sum(1 for item in audit.items if item.result is not None)
    return render_template(
        "audits/audit.html",
        audit=audit,
        processes=[process_name(p) for p in audit.processes],
        clause_names=clause_names(audit.clauses),
        decision_forms=decisions,
        can_plan=can_plan,
        ncs=ncs,
        follow=follow,
        open_ncs=[nc for _finding, nc in follow if nc is not None and nc.is_open],
        nc_status_labels=NC_STATUS_LABELS,
        answered=answered,
        **page_forms,
        **_conduct(audit, user, forms),
    ), status
