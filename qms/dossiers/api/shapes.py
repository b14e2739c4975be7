"""The JSON of a dossier as the API gives it (listed, and whole with its process and control sheet),
and the OpenAPI schemas that describe it. Codes are the stored values (status "in_progress",
timeliness "late"); dates are ISO (YYYY-MM-DD, Vietnam days), times ISO 8601 in UTC.

The applicant's details are personal data: only GET of one dossier gives them, to a user handling
it, and that reading is an audit event (services.read_applicant); everywhere else `applicant` is
null."""

import datetime as dt

from flask import url_for

from qms.auth.models import User
from qms.core.calendar import local_today
from qms.db import db
from qms.documents.models import Document, DocumentVersion
from qms.dossiers.models import OPEN_STATUSES, Channel, DossierStatus, HandoverKind, Timeliness
from qms.dossiers.services import APOLOGY_SIGNED, step_due_at
from qms.signatures.services import signatures_of, subject_kind, verify


def iso(value):
    """ISO 8601: a date as it is, a time in UTC (as stored, whatever zone it was given in)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC)
    return value.isoformat() if value is not None else None


def person(user):
    return {"id": user.id, "username": user.username, "full_name": user.full_name} if user is not None else None


def dossier_url(dossier):
    return url_for("api.show_dossier", code=dossier.code)


def is_late(dossier, today=None) -> bool:
    """Late as the ledger's filter has it: completed late, or still open past its due date."""
    if dossier.timeliness is Timeliness.late:
        return True
    return dossier.status in OPEN_STATUSES and dossier.due_date < (today or local_today())


def _current_step(dossier):
    """(number, step) of the step in progress, or (None, None) once the dossier is no longer handled."""
    if dossier.status not in OPEN_STATUSES:
        return None, None
    steps = dossier.process_map.content["steps"]
    return next(((n, s) for n, s in enumerate(steps, 1) if s["id"] == dossier.step_id), (None, None))


def _step(dossier):
    """The step in progress with when it is due (None once the dossier is no longer being handled)."""
    number, step = _current_step(dossier)
    if step is None:
        return None
    return {
        "number": number,
        "id": step["id"],
        "name": step["name"],
        "role": step["role"],
        "started_at": iso(dossier.step_started_at),
        "due_at": iso(step_due_at(dossier)) if dossier.status is DossierStatus.in_progress else None,
    }


def dossier_summary(dossier, today=None):
    """A dossier as the list gives it."""
    _number, step = _current_step(dossier)
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure_name},
        "channel": dossier.channel.value,
        "status": dossier.status.value,
        "received_at": iso(dossier.received_at),
        "effective_receipt_date": iso(dossier.effective_receipt_date),
        "due_date": iso(dossier.due_date),
        "timeliness": dossier.timeliness.value if dossier.timeliness else None,
        "late": is_late(dossier, today),
        "step": {"id": step["id"], "name": step["name"]} if step else None,
        "holder": person(dossier.holder),
        "links": {"self": dossier_url(dossier), "page": url_for("dossiers.show_dossier", code=dossier.code)},
    }


def _process(dossier):
    mapped = dossier.process_map
    process = mapped.process
    version = db.session.get(DocumentVersion, mapped.document_version_id)
    document = db.session.get(Document, version.document_id) if version is not None else None
    return {
        "code": process.code,
        "name": process.name,
        "working_days": process.working_days,
        "cutoff": process.cutoff,
        "digest": mapped.digest,
        "document_version": (
            {
                "code": document.code,
                "issue_no": version.issue_no,
                "issue_label": version.issue_label,
                "status": version.status.value,
            }
            if version is not None and document is not None
            else None
        ),
        "steps": [
            {"number": n, "id": s.id, "name": s.name, "role": s.role, "allowance_hours": s.allowance_hours}
            for n, s in enumerate(process.steps, 1)
        ],
    }


def _line(line, step_names):
    return {
        "seq": line.seq,
        "kind": line.kind.value,
        "step": {"id": line.step_id, "name": step_names.get(line.step_id, "")} if line.step_id else None,
        "from": person(line.from_user) or ({"full_name": line.from_name} if line.from_name else None),
        "to": person(line.to_user) or ({"full_name": line.to_name} if line.to_name else None),
        "at": iso(line.at),
        "notes": line.notes,
        "step_due_at": iso(line.step_due_at),
        "timeliness": line.timeliness.value if line.timeliness else None,
    }


def _apology(dossier):
    if dossier.apology_signed_at is None:
        return None
    found = [s for s in signatures_of(dossier) if s.meaning == APOLOGY_SIGNED]
    check = verify(found[-1], dossier, current_digest=subject_kind(dossier).content_digest(dossier)) if found else None
    return {
        "reason": dossier.apology_reason,
        "new_due_date": iso(dossier.apology_due_date),
        "signed_at": iso(dossier.apology_signed_at),
        "signed_by": person(db.session.get(User, dossier.apology_signed_by_id)),
        "signature_valid": bool(check and check.sealed),
    }


def dossier_detail(dossier, applicant=None, today=None):
    """The dossier whole: its dates and status, the step in progress and its holder, the process it is
    handled under, its control sheet, and (`applicant`, read by the caller through the service) the
    applicant's details or None."""
    process = dossier.process_map.process
    step_names = {s.id: s.name for s in process.steps}
    return {
        **dossier_summary(dossier, today),
        "step": _step(dossier),
        "received_by": person(dossier.received_by),
        "unit": {"code": dossier.unit.code, "name": dossier.unit.name} if dossier.unit is not None else None,
        "components": list(dossier.components or []),
        "paused_days": dossier.paused_days,
        "supplement": (
            {
                "items": list(dossier.supplement_items or []),
                "requested_at": iso(dossier.supplement_requested_at),
                "received_at": iso(dossier.supplement_received_at),
            }
            if dossier.supplement_requested_at is not None
            else None
        ),
        "refusal_reason": dossier.refusal_reason or None,
        "withdraw_reason": dossier.withdraw_reason or None,
        "result_ready_at": iso(dossier.result_ready_at),
        "completed_at": iso(dossier.completed_at),
        "apology": _apology(dossier),
        "process": _process(dossier),
        "control_sheet": [_line(line, step_names) for line in dossier.handovers],
        "applicant": (
            {"name": applicant.name, "phone": applicant.phone, "address": applicant.address} if applicant else None
        ),
    }


# --- OpenAPI schemas ---------------------------------------------------------------------------------


def _values(enum_cls):
    return [m.value for m in enum_cls]


DATE = {"type": "string", "format": "date", "nullable": True}
DATETIME = {"type": "string", "format": "date-time", "nullable": True}
PERSON = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"}},
}
STATUS = {"type": "string", "enum": _values(DossierStatus)}
TIMELINESS = {"type": "string", "enum": _values(Timeliness), "nullable": True}

DOSSIER_SUMMARY_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "The dossier's code (unit + yymmdd + daily serial by default)"},
        "procedure": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "National code"},
                "name": {"type": "string", "description": "As the process it is handled under names it"},
            },
        },
        "channel": {"type": "string", "enum": _values(Channel)},
        "status": STATUS,
        "received_at": DATETIME,
        "effective_receipt_date": {
            **DATE,
            "description": "The working day the count starts from (after a day off or the cut-off hour: the next)",
        },
        "due_date": {**DATE, "description": "Due date in force (pushed by a supplement, or the apology letter's)"},
        "timeliness": {**TIMELINESS, "description": "Early, on time or late, once the result is recorded"},
        "late": {"type": "boolean", "description": "Completed late, or still being handled past its due date"},
        "step": {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            "description": "The step in progress (null once no longer handled)",
        },
        "holder": {**PERSON, "description": "Who holds the dossier now (null once no longer handled)"},
        "links": {
            "type": "object",
            "properties": {"self": {"type": "string"}, "page": {"type": "string", "description": "Its page"}},
        },
    },
}

_LINE = {
    "type": "object",
    "properties": {
        "seq": {"type": "integer"},
        "kind": {"type": "string", "enum": _values(HandoverKind)},
        "step": {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            "description": "The step this line ends (a hand-over) or happened at",
        },
        "from": {**PERSON, "description": "Who gave the dossier (or acted)"},
        "to": {**PERSON, "description": "Who received it (a hand-over)"},
        "at": DATETIME,
        "notes": {"type": "string"},
        "step_due_at": {**DATETIME, "description": "When the step was due (its allowance in working hours)"},
        "timeliness": {**TIMELINESS, "description": "The step (or the result) against its allowance (due date)"},
    },
}

DOSSIER_DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        **DOSSIER_SUMMARY_SCHEMA["properties"],
        "step": {
            "type": "object",
            "nullable": True,
            "description": "The step in progress (null once no longer handled)",
            "properties": {
                "number": {"type": "integer"},
                "id": {"type": "string"},
                "name": {"type": "string"},
                "role": {"type": "string", "description": "Role id of the process map"},
                "started_at": DATETIME,
                "due_at": {**DATETIME, "description": "Its allowance from when it began (null while paused)"},
            },
        },
        "received_by": PERSON,
        "unit": {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "components": {"type": "array", "items": {"type": "string"}, "description": "The papers received"},
        "paused_days": {"type": "integer", "description": "Working days the clock stood still for a supplement"},
        "supplement": {
            "type": "object",
            "nullable": True,
            "properties": {
                "items": {"type": "array", "items": {"type": "string"}},
                "requested_at": DATETIME,
                "received_at": DATETIME,
            },
        },
        "refusal_reason": {"type": "string", "nullable": True},
        "withdraw_reason": {"type": "string", "nullable": True},
        "result_ready_at": DATETIME,
        "completed_at": {**DATETIME, "description": "Returned, refused or withdrawn"},
        "apology": {
            "type": "object",
            "nullable": True,
            "description": "The apology letter a leader signed to set a new return date",
            "properties": {
                "reason": {"type": "string"},
                "new_due_date": DATE,
                "signed_at": DATETIME,
                "signed_by": PERSON,
                "signature_valid": {"type": "boolean"},
            },
        },
        "process": {
            "type": "object",
            "description": "The process the dossier is handled under (the map in force when it was received)",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "working_days": {"type": "integer", "description": "Statutory limit; 0: the same day"},
                "cutoff": {"type": "string", "nullable": True},
                "digest": {"type": "string", "description": "SHA-256 of the process map's canonical content"},
                "document_version": {
                    "type": "object",
                    "nullable": True,
                    "description": "The version of the process document (QT) the map belongs to",
                    "properties": {
                        "code": {"type": "string"},
                        "issue_no": {"type": "integer"},
                        "issue_label": {"type": "string"},
                        "status": {"type": "string"},
                    },
                },
                "steps": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "number": {"type": "integer"},
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "role": {"type": "string"},
                            "allowance_hours": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "control_sheet": {
            "type": "array",
            "items": _LINE,
            "description": "The process control sheet (phiếu kiểm soát quá trình), oldest line first",
        },
        "applicant": {
            "type": "object",
            "nullable": True,
            "description": "Personal data: only in GET of the dossier, for a user handling it (received it, "
            "holds it or is on its control sheet); the reading is recorded in the audit trail. Null otherwise.",
            "properties": {"name": {"type": "string"}, "phone": {"type": "string"}, "address": {"type": "string"}},
        },
    },
}
