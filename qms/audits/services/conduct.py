"""Conducting an audit: its signed plan, its start, its signed report and its closing.

planned --(plan signed by the lead auditor, approved by a leader; programme approved)--> in_progress
in_progress --(every checklist question answered; report signed by the lead auditor)--> reported
reported --(the quality officer or the lead auditor)--> closed

The plan and the report are documents of the audit (AuditRecord): the state they show, written once,
and the .docx made from it (qms.audits.exports), sealed by the signatures on the record. A plan
changed after it was signed is no longer the plan that was signed (plan_holds): it is signed and
approved again, as its next revision, before the audit starts.
"""

from flask_babel import lazy_gettext as _l

from qms.audit.services import diff, record_event
from qms.audits import exports
from qms.audits import permissions as perm
from qms.audits.models import (
    NC_GRADES,
    AuditMeaning,
    AuditRecord,
    AuditStatus,
    RecordKind,
)
from qms.audits.services.checklist import build_default_checklist, clause_order
from qms.audits.services.common import check_row_version, flush, process_name, require, text
from qms.audits.services.programme import approval_holds
from qms.auth.models import Unit, User
from qms.core.calendar import utcnow
from qms.core.digests import record_digest
from qms.db import DomainError, db
from qms.files.storage import store_bytes
from qms.nonconformities.models import Nonconformity
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes, signatures_of
from qms.signatures.services import verify as verify_signature

register_subject(
    AuditRecord.__tablename__,
    AuditRecord,
    content_digest=lambda record: record_digest({"state": record.state, "file": record.sha256}),
    identity=lambda record: (str(record.audit_id), record.kind.value, str(record.revision)),
)


def _name(user_id) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.full_name if user is not None else ""


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- what the plan and the report show ----------------------------------------------------------------


def plan_state(audit) -> dict:
    """The audit plan as the lead auditor signs it: scope, criteria, dates, team."""
    lead = next((m for m in audit.team if m.is_lead), None)
    return {
        "code": audit.code,
        "title": audit.title,
        "year": audit.year,
        "programme": {"year": audit.programme.year, "revision": audit.programme.revision},
        "criteria": audit.criteria,
        "clauses": list(audit.clauses or []),
        "process_keys": sorted(p.key for p in audit.processes),
        "processes": [process_name(p) for p in audit.processes],
        "units": [db.session.get(Unit, u.unit_id).name for u in audit.units],
        "planned_start": audit.planned_start.isoformat(),
        "planned_end": audit.planned_end.isoformat(),
        "lead_auditor_id": audit.lead_auditor_id,
        "lead_auditor": lead.user.full_name if lead is not None else _name(audit.lead_auditor_id),
        "team": [m.user.full_name for m in audit.team if not m.is_lead],
    }


def _nc_of(finding):
    return db.session.get(Nonconformity, finding.nc_id) if finding.nc_id is not None else None


def report_state(audit) -> dict:
    """The report as the lead auditor signs it: the plan's content, the checklist's results, the
    findings (with the NCs they opened) and the report's text."""
    items = sorted(audit.items, key=lambda i: (clause_order(i.clause), i.position))
    findings = []
    for finding in sorted(audit.findings, key=lambda f: (clause_order(f.clause), f.id)):
        nc = _nc_of(finding)
        findings.append(
            {
                "clause": finding.clause,
                "grade": finding.grade.value,
                "description": finding.description,
                "nc_code": nc.number if nc is not None else None,
                "nc_status": nc.status.value if nc is not None else None,
                "decision": finding.decision.value if finding.decision is not None else None,
                "decision_reason": finding.decision_reason,
            }
        )
    return {
        **plan_state(audit),
        "started_at": _iso(audit.started_at),
        "reported_at": _iso(audit.reported_at),  # set by sign_report before it takes this state
        "summary": audit.summary,
        "strengths": audit.strengths,
        "conclusions": audit.conclusions,
        "items": [
            {
                "clause": item.clause,
                "key": item.question.key if item.question is not None else None,
                "version": item.question.version if item.question is not None else None,
                "text": item.text,
                "result": item.result.value if item.result is not None else None,
                "notes": item.notes,
                "attachments": [{"filename": a.filename, "sha256": a.sha256} for a in item.attachments],
            }
            for item in items
        ],
        "findings": findings,
    }


# --- the records and their signatures -------------------------------------------------------------------


def latest_record(audit, kind) -> AuditRecord | None:
    records = [r for r in audit.records if r.kind is kind]
    return max(records, key=lambda r: r.revision) if records else None


def _signature(record, meaning):
    """The record's valid signature of `meaning`, or None."""
    if record is None:
        return None
    for signature in signatures_of(record):
        if signature.meaning == meaning.value and verify_signature(signature, record).valid:
            return signature
    return None


def plan_signature(audit):
    return _signature(latest_record(audit, RecordKind.plan), AuditMeaning.plan_signed)


def plan_approval(audit):
    return _signature(latest_record(audit, RecordKind.plan), AuditMeaning.plan_approved)


def report_signature(audit):
    return _signature(latest_record(audit, RecordKind.report), AuditMeaning.report_signed)


def plan_is_current(audit) -> bool:
    """The latest signed plan still shows the audit as it is planned now."""
    record = latest_record(audit, RecordKind.plan)
    return record is not None and record_digest(record.state) == record_digest(plan_state(audit))


def plan_holds(audit) -> bool:
    """The plan as it is now was signed by the lead auditor and approved by a leader."""
    return plan_is_current(audit) and plan_signature(audit) is not None and plan_approval(audit) is not None


def _write_record(actor, audit, kind, state, filename):
    data = (exports.plan_docx if kind is RecordKind.plan else exports.report_docx)(audit, state)
    stored = store_bytes(data)
    previous = latest_record(audit, kind)
    record = AuditRecord(
        commune_id=audit.commune_id,
        audit_id=audit.id,
        kind=kind,
        revision=(previous.revision + 1) if previous is not None else 1,
        state=state,
        sha256=stored.sha256,
        filename=filename,
        created_at=utcnow(),
        created_by_id=actor.id,
    )
    audit.records.append(record)
    flush()
    return record


def sign_plan(actor, audit, password, *, expected_row_version=None):
    """The lead auditor signs the audit plan as it is now (password typed again): its .docx is made and
    kept with the state it shows. Refused while the audit is not planned, or when the plan as it is was
    signed already. Returns the signature."""
    require(perm.sign_plan_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.planned:
        raise DomainError(_l("Only the plan of a planned audit is signed."), code="not_planned", status=409)
    if plan_is_current(audit) and plan_signature(audit) is not None:
        raise DomainError(_l("The plan as it is now is signed already."), code="signed", status=409)
    confirm_password(actor, password, meaning=AuditMeaning.plan_signed.value, subject=audit)
    record = _write_record(actor, audit, RecordKind.plan, plan_state(audit), f"{audit.code}-ke-hoach.docx")
    signature = sign(actor, record, AuditMeaning.plan_signed.value)
    record_event(
        actor,
        "audit.plan_signed",
        audit,
        changes={"plan_revision": (None, record.revision), **signature_changes(signature)},
    )
    return signature


def approve_plan(actor, audit, password, *, expected_row_version=None):
    """A leader approves the signed plan (password typed again). Refused when the plan is not signed as
    it is now, is approved already, or the leader is its lead auditor. Returns the signature."""
    require(perm.approve_plan_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.planned:
        raise DomainError(_l("Only the plan of a planned audit is approved."), code="not_planned", status=409)
    if not plan_is_current(audit) or plan_signature(audit) is None:
        raise DomainError(
            _l("The lead auditor signs the plan as it is now before a leader approves it."),
            code="plan_not_signed",
            status=409,
        )
    if plan_approval(audit) is not None:
        raise DomainError(_l("This plan is approved already."), code="approved", status=409)
    if actor.id == audit.lead_auditor_id:
        raise DomainError(_l("The lead auditor cannot approve their own plan."), code="own_plan")
    confirm_password(actor, password, meaning=AuditMeaning.plan_approved.value, subject=audit)
    record = latest_record(audit, RecordKind.plan)
    signature = sign(actor, record, AuditMeaning.plan_approved.value)
    record_event(
        actor,
        "audit.plan_approved",
        audit,
        changes={"plan_revision": (None, record.revision), **signature_changes(signature)},
    )
    return signature


def start_refusal(audit) -> str | None:
    """Why the audit cannot start now (the gate of planned -> in progress), or None."""
    if audit.status is not AuditStatus.planned:
        return _l("Only a planned audit starts.")
    if not approval_holds(audit.programme):
        return _l("A leader approves the audit programme, as it is now, before its audits start.")
    if not plan_holds(audit):
        return _l(
            "The audit plan, as it is now, is signed by the lead auditor and approved by a leader before "
            "the audit starts."
        )
    return None


def start_audit(actor, audit, *, expected_row_version=None):
    """The lead auditor or the quality officer starts the audit: the programme is approved and the plan
    signed and approved as they are now. An empty checklist takes every library question of the
    audit's clauses."""
    require(perm.start_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    refusal = start_refusal(audit)
    if refusal is not None:
        raise DomainError(refusal, code="cannot_start", status=409)
    build_default_checklist(actor, audit)
    changes = {"audit_status": (audit.status, AuditStatus.in_progress)}
    audit.status, audit.started_at, audit.started_by_id = AuditStatus.in_progress, utcnow(), actor.id
    flush()
    record_event(actor, "audit.started", audit, changes=changes)
    return audit


def write_report(actor, audit, *, summary, strengths, conclusions, expected_row_version=None):
    """The lead auditor writes the report's summary, strengths and conclusions while the audit is in
    progress."""
    require(perm.report_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.in_progress:
        raise DomainError(
            _l("The report is written while the audit is in progress."), code="not_in_progress", status=409
        )
    changes = diff(audit, summary=text(summary), strengths=text(strengths), conclusions=text(conclusions))
    if changes:
        audit.updated_at, audit.updated_by_id = utcnow(), actor.id
        flush()
        record_event(actor, "audit.report_written", audit, changes=changes)
    return audit


def report_refusal(audit) -> str | None:
    """Why the report cannot be signed now, or None."""
    if audit.status is not AuditStatus.in_progress:
        return _l("The report of an audit in progress is signed.")
    unanswered = sum(1 for item in audit.items if item.result is None)
    if not audit.items:
        return _l("The checklist is empty.")
    if unanswered:
        return _l("%(n)d questions of the checklist have no result yet.", n=unanswered)
    if not audit.summary or not audit.conclusions:
        return _l("Write the report's summary and conclusions before signing it.")
    return None


def sign_report(actor, audit, password, *, expected_row_version=None):
    """The lead auditor signs the report (password typed again): every checklist question has its
    result and the report its summary and conclusions. The .docx is made and kept; the audit is
    reported. Returns the signature."""
    require(perm.report_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    refusal = report_refusal(audit)
    if refusal is not None:
        raise DomainError(refusal, code="cannot_report", status=409)
    confirm_password(actor, password, meaning=AuditMeaning.report_signed.value, subject=audit)
    now = utcnow()
    audit.reported_at = now
    record = _write_record(actor, audit, RecordKind.report, report_state(audit), f"{audit.code}-bao-cao.docx")
    signature = sign(actor, record, AuditMeaning.report_signed.value)
    changes = {"audit_status": (audit.status, AuditStatus.reported)}
    audit.status = AuditStatus.reported
    flush()
    record_event(
        actor,
        "audit.reported",
        audit,
        changes={**changes, "report_revision": (None, record.revision), **signature_changes(signature)},
    )
    return signature


def close_audit(actor, audit, *, expected_row_version=None):
    """The quality officer or the lead auditor closes a reported audit whose report's signature still
    verifies. The NCs its findings opened go on (follow_up)."""
    require(perm.close_refusal(actor, audit))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.reported or report_signature(audit) is None:
        raise DomainError(
            _l("An audit is closed once the lead auditor has signed its report."), code="not_reported", status=409
        )
    changes = {"audit_status": (audit.status, AuditStatus.closed)}
    audit.status, audit.closed_at, audit.closed_by_id = AuditStatus.closed, utcnow(), actor.id
    flush()
    record_event(actor, "audit.closed", audit, changes=changes)
    return audit


def follow_up(audit) -> list:
    """Each nonconformity finding of the audit with the NC it opened (None if it could not be found),
    in the standard's order."""
    findings = [f for f in audit.findings if f.grade in NC_GRADES]
    return [(f, _nc_of(f)) for f in sorted(findings, key=lambda f: (clause_order(f.clause), f.id))]
