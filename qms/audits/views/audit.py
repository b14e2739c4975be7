"""An audit's pages: planning it (new, change, cancel) for the quality officer; its page (scope in
words, team, status, dates, findings with their NCs and decisions, the follow-up of its NCs), recording
a finding (the team, while it is in progress) and deciding on an observation or opportunity (the
quality officer or a leader)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.audits import forms as f
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.models import AuditFinding, AuditStatus
from qms.audits.processes import SYSTEM_PROCESSES
from qms.audits.services.programme import FIRST_YEAR, LAST_YEAR
from qms.audits.views import actor, audit_or_404, bp, clause_title, sections
from qms.audits.views.page import audit_page, clause_choices, step
from qms.audits.views.programme import planning_subject
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF, Unit, User
from qms.auth.queries import commune_people, commune_units
from qms.core.access import SIGNED_IN, allow
from qms.db import db
from qms.processes import queries as process_queries
from qms.processes.models import Procedure

ACTORS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)  # everyone who may act on an audit (not auditors)

# a refusal of the planning services -> the field it is about
PLAN_FIELDS = {
    "title_required": "title",
    "clauses_required": "clauses",
    "invalid_clause": "clauses",
    "dates_required": "planned_start",
    "invalid_dates": "planned_start",
    "person_required": "lead_auditor",
    "read_only": "lead_auditor",
    "processes_required": "procedures",
    "invalid_process": "system_processes",
    "other_commune": "procedures",
    "reason_required": "reason",
}
FINDING_FIELDS = {"invalid_clause": "clause", "clause_outside_scope": "clause", "description_required": "description"}


# --- planning -------------------------------------------------------------------------------------


def _people(commune_id):
    """Who can audit: the commune's active accounts that can record findings (not read-only)."""
    return [u for u in commune_people(commune_id) if u.is_active_account and not u.is_read_only]


def fill(form, commune_id):
    form.clauses.choices = [
        SelectChoice(h.number, f"{h.number} {clause_title(h)}")
        for section, clauses in sections()
        for h in (section, *clauses)
    ]
    form.procedures.choices = [
        SelectChoice(e.procedure.id, f"{e.procedure.code} – {e.process.name}")
        for e in process_queries.procedures(commune_id)
    ]
    form.system_processes.choices = [SelectChoice(p.key, str(p.name)) for p in SYSTEM_PROCESSES.values()]
    form.units.choices = [SelectChoice(u.id, u.name) for u in commune_units(commune_id) if u.is_active]
    people = [SelectChoice(u.id, u.full_name) for u in _people(commune_id)]
    form.lead_auditor.choices = [SelectChoice(0, _l("— choose —"))] + people
    form.team.choices = people
    return form


def _chosen(model, ids, commune_id):
    found = [db.session.get(model, i) for i in ids or ()]
    return [row for row in found if row is not None and row.commune_id == commune_id]


def _plan_values(form, commune_id):
    leads = _chosen(User, [form.lead_auditor.data] if form.lead_auditor.data else [], commune_id)
    return {
        "title": form.title.data,
        "criteria": form.criteria.data or "",
        "clauses": form.clauses.data or [],
        "planned_start": form.planned_start.data,
        "planned_end": form.planned_end.data,
        "lead_auditor": leads[0] if leads else None,
        "team": _chosen(User, [i for i in form.team.data or [] if i != form.lead_auditor.data], commune_id),
        "procedures": _chosen(Procedure, form.procedures.data, commune_id),
        "system_processes": form.system_processes.data or [],
        "units": _chosen(Unit, form.units.data, commune_id),
    }


def _warnings(audit, commune_id):
    """{user id: [reason, ...]}: why each person of the choice could not audit `audit` as its scope is now."""
    if audit is None:
        return {}
    found = {}
    for user in _people(commune_id):
        reasons = services.conflicts(audit, user)
        if reasons:
            found[user.id] = [str(r) for r in reasons]
    return found


def _form_page(form, audit, year, status=200):
    return render_template(
        "audits/audit_form.html",
        form=form,
        audit=audit,
        year=year,
        sections=sections(),
        warnings=_warnings(audit, current_user.commune_id),
    ), status


@bp.route("/programmes/<int:year>/new", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def plan_audit(year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    commune = current_user.commune
    if not perm.can_plan(current_user, planning_subject(commune.id, year)):
        abort(403)
    form = fill(f.AuditForm(), commune.id)
    if request.method == "GET":
        return _form_page(form, None, year)
    return step(
        form,
        lambda form: services.add_audit(
            actor(), services.programme_for(actor(), commune, year), **_plan_values(form, commune.id)
        ),
        lambda form, status: _form_page(form, None, year, status),
        lambda audit: _l("Audit %(code)s has been planned.", code=audit.code),
        lambda audit: url_for("audits.show_audit", audit_id=audit.id),
        PLAN_FIELDS,
    )


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@allow(QUALITY_OFFICER)
def edit_audit(audit_id):
    audit = audit_or_404(audit_id)
    if not perm.can_plan(current_user, audit.programme):
        abort(403)
    if audit.status is not AuditStatus.planned:
        flash(str(_l("Only a planned audit can be changed.")), "warning")
        return redirect(url_for("audits.show_audit", audit_id=audit.id), 303)
    if request.method == "GET":
        form = f.AuditForm(
            formdata=None,
            # not obj=audit: its lead_auditor, team and units are rows, where the form wants ids
            title=audit.title,
            criteria=audit.criteria,
            clauses=list(audit.clauses or []),
            planned_start=audit.planned_start,
            planned_end=audit.planned_end,
            procedures=[p.procedure_id for p in audit.processes if p.procedure_id is not None],
            system_processes=[p.system_process for p in audit.processes if p.system_process is not None],
            units=[u.unit_id for u in audit.units],
            lead_auditor=audit.lead_auditor_id,
            team=[m.user_id for m in audit.team if not m.is_lead],
            row_version=audit.row_version,
        )
        return _form_page(fill(form, audit.commune_id), audit, audit.year)
    return step(
        fill(f.AuditForm(), audit.commune_id),
        lambda form: services.change_audit(
            actor(), audit, expected_row_version=form.seen(), **_plan_values(form, audit.commune_id)
        ),
        lambda form, status: _form_page(form, audit_or_404(audit_id), audit.year, status),
        _l("Saved."),
        url_for("audits.show_audit", audit_id=audit.id),
        PLAN_FIELDS,
    )


@bp.post("/<int:audit_id>/cancel")
@allow(QUALITY_OFFICER)
def cancel_audit(audit_id):
    audit = audit_or_404(audit_id)
    if not perm.can_plan(current_user, audit.programme):
        abort(403)
    return step(
        f.CancelForm(),
        lambda form: services.cancel_audit(actor(), audit, form.reason.data, expected_row_version=form.seen()),
        lambda form, status: audit_page(audit_or_404(audit_id), status, forms={"cancel_form": form}),
        _l("Audit %(code)s has been cancelled.", code=audit.code),
        url_for("audits.show_audit", audit_id=audit.id),
        PLAN_FIELDS,
    )


# --- the audit's page and its findings ------------------------------------------------------------


@bp.get("/<int:audit_id>")
@allow(SIGNED_IN)
def show_audit(audit_id):
    return audit_page(audit_or_404(audit_id))


@bp.post("/<int:audit_id>/findings")
@allow(*ACTORS)
def record_finding(audit_id):
    audit = audit_or_404(audit_id)
    if not perm.can_record_finding(current_user, audit):
        abort(403)
    form = f.FindingForm()
    form.clause.choices = clause_choices(audit)
    return step(
        form,
        lambda form: services.record_finding(
            actor(), audit, clause=form.clause.data, grade=form.grade.data, description=form.description.data
        ),
        lambda form, status: audit_page(audit_or_404(audit_id), status, forms={"finding_form": form}),
        _l("The finding has been recorded."),
        url_for("audits.show_audit", audit_id=audit.id) + "#findings",
        FINDING_FIELDS,
    )


@bp.post("/<int:audit_id>/findings/<int:finding_id>/decision")
@allow(QUALITY_OFFICER, LEADER)
def decide_finding(audit_id, finding_id):
    audit = audit_or_404(audit_id)
    finding = db.session.get(AuditFinding, finding_id)
    if finding is None or finding.audit_id != audit.id:
        abort(404)
    if not perm.can_decide_finding(current_user, finding):
        abort(403)
    return step(
        f.DecisionForm(),
        lambda form: services.decide_finding(
            actor(), finding, accepted=form.accepted.data == "yes", reason=form.reason.data
        ),
        lambda form, status: audit_page(audit_or_404(audit_id), status, decision_forms={finding.id: form}),
        _l("The decision has been recorded."),
        url_for("audits.show_audit", audit_id=audit.id) + f"#finding-{finding.id}",
        {"reason_required": "reason"},
    )
