"""The JSON API of procedures under /api/v1/procedures: the same reads as the pages (the commune's
procedures, each as its map in force says), and the due date of a dossier received at a given
time, counted by qms.core.calendar.due_date with the procedure's statutory limit and cut-off hour.

Procedures are named by their national code, unique within a commune; a code of another commune is
simply not found. Refusals are DomainErrors, which qms/errors.py turns into {"error", "message"}
with their status: 400 for a bad parameter, 404 for an unknown code, 409 for a procedure whose
process is not in force yet (no limit to count with).
"""

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.api import api_route, error_spec, json_spec, path_param, query_param
from qms.api.arguments import refuse, refuse_unknown_parameters
from qms.core.access import allow
from qms.core.calendar import RECEIVED_YEARS, due_date, parse_received
from qms.processes import permissions as perm
from qms.processes import queries
from qms.processes.maps import BRANCHES, ONLINE_LEVELS, cutoff_time

TAGS = ["procedures"]
LIST_PARAMETERS = ("q", "field")
MAX_QUERY = 200

# --- OpenAPI descriptions ---------------------------------------------------------------------------

_ISSUE = {
    "type": "object",
    "nullable": True,
    "properties": {
        "code": {"type": "string", "description": "Code of the process document (QT)"},
        "issue_no": {"type": "integer"},
        "issue_label": {"type": "string", "description": "01, 02, ..."},
        "status": {"type": "string"},
    },
}

PROCEDURE_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "National code of the procedure, e.g. 1.001193"},
        "name": {"type": "string"},
        "field": {"type": "string", "description": "Field (lĩnh vực), e.g. Hộ tịch"},
        "working_days": {"type": "integer", "description": "Statutory time limit in working days; 0: the same day"},
        "cutoff": {"type": "string", "nullable": True, "description": "HH:MM: received later counts from the next day"},
        "fee": {"type": "string"},
        "online": {"type": "string", "enum": list(ONLINE_LEVELS), "description": "Online public service level"},
        "process_document": {**_ISSUE, "description": "The process document and its issue in force (null if none)"},
        "forms": {"type": "array", "items": {"type": "string"}, "description": "Codes of the procedure's forms"},
        "in_force": {"type": "boolean", "description": "Whether a process map is in force (else: its draft's map)"},
        "awaiting_approval": {"type": "boolean", "description": "A new version of the process awaits approval"},
        "links": {
            "type": "object",
            "properties": {"self": {"type": "string"}, "page": {"type": "string"}, "due_date": {"type": "string"}},
        },
    },
}

_MAP = {
    "type": "object",
    "nullable": True,
    "properties": {
        "digest": {"type": "string", "description": "SHA-256 of the map's canonical content"},
        "imported_at": {"type": "string", "format": "date-time"},
        "document_version": {**_ISSUE, "description": "The version of the process document the map belongs to"},
    },
}

PROCEDURE_DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        **PROCEDURE_SCHEMA["properties"],
        "requirements": {"type": "array", "items": {"type": "string"}, "description": "What the citizen brings"},
        "legal_bases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "title": {"type": "string", "nullable": True}},
            },
        },
        "roles": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Role id -> its name"},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "integer"},
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "role": {"type": "string", "description": "Role id (see roles)"},
                    "allowance": {
                        "type": "object",
                        "description": "Time allowed: hours (working hours) or days (working days)",
                        "properties": {"hours": {"type": "integer"}, "days": {"type": "integer"}},
                    },
                    "allowance_hours": {"type": "integer", "description": "The allowance in working hours"},
                    "produces": {"type": "string", "nullable": True, "description": "Code of the form it produces"},
                },
            },
        },
        "branches": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(BRANCHES)},
                    "from": {"type": "string", "description": "Id of the step it leaves from"},
                    "produces": {"type": "string", "nullable": True},
                },
            },
        },
        "map": {**_MAP, "description": "The map these values come from (in force, or before any is, the draft's)"},
        "map_awaiting_approval": {**_MAP, "description": "A newer map awaiting approval, or null"},
    },
}

DUE_DATE_SCHEMA = {
    "type": "object",
    "properties": {
        "due_date": {"type": "string", "format": "date"},
        "effective_receipt_date": {
            "type": "string",
            "format": "date",
            "description": "The working day the count starts from (after a day off or the cut-off hour: the next)",
        },
        "working_days": {"type": "integer", "description": "The statutory limit counted (0: the same day)"},
    },
}


CODE_PARAM = path_param("code", "National code of the procedure, e.g. 1.001193")
NOT_FOUND = error_spec("No procedure with this code in your commune (other communes' are never found)")


# --- reading ------------------------------------------------------------------------------------------


def _entry_or_404(code):
    entry = queries.procedure(current_user.commune_id, code)
    if entry is None or not perm.can_view(current_user, entry.procedure):
        refuse(_l("There is no procedure %(code)s in your commune.", code=code), "not_found", 404)
    return entry


def _issue(document, version):
    if version is None:
        return None
    return {
        "code": document.code,
        "issue_no": version.issue_no,
        "issue_label": version.issue_label,
        "status": version.status.value,
    }


def _map(entry, mapped):
    if mapped is None:
        return None
    return {
        "digest": mapped.digest,
        "imported_at": mapped.imported_at.isoformat(),
        "document_version": _issue(entry.document, entry.version_of(mapped)),
    }


def procedure_summary(entry):
    """A procedure as listed: what its map (in force, or before any is, its draft's) says of it."""
    process = entry.process
    return {
        "code": entry.code,
        "name": process.name,
        "field": process.field,
        "working_days": process.working_days,
        "cutoff": process.cutoff,
        "fee": process.fee,
        "online": process.online,
        "process_document": _issue(entry.document, entry.effective),
        "forms": list(process.forms),
        "in_force": entry.in_force is not None,
        "awaiting_approval": entry.awaiting is not None and entry.in_force is not None,
        "links": {
            "self": url_for("api.show_procedure", code=entry.code),
            "page": url_for("processes.show_procedure", code=entry.code),
            "due_date": url_for("api.procedure_due_date", code=entry.code),
        },
    }


def procedure_detail(entry):
    process = entry.process
    bases = queries.documents_by_code(entry.procedure.commune_id, process.legal_bases)
    awaiting = entry.awaiting if entry.in_force is not None else None
    return {
        **procedure_summary(entry),
        "requirements": list(process.requirements),
        "legal_bases": [
            {"code": code, "title": bases[code].title if code in bases else None} for code in process.legal_bases
        ],
        "roles": dict(process.roles),
        "steps": [
            {
                "number": number,
                "id": step.id,
                "name": step.name,
                "role": step.role,
                "allowance": {"hours": step.hours} if step.hours is not None else {"days": step.days},
                "allowance_hours": step.allowance_hours,
                "produces": step.produces or None,
            }
            for number, step in enumerate(process.steps, 1)
        ],
        "branches": [
            {"kind": branch.kind, "from": branch.after, "produces": branch.produces or None}
            for branch in process.branches
        ],
        "map": _map(entry, entry.shown),
        "map_awaiting_approval": _map(entry, awaiting),
    }


def _list_filters():
    """q and field, each checked: an unknown parameter or an over-long search answers 400."""
    refuse_unknown_parameters(LIST_PARAMETERS)
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        refuse(_l("The search text is longer than %(n)d characters.", n=MAX_QUERY), "bad_q")
    return {"q": q, "field": (request.args.get("field") or "").strip()}


# --- routes ---------------------------------------------------------------------------------------------


@allow(*perm.READERS)
@api_route(
    "/procedures",
    summary="The administrative procedures of the user's commune",
    tags=TAGS,
    description=(
        "Every procedure of the user's commune, by field then national code, as its process map in force "
        "says (before any is in force, as its draft's map says: in_force is then false). `q` searches the "
        "code, the name, the field and the process document's code without regard to diacritics or case "
        '("khai sinh" finds "Đăng ký khai sinh"); `field` keeps one field. An unknown parameter '
        "answers 400."
    ),
    parameters=[
        query_param("q", "Words to find, with or without diacritics"),
        query_param("field", "One field, exactly as the procedures name it (e.g. Hộ tịch)"),
    ],
    responses={
        "200": json_spec(
            {"type": "object", "properties": {"procedures": {"type": "array", "items": PROCEDURE_SCHEMA}}},
            "The procedures",
        ),
        "400": error_spec("A parameter is not valid (error: unknown_parameter, bad_q)"),
    },
)
def list_procedures():
    filters = _list_filters()
    entries = queries.procedures(current_user.commune_id, **filters)
    return jsonify(procedures=[procedure_summary(entry) for entry in entries])


@allow(*perm.READERS)
@api_route(
    "/procedures/<code>",
    summary="One procedure: what its process map says, its steps and branches",
    tags=TAGS,
    description=(
        "The procedure as listed, with what the citizen brings (requirements), its legal bases, the roles "
        "and steps of its internal process (each with its time allowance), its branches (supplement, "
        "refusal), and the map these come from: its SHA-256 and the version of the process document it "
        "belongs to. `map_awaiting_approval` is a newer map, tied to the version of the process document "
        "in progress, that applies once that version is approved and in force."
    ),
    parameters=[CODE_PARAM],
    responses={"200": json_spec(PROCEDURE_DETAIL_SCHEMA, "The procedure"), "404": NOT_FOUND},
)
def show_procedure(code):
    return jsonify(procedure_detail(_entry_or_404(code)))


@allow(*perm.READERS)
@api_route(
    "/procedures/<code>/due-date",
    summary="The due date of a dossier of this procedure received at a given time",
    tags=TAGS,
    description=(
        "Counted as every deadline is (qms.core.calendar.due_date), with the statutory limit and cut-off "
        "hour of the procedure's process in force: a dossier received on a day off or after the cut-off "
        "counts from the next working day; the day of receipt is not counted; a same-day procedure is due "
        "on the day it counts as received. Working days are Monday to Friday less public holidays, with "
        "the days off and make-up days the administrator keeps in the calendar."
    ),
    parameters=[
        CODE_PARAM,
        query_param(
            "received",
            "When the dossier was received, ISO 8601: 2026-03-02T15:30:00+07:00, or without an offset in "
            "Vietnam time (2026-03-02T15:30), or a date alone",
            {"type": "string", "format": "date-time"},
            required=True,
        ),
    ],
    responses={
        "200": json_spec(DUE_DATE_SCHEMA, "The due date"),
        "400": error_spec(
            "received is missing or not an ISO 8601 time (error: missing_received, bad_received, unknown_parameter)"
        ),
        "404": NOT_FOUND,
        "409": error_spec("The procedure has no process in force yet: no limit to count with (error: not_in_force)"),
    },
)
def procedure_due_date(code):
    entry = _entry_or_404(code)
    unknown = sorted(set(request.args) - {"received"})
    if unknown:
        refuse(
            _l(
                "Unknown parameter %(names)s; the parameters are %(known)s.", names=", ".join(unknown), known="received"
            ),
            "unknown_parameter",
        )
    raw = (request.args.get("received") or "").strip()
    if not raw:
        refuse(_l("Give the time the dossier was received: received=2026-02-13T15:30."), "missing_received")
    try:
        received = parse_received(raw)
    except ValueError:
        refuse(
            _l(
                "received must be an ISO 8601 time from the year %(first)d to %(last)d, for example "
                "2026-03-02T15:30:00+07:00 (Vietnam time when no offset is given).",
                first=RECEIVED_YEARS[0],
                last=RECEIVED_YEARS[1],
            ),
            "bad_received",
        )
    if entry.in_force is None:
        refuse(
            _l("Procedure %(code)s has no process in force yet: its time limit is not approved.", code=code),
            "not_in_force",
            409,
        )
    process = entry.in_force.process
    deadline = due_date(received, process.working_days, cutoff=cutoff_time(process))
    return jsonify(
        due_date=deadline.due_date.isoformat(),
        effective_receipt_date=deadline.effective_receipt_date.isoformat(),
        working_days=deadline.working_days,
    )
