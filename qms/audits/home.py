"""The home-page section of internal audits: what each person has to do next. A member of an audit's
team sees the audits they lead or take part in that are planned or under way (sign the plan, fill the
checklist, sign the report, close it); a leader sees the programmes and plans waiting for approval."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audits import services
from qms.audits.models import Audit, AuditProgramme, AuditStatus, AuditTeamMember, ProgrammeStatus
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF
from qms.core.tasks import Task, register_section
from qms.db import db

LIMIT = 20


def _audit_task(audit, detail):
    return Task(
        title=f"{audit.code} · {audit.title[:120]}",
        url=url_for("audits.show_audit", audit_id=audit.id),
        detail=detail,
        due=audit.planned_start,
    )


def _team_tasks(user):
    audits = db.session.scalars(
        select(Audit)
        .join(AuditTeamMember, AuditTeamMember.audit_id == Audit.id)
        .where(
            Audit.commune_id == user.commune_id,
            AuditTeamMember.user_id == user.id,
            Audit.status.in_((AuditStatus.planned, AuditStatus.in_progress, AuditStatus.reported)),
        )
        .order_by(Audit.planned_start)
        .limit(LIMIT)
    )
    tasks = []
    for audit in audits:
        lead = audit.lead_auditor_id == user.id
        if audit.status is AuditStatus.planned and lead and services.plan_signature(audit) is None:
            tasks.append(_audit_task(audit, _("Sign the audit plan")))
        elif audit.status is AuditStatus.in_progress:
            tasks.append(
                _audit_task(
                    audit, _("Fill the checklist") if not lead else _("Fill the checklist, then sign the report")
                )
            )
        elif audit.status is AuditStatus.reported and lead:
            tasks.append(_audit_task(audit, _("Close the audit")))
    return tasks


def _leader_tasks(user):
    tasks = []
    programmes = db.session.scalars(
        select(AuditProgramme)
        .where(AuditProgramme.commune_id == user.commune_id, AuditProgramme.status == ProgrammeStatus.draft)
        .order_by(AuditProgramme.year)
        .limit(LIMIT)
    )
    for programme in programmes:
        if any(audit.is_active for audit in programme.audits):
            tasks.append(
                Task(
                    title=str(_l("Internal audit programme %(year)d", year=programme.year)),
                    url=url_for("audits.show_programme", year=programme.year),
                    detail=_("Approve the programme"),
                )
            )
    planned = db.session.scalars(
        select(Audit)
        .where(Audit.commune_id == user.commune_id, Audit.status == AuditStatus.planned)
        .order_by(Audit.planned_start)
        .limit(LIMIT)
    )
    for audit in planned:
        if (
            audit.lead_auditor_id != user.id
            and services.plan_is_current(audit)
            and services.plan_signature(audit) is not None
            and services.plan_approval(audit) is None
        ):
            tasks.append(_audit_task(audit, _("Approve the audit plan")))
    return tasks


def my_audit_tasks(user):
    tasks = _team_tasks(user)
    if user.has_role(LEADER):
        tasks += _leader_tasks(user)
    return tasks


register_section(
    "audits-mine",
    _l("Internal audits waiting for you"),
    (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF),
    my_audit_tasks,
    _l("No internal audit is waiting for you."),
    order=18,
)
