"""The register through the API: the list (the register's filters, walked with a cursor), reporting
an NC, one NC whole, and evidence files."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.api import api_route, cursor_page_spec, cursor_parameters, error_spec, json_spec, path_param, query_param
from qms.api.arguments import (
    choice_arg,
    cursor_page,
    date_arg,
    decoded_cursor,
    flag_arg,
    limit_arg,
    refuse_unknown_parameters,
)
from qms.auth.models import Unit
from qms.core.access import SIGNED_IN, allow, get_in_commune
from qms.db import db
from qms.files.uploads import MEDIA_TYPES
from qms.nonconformities import permissions as perm
from qms.nonconformities import queries, services
from qms.nonconformities.api.body import Body, refuse
from qms.nonconformities.api.shapes import NC_DETAIL_SCHEMA, NC_SUMMARY_SCHEMA, nc_detail, nc_summary, nc_url
from qms.nonconformities.models import NcAction, NcReview, NcSource, NcStatus, Nonconformity, Severity
from qms.nonconformities.services.register import TITLE_MAX

TAGS = ["nonconformities"]
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
LIST_PARAMETERS = (
    "status",
    "source",
    "severity",
    "unit",
    "overdue",
    "detected_from",
    "detected_to",
    "cursor",
    "limit",
)


def json_body(properties, required=(), description=""):
    """An OpenAPI request body: a JSON object with these properties."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {
        "required": bool(required),
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


NC_ID = path_param("nc_id", "Id of the nonconformity", {"type": "integer"})
NOT_FOUND = error_spec("No nonconformity with this id in your commune (another commune's are never found)")
BAD_BODY = error_spec(
    "The body is refused: json_required, bad_json, unknown_field, bad_field, unknown_user, unknown_unit, "
    "unknown_document, or the service's reason (e.g. title_required, invalid_choice); `message` says what to do"
)


def actor():
    return current_user._get_current_object()


def nc_or_404(nc_id):
    """The NC of the user's commune (404 otherwise, never revealing another commune's)."""
    nc = get_in_commune(Nonconformity, nc_id)
    if not perm.can_view(current_user, nc):
        refuse(_l("There is no such nonconformity in your commune."), "not_found", 404)
    return nc


def item_or_404(nc, item_id):
    item = db.session.get(NcAction, item_id)
    if item is None or item.nonconformity_id != nc.id:
        refuse(_l("This nonconformity has no such action item."), "not_found", 404)
    return item


def review_or_404(nc, review_id):
    review = db.session.get(NcReview, review_id)
    if review is None or review.nonconformity_id != nc.id:
        refuse(_l("This nonconformity has no such effectiveness review."), "not_found", 404)
    return review


# --- the list --------------------------------------------------------------------------------------


def _unit_arg(user):
    value = (request.args.get("unit") or "").strip()
    if not value:
        return None
    query = select(Unit.id).where(Unit.commune_id == user.commune_id)
    found = db.session.scalar(query.where(Unit.id == int(value) if value.isdigit() else Unit.code == value))
    if found is None:
        refuse(_l("There is no unit %(value)s in your commune.", value=value), "bad_unit")
    return found


def _list_filters(user):
    """The register's filters from the query string, each checked: an unknown parameter or value
    answers 400 with the reason rather than being ignored."""
    refuse_unknown_parameters(LIST_PARAMETERS)
    status = choice_arg("status", NcStatus)
    overdue = flag_arg("overdue", _l("overdue must be true or false."))
    detected_from, detected_to = date_arg("detected_from"), date_arg("detected_to")
    if detected_from and detected_to and detected_from > detected_to:
        refuse(_l("detected_from is after detected_to."), "bad_period")
    source, severity = choice_arg("source", NcSource), choice_arg("severity", Severity)
    return queries.RegisterFilters(
        status=NcStatus(status) if status else None,
        source=NcSource(source) if source else None,
        severity=Severity(severity) if severity else None,
        unit_id=_unit_arg(user),
        overdue=overdue,
        detected_from=detected_from,
        detected_to=detected_to,
    )


@allow(SIGNED_IN)
@api_route(
    "/nonconformities",
    summary="The register of nonconformities of the user's commune, filtered, a page at a time",
    tags=TAGS,
    description=(
        "Every NC of the user's commune (everyone of the commune reads the register), newest detected first, "
        "filtered as the register page filters it.\n\n"
        "Paging with a cursor: `limit` (1 to 200, default 50) NCs a page; `next_cursor` (null on the last "
        "page) is passed back as `cursor` for the next page, and `next` is that page's URL. A page stays "
        "right while NCs are being added.\n\n"
        "Every parameter is checked: an unknown parameter or value answers 400 with the reason."
    ),
    parameters=[
        query_param("status", "Status", {"type": "string", "enum": [s.value for s in NcStatus]}),
        query_param("source", "Where it came from", {"type": "string", "enum": [s.value for s in NcSource]}),
        query_param("severity", "Severity", {"type": "string", "enum": [s.value for s in Severity]}),
        query_param("unit", "Unit where it was found: its id or code", {"type": "string"}),
        query_param(
            "overdue",
            "Only open NCs with a correction, an action item or an effectiveness review past its date",
            {"type": "boolean"},
        ),
        query_param(
            "detected_from", "Detected on or after this day (Vietnam time)", {"type": "string", "format": "date"}
        ),
        query_param(
            "detected_to", "Detected on or before this day (Vietnam time)", {"type": "string", "format": "date"}
        ),
        *cursor_parameters(DEFAULT_LIMIT, MAX_LIMIT),
    ],
    responses={
        "200": cursor_page_spec("nonconformities", NC_SUMMARY_SCHEMA, "A page of the register"),
        "400": error_spec(
            "A filter, the cursor or the limit is not valid (error: unknown_parameter, bad_status, bad_source, "
            "bad_severity, bad_unit, bad_overdue, bad_detected_from, bad_detected_to, bad_period, bad_cursor, "
            "bad_limit)"
        ),
    },
)
def list_nonconformities():
    user = actor()
    filters, limit, cursor = _list_filters(user), limit_arg(DEFAULT_LIMIT, MAX_LIMIT), decoded_cursor()
    stmt = queries.register_query(user.commune_id, filters)
    if cursor is not None:
        stmt = queries.after(stmt, *cursor)
    stmt = stmt.limit(limit + 1)
    found = list(db.session.scalars(stmt.options(selectinload(Nonconformity.unit))))
    page = cursor_page(found, limit, lambda nc: nc.detected_at, "api.list_nonconformities")
    return jsonify(nonconformities=[nc_summary(nc) for nc in page.pop("rows")], **page)


# --- reporting -------------------------------------------------------------------------------------

REPORT_FIELDS = {
    "title": {"type": "string", "maxLength": TITLE_MAX},
    "description": {"type": "string", "description": "What happened"},
    "source": {
        "type": "string",
        "enum": [s.value for s in NcSource],
        "description": "Where it came from (default staff_report)",
    },
    "severity": {"type": "string", "enum": [s.value for s in Severity], "description": "Default minor"},
    "clause": {"type": "string", "description": "ISO 9001 clause, numbers and dots, 4 to 10 (e.g. 8.5.1)"},
    "unit": {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "Unit where it was found: its id or code",
    },
    "procedure": {"type": "string", "description": "Code of the procedure (QT) concerned"},
    "process_step": {"type": "string"},
    "document": {"type": "string", "description": "Code of the document concerned"},
    "dossier_code": {"type": "string"},
    "detected_at": {
        "type": "string",
        "format": "date-time",
        "description": "When it was detected (default now; Vietnam time when no zone is given)",
    },
}


@allow(*perm.REPORTERS)
@api_route(
    "/nonconformities",
    methods=("POST",),
    summary="Report a nonconformity",
    tags=TAGS,
    description="Record a nonconformity someone found, numbered in the commune's format for the year it was "
    "detected (SKPH-2026-001). The reporter is the one who detected it. Staff, leaders, administrators and "
    "quality officers may report; auditors may not.",
    request_body=json_body(REPORT_FIELDS, required=["title"]),
    responses={
        "201": json_spec(
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "status": {"type": "string", "enum": [s.value for s in NcStatus]},
                },
            },
            "The NC was recorded",
            headers={"Location": {"description": "Where the NC can be read", "schema": {"type": "string"}}},
        ),
        "400": BAD_BODY,
    },
)
def report_nonconformity():
    user = actor()
    body = Body(*REPORT_FIELDS, versioned=False)
    optional = {name: body.text(name) for name in ("source", "severity") if body.given(name)}
    nc = services.report_nc(
        user,
        user.commune,
        title=body.text("title"),
        description=body.text("description"),
        clause=body.text("clause"),
        unit=body.unit(user),
        procedure=body.document(user, "procedure"),
        process_step=body.text("process_step"),
        document=body.document(user, "document"),
        dossier_code=body.text("dossier_code"),
        detected_at=body.moment("detected_at"),
        **optional,
    )
    response = jsonify(id=nc.id, number=nc.number, status=nc.status.value)
    response.status_code = 201
    response.headers["Location"] = nc_url(nc)
    return response


# --- one NC ------------------------------------------------------------------------------------------


@allow(SIGNED_IN)
@api_route(
    "/nonconformities/<int:nc_id>",
    summary="One nonconformity, whole",
    tags=TAGS,
    description="Everything recorded about the NC: where it was found, the correction and disposition "
    "(ISO 8.7), the decision on a corrective action, each round of analysis (5 Whys, fishbone) with its "
    "action items and effectiveness reviews (10.2), the closing answers, similar NCs, evidence files, the "
    "signatures (each verified) and the next step with who is to take it.",
    parameters=[NC_ID],
    responses={"200": json_spec(NC_DETAIL_SCHEMA, "The nonconformity"), "404": NOT_FOUND},
)
def show_nonconformity(nc_id):
    return jsonify(nc_detail(nc_or_404(nc_id)))


# --- evidence --------------------------------------------------------------------------------------


@allow(*perm.REPORTERS)
@api_route(
    "/nonconformities/<int:nc_id>/evidence",
    methods=("POST",),
    summary="Attach an evidence file",
    tags=TAGS,
    description="An evidence file, to the NC or to one of its action items (action_id: its owner may "
    "attach) or reviews (review_id: its reviewer may), through the same checks as every upload "
    "(a refused file leaves nothing behind). Otherwise the quality officer or the NC's handler.",
    parameters=[NC_ID],
    request_body={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": ".docx, .xlsx or .pdf"},
                        "action_id": {"type": "integer"},
                        "review_id": {"type": "integer"},
                    },
                },
                "encoding": {"file": {"contentType": ", ".join(MEDIA_TYPES.values())}},
            }
        },
    },
    responses={
        "201": json_spec(NC_DETAIL_SCHEMA, "The NC with the file among its evidence"),
        "400": error_spec(
            "multipart_required, file_required, one_file, bad_field, or the file's refusal (empty, "
            "unsupported_type, macros, ...)"
        ),
        "403": error_spec("Not the quality officer, the handler, the item's owner or the reviewer"),
        "404": NOT_FOUND,
        "413": error_spec("The file is larger than the size limit"),
    },
)
def attach_nc_evidence(nc_id):
    nc = nc_or_404(nc_id)
    if request.mimetype != "multipart/form-data":
        refuse(_l("Send the file as multipart/form-data in the field file."), "multipart_required")
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        refuse(_l('Choose a file: the field "file" is missing or empty.'), "file_required")
    if len(files) > 1 or len(request.files) > 1:
        refuse(_l('Send exactly one file, in the field "file".'), "one_file")
    linked = {}
    for name, find in (("action_id", item_or_404), ("review_id", review_or_404)):
        raw = (request.form.get(name) or "").strip()
        if raw:
            if not raw.isdigit():
                refuse(_l("%(name)s must be a whole number.", name=name), "bad_field")
            linked[name.removesuffix("_id")] = find(nc, int(raw))
    unknown = sorted(set(request.form) - {"action_id", "review_id"})
    if unknown:
        refuse(
            _l(
                "Unknown field %(names)s; this step takes %(known)s.",
                names=", ".join(unknown),
                known="file, action_id, review_id",
            ),
            "unknown_field",
        )
    upload = files[0]
    services.attach_evidence(actor(), nc, filename=upload.filename or "", data=upload.read(), **linked)
    response = jsonify(nc_detail(nc))
    response.status_code = 201
    response.headers["Location"] = nc_url(nc)
    return response
