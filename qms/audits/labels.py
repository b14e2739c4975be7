"""Labels of internal audits: actions, records, fields and coded values (see qms.core.labels), the words
pages use for the programme's and audits' statuses, the findings' grades and decisions, and what an
audit is called ("ĐGNB-2026-01 – Đánh giá quy trình hộ tịch")."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audits.models import (
    Audit,
    AuditMeaning,
    AuditProgramme,
    AuditStatus,
    Decision,
    Grade,
    ProgrammeStatus,
)
from qms.audits.processes import SYSTEM_PROCESSES
from qms.core.labels import register, row_namer, whole_ids
from qms.db import db
from qms.processes.models import Procedure

PROGRAMME_STATUS_LABELS = {ProgrammeStatus.draft: _l("Draft"), ProgrammeStatus.approved: _l("Approved")}
AUDIT_STATUS_LABELS = {
    AuditStatus.planned: _l("Planned"),
    AuditStatus.in_progress: _l("In progress"),
    AuditStatus.reported: _l("Reported"),
    AuditStatus.closed: _l("Closed"),
    AuditStatus.cancelled: _l("Cancelled"),
}
GRADE_LABELS = {
    Grade.major: _l("Major nonconformity"),
    Grade.minor: _l("Minor nonconformity"),
    Grade.observation: _l("Observation"),
    Grade.improvement: _l("Opportunity for improvement"),
}
DECISION_LABELS = {Decision.accepted: _l("Accepted"), Decision.not_accepted: _l("Not accepted")}
MEANING_LABELS = {AuditMeaning.programme_approved: _l("Audit programme approved")}


def _by_value(labels):
    return {key.value: label for key, label in labels.items()}


def audit_name(code, title) -> str:
    return f"{code} – {title}"


def programme_name(year, revision) -> str:
    return str(_l("Internal audit programme %(year)d, revision %(revision)d", year=year, revision=revision))


def _processes(commune_id, keys):
    """Names of an audit's processes as its events record them: "procedure:<id>" or "system:<key>"."""
    names = {}
    ids = whole_ids(k.split(":", 1)[1] for k in keys if k.startswith("procedure:"))
    if ids:
        rows = db.session.execute(
            select(Procedure.id, Procedure.code).where(Procedure.commune_id == commune_id, Procedure.id.in_(ids))
        )
        names.update({f"procedure:{row.id}": row.code for row in rows})
    for key in keys:
        if key.startswith("system:") and key[7:] in SYSTEM_PROCESSES:
            names[key] = str(SYSTEM_PROCESSES[key[7:]].name)
    return names


register(
    actions={
        "audit_programme.created": _l("Audit programme created"),
        "audit_programme.revised": _l("Audit programme revised"),
        "audit_programme.approved": _l("Audit programme approved"),
        "audit.planned": _l("Audit planned"),
        "audit.changed": _l("Audit plan changed"),
        "audit.cancelled": _l("Audit cancelled"),
        "audit.finding_recorded": _l("Audit finding recorded"),
        "audit.finding_nc_linked": _l("Nonconformity opened from an audit finding"),
        "audit.finding_decided": _l("Decision on an audit finding"),
    },
    records={
        "audit_programmes": _l("Audit programme"),
        "audit_programme_revisions": _l("Approved revision of an audit programme"),
        "audits": _l("Internal audit"),
        "audit_findings": _l("Audit finding"),
    },
    fields={
        "programme_status": _l("Status of the programme"),
        "audit_status": _l("Status of the audit"),
        "revision": _l("Revision"),
        "clauses": _l("ISO 9001 clauses"),
        "criteria": _l("Audit criteria"),
        "planned_start": _l("Planned start"),
        "planned_end": _l("Planned end"),
        "lead_auditor_id": _l("Lead auditor"),
        "team": _l("Audit team"),
        "processes": _l("Processes audited"),
        "audit_id": _l("Audit"),
        "grade": _l("Grade"),
        "nc_id": _l("Nonconformity"),
        "decision": _l("Decision"),
    },
    values={
        "programme_status": _by_value(PROGRAMME_STATUS_LABELS),
        "audit_status": _by_value(AUDIT_STATUS_LABELS),
        "grade": _by_value(GRADE_LABELS),
        "decision": _by_value(DECISION_LABELS),
        "meaning": _by_value(MEANING_LABELS),
    },
    namers={
        "audits": row_namer(Audit, Audit.code, Audit.title, name=audit_name),
        "audit_programmes": row_namer(
            AuditProgramme, AuditProgramme.year, AuditProgramme.revision, name=programme_name
        ),
        "audit_processes": _processes,
    },
    refs={
        "lead_auditor_id": "users",
        "team": "users",
        "processes": "audit_processes",
        "audit_id": "audits",
        "nc_id": "nonconformities",
    },
)
