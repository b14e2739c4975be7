"""The routes of the internal audits' API: reading the programmes and audits, recording a finding,
planning an audit."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from qms.api import api_route, cursor_page_spec, cursor_parameters, error_spec, json_spec, path_param, query_param
from qms.api.arguments import (
    choice_arg,
    cursor_page,
    decoded_cursor,
    limit_arg,
    refuse,
    refuse_unknown_parameters,
)
from qms.api.body import JsonBody
from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.api.shapes import (
    AUDIT_DETAIL_SCHEMA,
    AUDIT_SCHEMA,
    FINDING_SCHEMA,
    PROGRAMME_SCHEMA,
    audit_detail,
    audit_summary,
    audit_url,
    finding_dict,
    programme_summary,
)
from qms.audits.models import Audit, AuditProgramme, AuditStatus, Grade, ProgrammeStatus
from qms.audits.processes import SYSTEM_PROCESSES
from qms.audits.services.programme import FIRST_YEAR, LAST_YEAR, TITLE_MAX
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF, Unit, User
from qms.core.access import SIGNED_IN, allow
from qms.db import DomainError, db
from qms.processes.models import Procedure

TAGS = ["internal audits"]
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Who may be on an audit's team, and so record its findings (auditors only read).
TEAM_ROLES = (ADMINISTRATOR, QUALITY_OFFICER, LEADER, STAFF)

AUDIT_ID = path_param("audit_id", "Id of the audit", {"type": "integer"})
YEAR = path_param("year", f"Year of the programme, {FIRST_YEAR} to {LAST_YEAR}", {"type": "integer"})
NOT_FOUND = error_spec("No audit with this id in your commune (another commune's are never found)")
YEAR_FILTER = query_param("year", "Only this year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})

# The field each refusal of a service is about (a 422 names it).
FINDING_FIELDS = {
    "invalid_clause": "clause",
    "clause_outside_scope": "clause",
    "invalid_choice": "grade",
    "description_required": "description",
}
PLAN_FIELDS = {
    "title_required": "title",
    "invalid_clause": "clauses",
    "clauses_required": "clauses",
    "dates_required": "planned_start",
    "invalid_dates": "planned_end",
    "person_required": "lead_auditor",
    "read_only": "team",
    "invalid_process": "system_processes",
    "processes_required": "procedures",
    "invalid_year": "year",
}


def actor():
    return current_user._get_current_object()


def audit_or_404(audit_id):
    """The audit of the user's commune (404 otherwise, never revealing another commune's)."""
    audit = db.session.get(Audit, audit_id)
    if audit is None or not perm.can_view(current_user, audit):
        refuse(_l("There is no such audit in your commune."), "not_found", 404)
    return audit


def refused(exc, fields):
    """A service's refusal as JSON: a field it names answers 422 with `field`; an impartiality refusal
    422 with every reason in `reasons`; anything else as the service said (403, 409)."""
    body, status = {"error": exc.code, "message": str(exc.message)}, exc.status
    reasons = getattr(exc.message, "reasons", None)
    if reasons is not None:
        body["reasons"] = [str(reason) for reason in reasons]
    if exc.code == "not_impartial":
        status = 422
    elif status == 400 and exc.code in fields:
        body["field"], status = fields[exc.code], 422
    return jsonify(body), status


def _year_arg():
    raw = request.args.get("year") or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        refuse(_l("year must be a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR), "bad_year")
    return int(raw)


REFUSAL_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "The field refused"},
        "reasons": {"type": "array", "items": {"type": "string"}, "description": "Every impartiality reason"},
    },
}


# --- programmes ----------------------------------------------------------------------------------------


@allow(SIGNED_IN)
@api_route(
    "/audit-programmes",
    summary="The internal audit programmes of the user's commune",
    tags=TAGS,
    description=(
        "One programme a year, newest year first: its revision, status, who approved it and when, whether "
        "its audits still hold what the approval sealed, and its audits in brief. A commune has at most one "
        "programme a year, so the list comes whole (no paging).\n\n"
        "Every parameter is checked: an unknown parameter or value answers 400 with the reason."
    ),
    parameters=[
        YEAR_FILTER,
        query_param("status", "Status", {"type": "string", "enum": [s.value for s in ProgrammeStatus]}),
    ],
    responses={
        "200": json_spec(
            {"type": "object", "properties": {"programmes": {"type": "array", "items": PROGRAMME_SCHEMA}}},
            "The programmes",
        ),
        "400": error_spec("A filter is not valid (error: unknown_parameter, bad_year, bad_status)"),
    },
)
def list_audit_programmes():
    refuse_unknown_parameters(("year", "status"))
    year, status = _year_arg(), choice_arg("status", ProgrammeStatus)
    stmt = select(AuditProgramme).where(AuditProgramme.commune_id == current_user.commune_id)
    if year is not None:
        stmt = stmt.where(AuditProgramme.year == year)
    if status is not None:
        stmt = stmt.where(AuditProgramme.status == ProgrammeStatus(status))
    found = db.session.scalars(stmt.order_by(AuditProgramme.year.desc()))
    return jsonify(programmes=[programme_summary(p) for p in found])


# --- audits ----------------------------------------------------------------------------------------------


@allow(SIGNED_IN)
@api_route(
    "/audits",
    summary="The internal audits of the user's commune, filtered, a page at a time",
    tags=TAGS,
    description=(
        "Every audit of the user's commune (everyone of the commune reads them), the latest planned first: "
        "code, title, status, clauses, processes (key and name), units, planned dates, lead auditor and "
        "team, and when it was started, reported and closed.\n\n"
        "Paging with a cursor: `limit` (1 to 200, default 50) audits a page; `next_cursor` (null on the "
        "last page) is passed back as `cursor` for the next page, and `next` is that page's URL.\n\n"
        "Every parameter is checked: an unknown parameter or value answers 400 with the reason."
    ),
    parameters=[
        YEAR_FILTER,
        query_param("status", "Status", {"type": "string", "enum": [s.value for s in AuditStatus]}),
        query_param("auditor", "Only audits with this person on the team: a user's id or user name"),
        *cursor_parameters(DEFAULT_LIMIT, MAX_LIMIT),
    ],
    responses={
        "200": cursor_page_spec("audits", AUDIT_SCHEMA, "A page of audits"),
        "400": error_spec(
            "A filter, the cursor or the limit is not valid (error: unknown_parameter, bad_year, bad_status, "
            "bad_auditor, bad_cursor, bad_limit)"
        ),
    },
)
def list_audits():
    user = actor()
    refuse_unknown_parameters(("year", "status", "auditor", "cursor", "limit"))
    year, status = _year_arg(), choice_arg("status", AuditStatus)
    auditor = _auditor_arg(user)
    limit, cursor = limit_arg(DEFAULT_LIMIT, MAX_LIMIT), decoded_cursor()
    stmt = select(Audit).where(Audit.commune_id == user.commune_id)
    if year is not None:
        stmt = stmt.where(Audit.year == year)
    if status is not None:
        stmt = stmt.where(Audit.status == AuditStatus(status))
    if auditor is not None:
        stmt = stmt.where(Audit.team.any(user_id=auditor.id))
    if cursor is not None:
        moment, row_id = cursor
        stmt = stmt.where(or_(Audit.created_at < moment, (Audit.created_at == moment) & (Audit.id < row_id)))
    found = list(db.session.scalars(stmt.order_by(Audit.created_at.desc(), Audit.id.desc()).limit(limit + 1)))
    page = cursor_page(found, limit, lambda audit: audit.created_at, "api.list_audits")
    return jsonify(audits=[audit_summary(a) for a in page.pop("rows")], **page)


def _auditor_arg(user):
    value = (request.args.get("auditor") or "").strip()
    if not value:
        return None
    found = _person(user, value)
    if found is None:
        refuse(_l("There is no user %(value)s in your commune.", value=value), "bad_auditor")
    return found


def _person(user, value):
    """A user of the commune by id (a number) or user name, or None."""
    query = select(User).where(User.commune_id == user.commune_id)
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        return db.session.scalar(query.where(User.id == int(value)))
    return db.session.scalar(query.where(User.username == value))


@allow(SIGNED_IN)
@api_route(
    "/audits/<int:audit_id>",
    summary="One internal audit, whole",
    tags=TAGS,
    description=(
        "The audit as listed, with the report's text; its checklist (each question's clause, text, the "
        "library version it was taken at, result, evidence notes, who answered it when, and the evidence "
        "files by name and SHA-256); its findings (clause, grade, description, the nonconformity a major or "
        "minor one opened with its number and status, the decision on an observation or opportunity); and "
        "its signed records (each revision of the plan and the report, with every signature: signer, "
        "meaning, time, and whether it still verifies)."
    ),
    parameters=[AUDIT_ID],
    responses={"200": json_spec(AUDIT_DETAIL_SCHEMA, "The audit"), "404": NOT_FOUND},
)
def show_audit(audit_id):
    return jsonify(audit_detail(audit_or_404(audit_id)))


# --- findings --------------------------------------------------------------------------------------------

FINDING_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["clause", "grade", "description"],
                "properties": {
                    "clause": {"type": "string", "description": "A clause of the audit's scope, or a sub-clause"},
                    "grade": {"type": "string", "enum": [g.value for g in Grade]},
                    "description": {"type": "string"},
                },
            }
        }
    },
}


@allow(*TEAM_ROLES)
@api_route(
    "/audits/<int:audit_id>/findings",
    methods=("POST",),
    summary="Record a finding of an audit",
    tags=TAGS,
    description=(
        "A member of the audit's team records a finding on a clause of the audit's scope, while the audit is "
        "in progress. A major or minor "
        "nonconformity opens a nonconformity at once (source: internal audit), given in the answer's "
        "`nonconformity`; an observation or opportunity for improvement waits for a decision."
    ),
    parameters=[AUDIT_ID],
    request_body=FINDING_BODY,
    responses={
        "201": json_spec(
            FINDING_SCHEMA,
            "The finding was recorded",
            headers={"Location": {"description": "The audit", "schema": {"type": "string"}}},
        ),
        "400": error_spec("The body is malformed (error: json_required, bad_json, unknown_field, bad_field)"),
        "403": json_spec(REFUSAL_SCHEMA, "Not on the audit's team (the reason in `message`)"),
        "404": NOT_FOUND,
        "409": error_spec("The audit is not in progress (error: not_in_progress, audit_closed)"),
        "422": json_spec(
            REFUSAL_SCHEMA,
            "A field is refused, named in `field` (error: invalid_clause, clause_outside_scope, invalid_choice, "
            "description_required)",
        ),
    },
)
def record_audit_finding(audit_id):
    audit = audit_or_404(audit_id)
    user = actor()
    refusal = perm.record_finding_refusal(user, audit)
    if refusal is not None:
        refuse(refusal, "forbidden", 403)
    body = JsonBody("clause", "grade", "description")
    try:
        finding = services.record_finding(
            user, audit, clause=body.text("clause"), grade=body.text("grade"), description=body.text("description")
        )
    except DomainError as exc:
        return refused(exc, FINDING_FIELDS)
    response = jsonify(finding_dict(finding))
    response.status_code = 201
    response.headers["Location"] = audit_url(audit)
    return response


# --- planning ----------------------------------------------------------------------------------------------

PLAN_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "clauses", "planned_start", "planned_end", "lead_auditor"],
                "properties": {
                    "title": {"type": "string", "maxLength": TITLE_MAX},
                    "clauses": {"type": "array", "items": {"type": "string"}, "description": "7.5, 8.5 or 9 ..."},
                    "planned_start": {"type": "string", "format": "date"},
                    "planned_end": {"type": "string", "format": "date"},
                    "lead_auditor": {
                        "oneOf": [{"type": "integer"}, {"type": "string"}],
                        "description": "A user's id or user name",
                    },
                    "team": {
                        "type": "array",
                        "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                        "description": "The other members: ids or user names",
                    },
                    "procedures": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "National codes of procedures whose internal process is audited (1.001193)",
                    },
                    "system_processes": {
                        "type": "array",
                        "items": {"type": "string", "enum": sorted(SYSTEM_PROCESSES)},
                        "description": "The quality system's own processes audited",
                    },
                    "units": {
                        "type": "array",
                        "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                        "description": "Units audited: ids or codes",
                    },
                    "criteria": {"type": "string"},
                },
            }
        }
    },
}


def _people(user, name, values):
    found = []
    for value in values:
        person = _person(user, value)
        if person is None:
            refuse(_l("%(name)s: there is no user %(value)s in your commune.", name=name, value=value), "unknown_user")
        found.append(person)
    return found


def _procedures(user, codes):
    found = []
    for code in codes:
        procedure = db.session.scalar(
            select(Procedure).where(Procedure.commune_id == user.commune_id, Procedure.code == code.strip())
        )
        if procedure is None:
            refuse(_l("procedures: there is no procedure %(code)s in your commune.", code=code), "unknown_procedure")
        found.append(procedure)
    return found


def _units(user, values):
    found = []
    for value in values:
        query = select(Unit).where(Unit.commune_id == user.commune_id)
        unit = db.session.scalar(query.where(Unit.id == value if isinstance(value, int) else Unit.code == value))
        if unit is None:
            refuse(_l("units: there is no unit %(value)s in your commune.", value=value), "unknown_unit")
        found.append(unit)
    return found


@allow(QUALITY_OFFICER)
@api_route(
    "/audit-programmes/<int:year>/audits",
    methods=("POST",),
    summary="Plan an audit in a year's programme",
    tags=TAGS,
    description=(
        "The quality officer plans an audit: title, clauses, planned dates (in the programme's year), lead "
        "auditor and team, the processes (procedures by national code, or the quality system's own "
        "processes) and units audited, and the criteria. The programme is created the first time; an "
        "approved programme becomes its next revision, to be approved again.\n\n"
        "Impartiality: an auditor cannot audit a unit they belong to, a process whose steps they perform or "
        "whose document they own. Such a choice is refused with 422, error not_impartial, and every reason "
        "in `reasons`; nothing is written."
    ),
    parameters=[YEAR],
    request_body=PLAN_BODY,
    responses={
        "201": json_spec(
            AUDIT_SCHEMA,
            "The audit was planned",
            headers={"Location": {"description": "The audit", "schema": {"type": "string"}}},
        ),
        "400": error_spec(
            "The body is malformed (error: json_required, bad_json, unknown_field, bad_field, unknown_user, "
            "unknown_procedure, unknown_unit)"
        ),
        "403": json_spec(REFUSAL_SCHEMA, "Not the quality officer"),
        "422": json_spec(
            REFUSAL_SCHEMA,
            "A field is refused, named in `field` (title_required, invalid_clause, invalid_dates, ...), or an "
            "auditor is not impartial (not_impartial, every reason in `reasons`)",
        ),
    },
)
def plan_audit(year):
    user = actor()
    body = JsonBody(
        "title",
        "clauses",
        "planned_start",
        "planned_end",
        "lead_auditor",
        "team",
        "procedures",
        "system_processes",
        "units",
        "criteria",
    )
    lead = body.data.get("lead_auditor")
    if isinstance(lead, bool) or not isinstance(lead, (int, str)):
        refuse(_l("lead_auditor is required: a user's id or user name."), "bad_field")
    fields = {
        "title": body.text("title"),
        "clauses": body.items("clauses"),
        "planned_start": body.day("planned_start"),
        "planned_end": body.day("planned_end"),
        "lead_auditor": _people(user, "lead_auditor", [lead])[0],
        "team": _people(user, "team", body.items("team", (int, str))),
        "procedures": _procedures(user, body.items("procedures")),
        "system_processes": body.items("system_processes"),
        "units": _units(user, body.items("units", (int, str))),
        "criteria": body.text("criteria"),
    }
    try:
        programme = services.programme_for(user, user.commune, year)
        audit = services.add_audit(user, programme, **fields)
    except DomainError as exc:
        return refused(exc, PLAN_FIELDS)
    response = jsonify(audit_summary(audit))
    response.status_code = 201
    response.headers["Location"] = audit_url(audit)
    return response
