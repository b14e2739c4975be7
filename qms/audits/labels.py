"""Labels of internal audits: actions, records, fields and coded values (see qms.core.labels), the words
pages use for the programme's and audits' statuses, the findings' grades and decisions, and what an
audit is called ("ĐGNB-2026-01 – Đánh giá quy trình hộ tịch")."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audits.models import (
    Audit,
    AuditChecklistItem,
    AuditMeaning,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    ChecklistResult,
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
# a checklist question's result: conform, or the grade of the finding it records
RESULT_LABELS = {
    ChecklistResult.conform: _l("Conform"),
    **{ChecklistResult(grade.value): label for grade, label in GRADE_LABELS.items()},
}
DECISION_LABELS = {Decision.accepted: _l("Accepted"), Decision.not_accepted: _l("Not accepted")}
MEANING_LABELS = {
    AuditMeaning.programme_approved: _l("Audit programme approved"),
    AuditMeaning.plan_signed: _l("Audit plan signed by the lead auditor"),
    AuditMeaning.plan_approved: _l("Audit plan approved"),
    AuditMeaning.report_signed: _l("Audit report signed by the lead auditor"),
}


def _by_value(labels):
    return {key.value: label for key, label in labels.items()}


def audit_name(code, title) -> str:
    return f"{code} – {title}"


def programme_name(year, revision) -> str:
    return str(_l("Internal audit programme %(year)d, revision %(revision)d", year=year, revision=revision))


def question_name(key, version) -> str:
    return str(_l("Question %(key)s, version %(version)d", key=key, version=version))


def _items(commune_id, keys):
    """A checklist question of an audit: "ĐGNB-2026-01, câu hỏi 7.5-03" (or its clause, for its own)."""
    ids = whole_ids(keys)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AuditChecklistItem.id, Audit.code, AuditQuestion.key, AuditChecklistItem.clause)
        .join(Audit, Audit.id == AuditChecklistItem.audit_id)
        .outerjoin(AuditQuestion, AuditQuestion.id == AuditChecklistItem.question_id)
        .where(AuditChecklistItem.commune_id == commune_id, AuditChecklistItem.id.in_(ids))
    )
    return {
        str(row.id): str(
            _l("%(audit)s, question %(key)s", audit=row.code, key=row.key)
            if row.key
            else _l("%(audit)s, own question on clause %(clause)s", audit=row.code, clause=row.clause)
        )
        for row in rows
    }


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
        "audit.plan_signed": _l("Audit plan signed"),
        "audit.plan_approved": _l("Audit plan approved"),
        "audit.started": _l("Audit started"),
        "audit.report_written": _l("Audit report written"),
        "audit.reported": _l("Audit report signed"),
        "audit.closed": _l("Audit closed"),
        "audit.checklist_changed": _l("Audit checklist changed"),
        "audit.own_question_added": _l("Question added to an audit's checklist"),
        "audit.question_removed": _l("Question taken out of an audit's checklist"),
        "audit.question_answered": _l("Checklist question answered"),
        "audit.evidence_attached": _l("Evidence file attached to a checklist question"),
        "audit_library.created": _l("Checklist library copied from the shipped one"),
        "audit_question.added": _l("Question added to the checklist library"),
        "audit_question.changed": _l("Checklist library question changed"),
        "audit_question.revised": _l("New version of a checklist library question"),
        "audit_question.withdrawn": _l("Question withdrawn from the checklist library"),
    },
    records={
        "audit_programmes": _l("Audit programme"),
        "audit_programme_revisions": _l("Approved revision of an audit programme"),
        "audits": _l("Internal audit"),
        "audit_findings": _l("Audit finding"),
        "audit_questions": _l("Checklist library question"),
        "audit_checklist_items": _l("Checklist question of an audit"),
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
        "checklist_result": _l("Result"),
        "evidence_notes": _l("Evidence seen"),
        "question_text": _l("Question"),
        "evidence_sought": _l("Evidence to look at"),
        "legal_basis": _l("Legal basis"),
        "questions": _l("Questions"),
        "key": _l("Question number"),
        "plan_revision": _l("Revision of the audit plan"),
        "report_revision": _l("Revision of the audit report"),
        "summary": _l("Summary"),
        "strengths": _l("Strengths"),
        "conclusions": _l("Conclusions"),
        "is_withdrawn": _l("Withdrawn"),
        "version": _l("Version"),
    },
    values={
        "programme_status": _by_value(PROGRAMME_STATUS_LABELS),
        "audit_status": _by_value(AUDIT_STATUS_LABELS),
        "grade": _by_value(GRADE_LABELS),
        "decision": _by_value(DECISION_LABELS),
        "checklist_result": _by_value(RESULT_LABELS),
        "meaning": _by_value(MEANING_LABELS),
    },
    namers={
        "audits": row_namer(Audit, Audit.code, Audit.title, name=audit_name),
        "audit_programmes": row_namer(
            AuditProgramme, AuditProgramme.year, AuditProgramme.revision, name=programme_name
        ),
        "audit_processes": _processes,
        "audit_questions": row_namer(AuditQuestion, AuditQuestion.key, AuditQuestion.version, name=question_name),
        "audit_checklist_items": _items,
    },
    refs={
        "lead_auditor_id": "users",
        "team": "users",
        "processes": "audit_processes",
        "audit_id": "audits",
        "nc_id": "nonconformities",
    },
)
