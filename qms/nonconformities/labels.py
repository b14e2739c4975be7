"""Labels of nonconformities: actions, records, fields and coded values (see qms.core.labels), the
words pages use for statuses, sources, severities, dispositions and fishbone categories, and what an
NC is called ("SKPH-2026-001 – Hồ sơ trả muộn")."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register, row_namer
from qms.nonconformities.models import (
    CauseCategory,
    Disposition,
    NcMeaning,
    NcSource,
    NcStatus,
    Nonconformity,
    ReviewResult,
    Severity,
)

STATUS_LABELS = {
    NcStatus.new: _l("New"),
    NcStatus.correction: _l("Correction in progress"),
    NcStatus.analysis: _l("Under analysis"),
    NcStatus.action_plan: _l("Action plan"),
    NcStatus.actions: _l("Actions in progress"),
    NcStatus.effectiveness_review: _l("Effectiveness review"),
    NcStatus.closed: _l("Closed"),
    NcStatus.cancelled: _l("Cancelled"),
}
SOURCE_LABELS = {
    NcSource.internal_audit: _l("Internal audit"),
    NcSource.external_audit: _l("External audit"),
    NcSource.late_dossier: _l("Late dossier"),
    NcSource.monitoring: _l("Monitoring below target"),
    NcSource.citizen_feedback: _l("Citizen feedback or complaint"),
    NcSource.staff_report: _l("Staff report"),
    NcSource.management_review: _l("Management review"),
    NcSource.other: _l("Other"),
}
SEVERITY_LABELS = {
    Severity.major: _l("Major"),
    Severity.minor: _l("Minor"),
    Severity.observation: _l("Observation"),
}
DISPOSITION_LABELS = {
    Disposition.corrected: _l("Corrected"),
    Disposition.suspended: _l("Suspended"),
    Disposition.citizen_informed: _l("Citizen informed"),
    Disposition.concession: _l("Accepted by concession"),
}
CATEGORY_LABELS = {
    CauseCategory.people: _l("People"),
    CauseCategory.method: _l("Method"),
    CauseCategory.equipment: _l("Equipment"),
    CauseCategory.materials: _l("Materials"),
    CauseCategory.measurement: _l("Measurement"),
    CauseCategory.environment: _l("Environment"),
}
RESULT_LABELS = {ReviewResult.effective: _l("Effective"), ReviewResult.not_effective: _l("Not effective")}
MEANING_LABELS = {
    NcMeaning.analysis_accepted: _l("Root-cause analysis accepted"),
    NcMeaning.closed: _l("Nonconformity closed"),
    NcMeaning.reopened: _l("Nonconformity reopened"),
    NcMeaning.cancelled: _l("Nonconformity cancelled"),
}


def _by_value(labels):
    return {key.value: label for key, label in labels.items()}


def nc_name(number, title) -> str:
    return f"{number} – {title}"


_nonconformities = row_namer(Nonconformity, Nonconformity.number, Nonconformity.title, name=nc_name)


register(
    actions={
        "nc.settings_updated": _l("Nonconformity settings changed"),
        "nc.reported": _l("Nonconformity reported"),
        "nc.opened_from_elsewhere": _l("Nonconformity opened"),
        "nc.updated": _l("Nonconformity details changed"),
        "nc.handler_assigned": _l("Handler assigned"),
        "nc.correction_recorded": _l("Correction recorded"),
        "nc.disposition_recorded": _l("Disposition recorded"),
        "nc.action_decided": _l("Decision on corrective action"),
        "nc.why_added": _l("Why added (5 Whys)"),
        "nc.why_edited": _l("Why changed (5 Whys)"),
        "nc.why_removed": _l("Why removed (5 Whys)"),
        "nc.cause_added": _l("Cause added (fishbone)"),
        "nc.cause_edited": _l("Cause changed (fishbone)"),
        "nc.cause_removed": _l("Cause removed (fishbone)"),
        "nc.analysis_accepted": _l("Root-cause analysis accepted"),
        "nc.action_added": _l("Action item added"),
        "nc.action_edited": _l("Action item changed"),
        "nc.action_completed": _l("Action item done"),
        "nc.review_planned": _l("Effectiveness review planned"),
        "nc.review_recorded": _l("Effectiveness review recorded"),
        "nc.evidence_attached": _l("Evidence attached"),
        "nc.linked": _l("Similar nonconformity linked"),
        "nc.unlinked": _l("Link to a similar nonconformity removed"),
        "nc.closed": _l("Nonconformity closed"),
        "nc.reopened": _l("Nonconformity reopened"),
        "nc.cancelled": _l("Nonconformity cancelled"),
        "nc.reminder_sent": _l("Reminder e-mailed"),
    },
    records={"nonconformities": _l("Nonconformity")},
    # fields whose shared label is another area's ("why" and "what" of a change request, a document's title)
    record_fields={
        "nonconformities": {
            "why": _l("Why?"),
            "answer": _l("Because"),
            "what": _l("What is to be done"),
            "title": _l("Title of the nonconformity"),
            "number": _l("Number"),
        }
    },
    fields={
        "action": _l("Action item"),
        "action_needed": _l("Corrective action needed"),
        "analysis_accepted_at": _l("Analysis accepted at"),
        "answer": _l("Answer"),
        "cancel_reason": _l("Reason for cancelling"),
        "cancelled_at": _l("Cancelled at"),
        "category": _l("Fishbone category"),
        "cause": _l("Cause"),
        "clause": _l("ISO 9001 clause"),
        "closed_at": _l("Closed at"),
        "closed_by_id": _l("Closed by"),
        "correction": _l("Correction"),
        "correction_by_id": _l("Correction made by"),
        "correction_done_at": _l("Correction done at"),
        "correction_due_on": _l("Correction due"),
        "detected_at": _l("Detected at"),
        "detected_by_id": _l("Detected by"),
        "disposition": _l("Disposition"),
        "disposition_at": _l("Disposition decided at"),
        "disposition_by_id": _l("Disposition decided by"),
        "documents_need_update": _l("Process documents need updating"),
        "documents_to_update": _l("Documents to update"),
        "done_at": _l("Done at"),
        "dossier_code": _l("Dossier code"),
        "due_on": _l("Due date"),
        "handler_id": _l("Handled by"),
        "is_root": _l("Root cause"),
        "no_action_reason": _l("Why no corrective action is needed"),
        "note": _l("Note"),
        "notes": _l("Notes"),
        "number": _l("Number"),
        "number_format": _l("Number format"),
        "owner_id": _l("Owner"),
        "planned_on": _l("Planned date"),
        "procedure_id": _l("Procedure"),
        "question": _l("Question"),
        "process_step": _l("Process step"),
        "reopened_count": _l("Times reopened"),
        "report_form_code": _l("Form of the NC report"),
        "recorded_at": _l("Recorded at"),
        "result": _l("Result"),
        "review": _l("Effectiveness review"),
        "reviewed_on": _l("Reviewed on"),
        "reviewer_id": _l("Reviewer"),
        "risks_need_update": _l("Risks and opportunities need updating"),
        "round": _l("Round"),
        "round_no": _l("Round"),
        "severity": _l("Severity"),
        "similar": _l("Similar nonconformity"),
        "source": _l("Source"),
        "source_ref": _l("Opened from"),
        "unit_id": _l("Unit"),
        "description": _l("Description"),
        "document_id": _l("Document"),
        "why": _l("Why"),
    },
    values={
        "status": _by_value(STATUS_LABELS),
        "source": _by_value(SOURCE_LABELS),
        "severity": _by_value(SEVERITY_LABELS),
        "disposition": _by_value(DISPOSITION_LABELS),
        "category": _by_value(CATEGORY_LABELS),
        "result": _by_value(RESULT_LABELS),
        "meaning": _by_value(MEANING_LABELS),
        "via": {"nc_report": _l("Nonconformity report")},  # a form filled in as the NC report
    },
    namers={"nonconformities": _nonconformities},
    refs={
        "closed_by_id": "users",
        "correction_by_id": "users",
        "detected_by_id": "users",
        "disposition_by_id": "users",
        "handler_id": "users",
        "owner_id": "users",
        "reviewer_id": "users",
        "unit_id": "units",
        "procedure_id": "documents",
        "document_id": "documents",
        "source_ref": "record",
    },
)
