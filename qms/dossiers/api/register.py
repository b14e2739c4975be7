"""The dossier register through the API: receiving dossiers (one, or a batch whose items each stand
or fall alone), the list (the ledger's filters, walked with a cursor), and one dossier whole."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
from qms.core.access import allow
from qms.core.calendar import RECEIVED_YEARS, local_today
from qms.db import DomainError, db, standalone_part
from qms.dossiers import permissions as perm
from qms.dossiers import queries, services
from qms.dossiers.api.body import Fields, json_body, refuse
from qms.dossiers.api.shapes import (
    DOSSIER_DETAIL_SCHEMA,
    DOSSIER_SUMMARY_SCHEMA,
    dossier_detail,
    dossier_summary,
    dossier_url,
)
from qms.dossiers.models import Channel, Dossier, DossierStatus
from qms.processes.models import Procedure

TAGS = ["dossiers"]
MAX_BATCH = 500
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
LIST_PARAMETERS = ("procedure", "status", "received_from", "received_to", "late", "cursor", "limit")
DOSSIER_FIELDS = ("procedure", "channel", "applicant", "components", "received_at", "code")
APPLICANT_FIELDS = ("name", "phone", "address")
CODE_MAX = 60  # Dossier.code


CODE = path_param("code", "The dossier's code, e.g. TTHCC-261207-003")
NOT_FOUND = error_spec("No dossier with this code in your commune (another commune's are never found)")


def actor():
    return current_user._get_current_object()


def dossier_or_404(code):
    """The dossier of the user's commune with this code (404 otherwise, never revealing another
    commune's)."""
    dossier = queries.by_code(current_user.commune_id, code)
    if dossier is None or not perm.can_view(current_user, dossier):
        refuse(_l("There is no dossier %(code)s in your commune.", code=code), "not_found", 404)
    return dossier


# --- receiving ----------------------------------------------------------------------------------------

_DOSSIER_PROPERTIES = {
    "procedure": {"type": "string", "description": "National code of the procedure, e.g. 1.001193"},
    "channel": {"type": "string", "enum": [c.value for c in Channel]},
    "applicant": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "description": "Only what the one-stop forms need (personal data)",
        "properties": {
            "name": {"type": "string", "maxLength": 200},
            "phone": {"type": "string", "maxLength": 20},
            "address": {"type": "string", "maxLength": 300},
        },
    },
    "components": {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": 100,
        "description": "The papers received, in words",
    },
    "received_at": {
        "type": "string",
        "format": "date-time",
        "description": "When it was received, ISO 8601 (default now); without an offset it is Vietnam time; "
        "a date alone is its first minute. Not in the future.",
    },
    "code": {
        "type": "string",
        "maxLength": 60,
        "description": "The dossier's code in another system (the provincial one-stop system), kept as it is. "
        "Idempotent: a code already recorded in the commune answers that dossier (created: false) and "
        "records nothing. Without it, a code is made in the commune's format.",
    },
}
DOSSIER_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["procedure", "channel", "applicant"],
    "properties": _DOSSIER_PROPERTIES,
}
_ITEM_ERROR = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
BATCH_RESULT = {
    "type": "object",
    "properties": {
        "received": {"type": "integer", "description": "Items recorded as new dossiers"},
        "existing": {"type": "integer", "description": "Items whose code was already recorded (nothing written)"},
        "refused": {"type": "integer", "description": "Items refused (nothing of them written)"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "description": "Position in the list sent, from 0"},
                    "code": {"type": "string", "description": "The dossier's code (absent when refused)"},
                    "created": {"type": "boolean", "description": "False: the code was already recorded"},
                    "links": {"type": "object", "properties": {"self": {"type": "string"}}},
                    "error": {**_ITEM_ERROR, "description": "Why the item was refused (absent otherwise)"},
                },
            },
        },
    },
}


def _procedure(user, code, cache):
    if not code.strip():
        refuse(_l("Choose the procedure."), "procedure_required")
    code = code.strip()
    if code not in cache:
        cache[code] = db.session.scalar(
            select(Procedure).where(Procedure.commune_id == user.commune_id, Procedure.code == code)
        )
    if cache[code] is None:
        refuse(_l("There is no procedure %(code)s in your commune.", code=code), "unknown_procedure")
    return cache[code]


def _receive_one(user, data, cache):
    """Record one dossier as the client describes it: (dossier, created). A code already recorded in
    the commune answers that dossier, writing nothing. Raises DomainError with the reason."""
    fields = Fields(data, DOSSIER_FIELDS, what="dossier")
    code = " ".join(fields.text("code").split())  # as the service keeps it
    if len(code) > CODE_MAX:
        refuse(_l("%(name)s is longer than %(n)d characters.", name="code", n=CODE_MAX), "bad_field")
    if code:
        found = queries.by_code(user.commune_id, code)
        if found is not None:
            return found, False
    applicant = fields.object("applicant", APPLICANT_FIELDS)
    values = {
        "procedure": _procedure(user, fields.text("procedure"), cache),
        "channel": fields.text("channel"),
        "applicant_name": applicant.text("name"),
        "applicant_phone": applicant.text("phone"),
        "applicant_address": applicant.text("address"),
        "components": fields.texts("components"),
        "received_at": fields.received("received_at"),
        "code": code or None,
    }
    return services.receive_dossier(user, user.commune, **values), True


def _message(error) -> str:
    return str(error.message)


@allow(*perm.RECEIVERS)
@api_route(
    "/dossiers",
    methods=("POST",),
    summary="Receive a dossier, or a batch of dossiers",
    tags=TAGS,
    description=(
        "Record a dossier received at the one-stop shop for a procedure of the commune (handled under the "
        "procedure's process map in force; its due date counted by the one due-date function with the "
        "procedure's limit and cut-off hour). The receiver holds it for the first step.\n\n"
        "One dossier: a JSON object; 201 with the dossier (200 with `created: false` when its `code` is "
        "already recorded), or the refusal with its status.\n\n"
        f"A batch: a JSON list of 1 to {MAX_BATCH} such objects. Each item stands alone: a refused item "
        "writes nothing and the others are recorded. The answer (200) lists each item by its index with "
        "its code, or its error {code, message}, and counts the items received, existing and refused. A "
        "body that is not a list of objects, an empty list or a longer one answers 400 and records nothing.\n\n"
        "The applicant's details are never echoed back: read them with GET of the dossier."
    ),
    request_body={
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [DOSSIER_INPUT, {"type": "array", "items": DOSSIER_INPUT, "maxItems": MAX_BATCH}]}
            }
        },
    },
    responses={
        "201": json_spec(
            {"type": "object", "properties": {"created": {"type": "boolean"}, "dossier": DOSSIER_DETAIL_SCHEMA}},
            "One dossier recorded",
            headers={"Location": {"description": "Where the dossier can be read", "schema": {"type": "string"}}},
        ),
        "200": json_spec(
            {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"created": {"type": "boolean"}, "dossier": DOSSIER_DETAIL_SCHEMA},
                    },
                    BATCH_RESULT,
                ]
            },
            "One dossier whose code was already recorded (created: false), or a batch's items one by one",
        ),
        "400": error_spec(
            "The body is refused (error: json_required, bad_json, empty_batch, batch_too_large, unknown_field, "
            "bad_field, procedure_required, unknown_procedure, invalid_channel, applicant_required, "
            "invalid_phone, invalid_time, future)"
        ),
        "409": error_spec(
            "The procedure has no process in force (error: no_process), or another dossier took the number "
            "(error: number_taken)"
        ),
    },
)
def receive_dossiers():
    user, data, cache = actor(), json_body(), {}
    if isinstance(data, list):
        return _receive_batch(user, data, cache)
    dossier, created = _receive_one(user, data, cache)
    response = jsonify(created=created, dossier=dossier_detail(dossier))
    if created:
        response.status_code = 201
        response.headers["Location"] = dossier_url(dossier)
    return response


def _receive_batch(user, data, cache):
    if not data:
        refuse(_l("The list of dossiers is empty."), "empty_batch")
    if len(data) > MAX_BATCH:
        refuse(
            _l("A batch holds at most %(n)d dossiers; this one has %(count)d.", n=MAX_BATCH, count=len(data)),
            "batch_too_large",
        )
    if not all(isinstance(item, dict) for item in data):
        refuse(_l("Each dossier of the list must be a JSON object."), "bad_json")
    items, counts = [], {"received": 0, "existing": 0, "refused": 0}
    for index, item in enumerate(data):
        try:
            with standalone_part():
                dossier, created = _receive_one(user, item, cache)
        except DomainError as error:
            counts["refused"] += 1
            items.append({"index": index, "error": {"code": error.code, "message": _message(error)}})
            continue
        counts["received" if created else "existing"] += 1
        items.append(
            {"index": index, "code": dossier.code, "created": created, "links": {"self": dossier_url(dossier)}}
        )
    return jsonify(**counts, items=items)


# --- the list ------------------------------------------------------------------------------------------


def _procedure_arg(user):
    value = (request.args.get("procedure") or "").strip()
    if not value:
        return None
    found = db.session.scalar(
        select(Procedure.id).where(Procedure.commune_id == user.commune_id, Procedure.code == value)
    )
    if found is None:
        refuse(_l("There is no procedure %(code)s in your commune.", code=value), "bad_procedure")
    return found


def _list_filters(user):
    """The ledger's filters from the query string, each checked: an unknown parameter or value
    answers 400 with the reason rather than being ignored."""
    refuse_unknown_parameters(LIST_PARAMETERS)
    status = choice_arg("status", DossierStatus)
    late = flag_arg("late", _l("late must be true or false."))
    received_from, received_to = date_arg("received_from", RECEIVED_YEARS), date_arg("received_to", RECEIVED_YEARS)
    if received_from and received_to and received_from > received_to:
        refuse(_l("received_from is after received_to."), "bad_period")
    return queries.LedgerFilters(
        procedure_id=_procedure_arg(user),
        status=DossierStatus(status) if status else None,
        received_from=received_from,
        received_to=received_to,
        late_only=late,
    )


@allow(*perm.READERS)
@api_route(
    "/dossiers",
    summary="The ledger of dossiers of the user's commune, filtered, a page at a time",
    tags=TAGS,
    description=(
        "Every dossier of the user's commune (everyone of the commune reads the ledger, auditors included; "
        "no personal data), newest receipt first, filtered as the ledger page filters it.\n\n"
        f"Paging with a cursor: `limit` (1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}) dossiers a page; "
        "`next_cursor` (null on the last page) is passed back as `cursor` for the next page, and `next` is "
        "that page's URL. A page stays right while dossiers are being received.\n\n"
        "Every parameter is checked: an unknown parameter or value answers 400 with the reason."
    ),
    parameters=[
        query_param("procedure", "National code of a procedure, e.g. 1.001193"),
        query_param("status", "Status", {"type": "string", "enum": [s.value for s in DossierStatus]}),
        query_param(
            "received_from", "Received on or after this day (Vietnam time)", {"type": "string", "format": "date"}
        ),
        query_param(
            "received_to", "Received on or before this day (Vietnam time)", {"type": "string", "format": "date"}
        ),
        query_param(
            "late",
            "true: only late dossiers (completed late, or still being handled past their due date)",
            {"type": "boolean"},
        ),
        *cursor_parameters(DEFAULT_LIMIT, MAX_LIMIT),
    ],
    responses={
        "200": cursor_page_spec("dossiers", DOSSIER_SUMMARY_SCHEMA, "A page of the ledger"),
        "400": error_spec(
            "A filter, the cursor or the limit is not valid (error: unknown_parameter, bad_procedure, bad_status, "
            "bad_received_from, bad_received_to, bad_period, bad_late, bad_cursor, bad_limit)"
        ),
    },
)
def list_dossiers():
    user = actor()
    filters, limit, cursor = _list_filters(user), limit_arg(DEFAULT_LIMIT, MAX_LIMIT), decoded_cursor()
    stmt = queries.ledger_query(user.commune_id, filters)
    if cursor is not None:
        stmt = stmt.where(queries.after_in_ledger(*cursor))
    stmt = stmt.options(
        joinedload(Dossier.procedure), joinedload(Dossier.process_map), joinedload(Dossier.holder)
    ).limit(limit + 1)
    found = list(db.session.scalars(stmt).unique())
    page = cursor_page(found, limit, lambda dossier: dossier.received_at, "api.list_dossiers")
    today = local_today()
    return jsonify(dossiers=[dossier_summary(d, today) for d in page.pop("rows")], **page)


# --- one dossier ---------------------------------------------------------------------------------------


@allow(*perm.READERS)
@api_route(
    "/dossiers/<path:code>",
    summary="One dossier, with its process and control sheet",
    tags=TAGS,
    description=(
        "The dossier: its procedure and channel, when it was received and the working day its count starts "
        "from, its due date in force, status and timeliness, the step in progress (with when it is due) and "
        "who holds it, the supplement, refusal, withdrawal or apology letter if any, the process it is "
        "handled under (the process map's digest and the version of the process document it belongs to) "
        "and every line of its control sheet.\n\n"
        "The applicant's details (personal data) are given only to a user handling the dossier (who received "
        "it, holds it or is on its control sheet), and each such reading is recorded in the audit trail "
        "(dossier.applicant_read); for anyone else `applicant` is null and nothing is recorded."
    ),
    parameters=[CODE],
    responses={"200": json_spec(DOSSIER_DETAIL_SCHEMA, "The dossier"), "404": NOT_FOUND},
)
def show_dossier(code):
    dossier = dossier_or_404(code)
    user = actor()
    applicant = services.read_applicant(user, dossier) if perm.can_see_applicant(user, dossier) else None
    return jsonify(dossier_detail(dossier, applicant))
