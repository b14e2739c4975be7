from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.api import api_route, query_param
from qms.audit.queries import TrailFilter, event_dict, page, parse_cursor, whole_number
from qms.audit.views import TRAIL_READERS
from qms.core.access import allow
from qms.db import DomainError

EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "seq": {"type": "integer"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "actor_id": {"type": "integer", "nullable": True},
        "actor_name": {"type": "string"},
        "action": {"type": "string"},
        "entity_type": {"type": "string"},
        "entity_id": {"type": "string"},
        "changes": {"type": "object", "description": "{field: [old, new]}"},
        "reason": {"type": "string"},
        "ip": {"type": "string"},
        "request_id": {"type": "string"},
        "prev_hash": {"type": "string"},
        "hash": {"type": "string"},
    },
}


@allow(*TRAIL_READERS)
@api_route(
    "/audit-events",
    summary="The audit trail of the user's commune, newest first",
    tags=["audit"],
    description="Keyset pagination: pass the returned `next_cursor` as `before` to get the next page.",
    parameters=[
        query_param("from", "First day, dd/mm/yyyy (Vietnam time)"),
        query_param("to", "Last day, dd/mm/yyyy (Vietnam time)"),
        query_param("user", "Id of the acting user", {"type": "integer"}),
        query_param("action", "Action, e.g. user.created; a trailing * matches a prefix"),
        query_param("entity_type", "Record type, e.g. user"),
        query_param("entity_id", "Record id"),
        query_param("before", "Cursor: return events older than this sequence number", {"type": "integer"}),
        query_param("limit", "Page size, 1 to 500 (default 50)", {"type": "integer"}),
    ],
    responses={
        "200": {
            "description": "A page of events",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "events": {"type": "array", "items": EVENT_SCHEMA},
                            "next_cursor": {"type": "integer", "nullable": True},
                            "next": {"type": "string", "nullable": True},
                        },
                    }
                }
            },
        },
        "400": {"description": "A filter or the cursor is not valid"},
    },
)
def audit_events():
    trail = TrailFilter.from_args(current_user.commune_id, request.args)
    limit = whole_number(request.args.get("limit", str(current_app.config["QMS_AUDIT_PAGE_SIZE"])), 500)
    if limit is None or limit < 1:
        raise DomainError(_l("limit must be a whole number from 1 to 500."), code="bad_limit")
    found = page(trail, before=parse_cursor(request.args.get("before")), size=limit)
    events, next_cursor = found.items, found.next_cursor
    next_url = (
        url_for("api.audit_events", before=next_cursor, limit=limit, **trail.query_args()) if next_cursor else None
    )
    return jsonify(events=[event_dict(e) for e in events], next_cursor=next_cursor, next=next_url)
