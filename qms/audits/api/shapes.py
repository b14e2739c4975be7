"""The JSON of internal audits as the API gives them (a programme, an audit listed, an audit whole with
its checklist, findings and signed records), and the OpenAPI schemas that describe them. Coded values
come as their stored code and, beside it, their label in the reader's language (status and
status_label); processes by key and name."""

from flask import url_for

from qms.api import PERSON_SCHEMA, iso, person
from qms.audits import labels
from qms.audits.models import AuditMeaning, AuditStatus, ChecklistResult, Decision, Grade, ProgrammeStatus
from qms.audits.services import approval_holds
from qms.audits.services.common import process_name
from qms.auth.models import Unit, User
from qms.db import db
from qms.nonconformities.labels import STATUS_LABELS as NC_STATUS_LABELS
from qms.nonconformities.models import Nonconformity
from qms.signatures.services import signatures_of, subject_kind, verify


def _label(labels_of, value):
    return str(labels_of[value]) if value is not None and value in labels_of else None


def _user(user_id):
    return person(db.session.get(User, user_id)) if user_id is not None else None


def audit_url(audit):
    return url_for("api.show_audit", audit_id=audit.id)


def programme_summary(programme):
    """A programme: year, revision, status, who approved it, and its audits in brief."""
    audits = list(programme.audits)
    return {
        "id": programme.id,
        "year": programme.year,
        "revision": programme.revision,
        "status": programme.status.value,
        "status_label": _label(labels.PROGRAMME_STATUS_LABELS, programme.status),
        "approved_by": _user(programme.approved_by_id),
        "approved_at": iso(programme.approved_at),
        "approval_holds": approval_holds(programme),
        "audit_count": sum(1 for a in audits if a.is_active),
        "audits": [
            {
                "id": audit.id,
                "code": audit.code,
                "title": audit.title,
                "status": audit.status.value,
                "status_label": _label(labels.AUDIT_STATUS_LABELS, audit.status),
                "planned_start": iso(audit.planned_start),
                "planned_end": iso(audit.planned_end),
                "links": {"self": audit_url(audit)},
            }
            for audit in audits
        ],
        "links": {"audits": url_for("api.list_audits", year=programme.year)},
    }


def audit_summary(audit):
    """An audit as listed: what identifies it, its scope, dates, team and where its conduct stands."""
    lead = next((m for m in audit.team if m.is_lead), None)
    return {
        "id": audit.id,
        "code": audit.code,
        "year": audit.year,
        "title": audit.title,
        "status": audit.status.value,
        "status_label": _label(labels.AUDIT_STATUS_LABELS, audit.status),
        "criteria": audit.criteria,
        "clauses": list(audit.clauses or []),
        "processes": [{"key": p.key, "name": process_name(p)} for p in audit.processes],
        "units": [
            {"id": u.id, "code": u.code, "name": u.name}
            for u in (db.session.get(Unit, link.unit_id) for link in audit.units)
        ],
        "planned_start": iso(audit.planned_start),
        "planned_end": iso(audit.planned_end),
        "lead_auditor": person(lead.user) if lead is not None else _user(audit.lead_auditor_id),
        "team": [{**person(m.user), "is_lead": m.is_lead} for m in audit.team],
        "started_at": iso(audit.started_at),
        "reported_at": iso(audit.reported_at),
        "closed_at": iso(audit.closed_at),
        "cancel_reason": audit.cancel_reason or "",
        "programme": {"year": audit.programme.year, "revision": audit.programme.revision},
        "links": {"self": audit_url(audit)},
    }


def _attachment(attachment):
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "added_by": person(attachment.added_by),
        "added_at": iso(attachment.added_at),
    }


def checklist_item(item):
    question = item.question
    return {
        "id": item.id,
        "position": item.position,
        "clause": item.clause,
        "question": {"key": question.key, "version": question.version} if question is not None else None,
        "text": item.text,
        "result": item.result.value if item.result is not None else None,
        "result_label": _label(labels.RESULT_LABELS, item.result),
        "notes": item.notes,
        "answered_by": person(item.answered_by),
        "answered_at": iso(item.answered_at),
        "finding_id": item.finding_id,
        "attachments": [_attachment(a) for a in item.attachments],
    }


def nonconformity(nc_id):
    nc = db.session.get(Nonconformity, nc_id) if nc_id is not None else None
    if nc is None:
        return None
    return {
        "id": nc.id,
        "number": nc.number,
        "status": nc.status.value,
        "status_label": _label(NC_STATUS_LABELS, nc.status),
        "links": {"self": url_for("api.show_nonconformity", nc_id=nc.id)},
    }


def finding_dict(finding):
    return {
        "id": finding.id,
        "clause": finding.clause,
        "grade": finding.grade.value,
        "grade_label": _label(labels.GRADE_LABELS, finding.grade),
        "description": finding.description,
        "recorded_by": person(finding.recorded_by),
        "recorded_at": iso(finding.recorded_at),
        "nonconformity": nonconformity(finding.nc_id),
        "decision": finding.decision.value if finding.decision is not None else None,
        "decision_label": _label(labels.DECISION_LABELS, finding.decision),
        "decision_reason": finding.decision_reason or "",
        "decided_by": _user(finding.decided_by_id),
        "decided_at": iso(finding.decided_at),
    }


def _meaning_label(value):
    try:
        return _label(labels.MEANING_LABELS, AuditMeaning(value))
    except ValueError:
        return None


def signed_record(record):
    """A plan or report at one revision, with each signature verified: its seal intact, and the
    record still holding what was signed."""
    found = signatures_of(record)
    digest = subject_kind(record).content_digest(record) if found else ""
    signatures = []
    for signature in found:
        check = verify(signature, record, current_digest=digest)
        signatures.append(
            {
                "meaning": signature.meaning,
                "meaning_label": _meaning_label(signature.meaning),
                "signer": {"id": signature.signer_id, "full_name": signature.signer_name},
                "signed_at": iso(signature.signed_at),
                "valid": check.valid,
                "sealed": check.sealed,
                "covers_current_state": check.content_matches,
            }
        )
    return {
        "id": record.id,
        "kind": record.kind.value,
        "revision": record.revision,
        "filename": record.filename,
        "sha256": record.sha256,
        "created_at": iso(record.created_at),
        "created_by": _user(record.created_by_id),
        "signatures": signatures,
    }


def audit_detail(audit):
    """An audit whole: as listed, with the report's text, the checklist, the findings and the signed
    records."""
    return {
        **audit_summary(audit),
        "summary": audit.summary,
        "strengths": audit.strengths,
        "conclusions": audit.conclusions,
        "checklist": [checklist_item(item) for item in audit.items],
        "findings": [finding_dict(f) for f in audit.findings],
        "records": [signed_record(r) for r in audit.records],
    }


# --- OpenAPI schemas ---------------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date", "nullable": True}
_TIME = {"type": "string", "format": "date-time", "nullable": True}
_TEXT = {"type": "string"}
_LABEL = {"type": "string", "nullable": True, "description": "In the reader's language"}
_LINKS = {"type": "object", "properties": {"self": _TEXT}}


def _codes(enum_cls, nullable=False):
    return {"type": "string", "enum": [m.value for m in enum_cls] + ([None] if nullable else []), "nullable": nullable}


AUDIT_BRIEF_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": _TEXT,
        "title": _TEXT,
        "status": _codes(AuditStatus),
        "status_label": _LABEL,
        "planned_start": _DATE,
        "planned_end": _DATE,
        "links": _LINKS,
    },
}

PROGRAMME_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "year": {"type": "integer"},
        "revision": {"type": "integer"},
        "status": _codes(ProgrammeStatus),
        "status_label": _LABEL,
        "approved_by": PERSON_SCHEMA,
        "approved_at": _TIME,
        "approval_holds": {
            "type": "boolean",
            "description": "Approved, and its audits are still as the leader's signature sealed them",
        },
        "audit_count": {"type": "integer", "description": "Audits planned, cancelled ones aside"},
        "audits": {"type": "array", "items": AUDIT_BRIEF_SCHEMA},
        "links": {"type": "object", "properties": {"audits": _TEXT}},
    },
}

AUDIT_SCHEMA = {
    "type": "object",
    "properties": {
        **AUDIT_BRIEF_SCHEMA["properties"],
        "year": {"type": "integer"},
        "criteria": _TEXT,
        "clauses": {"type": "array", "items": _TEXT, "description": "ISO 9001:2015 clauses (4 to 10)"},
        "processes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string", "description": "procedure:<id> or system:<key>"},
                    "name": _TEXT,
                },
            },
        },
        "units": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "integer"}, "code": _TEXT, "name": _TEXT}},
        },
        "lead_auditor": PERSON_SCHEMA,
        "team": {
            "type": "array",
            "items": {"type": "object", "properties": {**PERSON_SCHEMA["properties"], "is_lead": {"type": "boolean"}}},
        },
        "started_at": _TIME,
        "reported_at": _TIME,
        "closed_at": _TIME,
        "cancel_reason": _TEXT,
        "programme": {"type": "object", "properties": {"year": {"type": "integer"}, "revision": {"type": "integer"}}},
    },
}

NC_REF_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The nonconformity a major or minor finding opened",
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string", "description": "SKPH-2026-001"},
        "status": _TEXT,
        "status_label": _LABEL,
        "links": _LINKS,
    },
}

FINDING_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "clause": _TEXT,
        "grade": _codes(Grade),
        "grade_label": _LABEL,
        "description": _TEXT,
        "recorded_by": PERSON_SCHEMA,
        "recorded_at": _TIME,
        "nonconformity": NC_REF_SCHEMA,
        "decision": {**_codes(Decision, nullable=True), "description": "Observations and opportunities only"},
        "decision_label": _LABEL,
        "decision_reason": _TEXT,
        "decided_by": PERSON_SCHEMA,
        "decided_at": _TIME,
    },
}

CHECKLIST_ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "position": {"type": "integer"},
        "clause": _TEXT,
        "question": {
            "type": "object",
            "nullable": True,
            "description": "The library question and the version the checklist took (null: the audit's own)",
            "properties": {"key": _TEXT, "version": {"type": "integer"}},
        },
        "text": _TEXT,
        "result": _codes(ChecklistResult, nullable=True),
        "result_label": _LABEL,
        "notes": {"type": "string", "description": "The evidence seen"},
        "answered_by": PERSON_SCHEMA,
        "answered_at": _TIME,
        "finding_id": {"type": "integer", "nullable": True},
        "attachments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "filename": _TEXT,
                    "media_type": _TEXT,
                    "size": {"type": "integer"},
                    "sha256": _TEXT,
                    "added_by": PERSON_SCHEMA,
                    "added_at": _TIME,
                },
            },
        },
    },
}

RECORD_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["plan", "report"]},
        "revision": {"type": "integer"},
        "filename": _TEXT,
        "sha256": {"type": "string", "description": "SHA-256 of the signed .docx"},
        "created_at": _TIME,
        "created_by": PERSON_SCHEMA,
        "signatures": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "meaning": {"type": "string", "enum": [m.value for m in AuditMeaning]},
                    "meaning_label": _LABEL,
                    "signer": PERSON_SCHEMA,
                    "signed_at": _TIME,
                    "valid": {"type": "boolean", "description": "Sealed and still covering the record"},
                    "sealed": {"type": "boolean", "description": "Nobody altered the signature"},
                    "covers_current_state": {"type": "boolean", "description": "The record holds what was signed"},
                },
            },
        },
    },
}

AUDIT_DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        **AUDIT_SCHEMA["properties"],
        "summary": _TEXT,
        "strengths": _TEXT,
        "conclusions": _TEXT,
        "checklist": {"type": "array", "items": CHECKLIST_ITEM_SCHEMA},
        "findings": {"type": "array", "items": FINDING_SCHEMA},
        "records": {"type": "array", "items": RECORD_SCHEMA, "description": "Signed plans and reports"},
    },
}
