"""The JSON API under /api/v1: bearer tokens, JSON errors, and an OpenAPI 3 document built from
the same declarations that register the routes, so no endpoint can go undescribed."""

import functools

from flask import Blueprint, g, jsonify

from qms.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated; the API never accepts the session cookie

_SPECS = []


def api_route(
    rule, *, methods=("GET",), summary, description="", parameters=(), request_body=None, responses=None, tags=()
):
    """Register a route on the API blueprint together with its OpenAPI description."""

    def decorate(view):
        endpoint = view
        if set(methods) - {"GET", "HEAD"}:
            endpoint = functools.wraps(view)(_noting_token_use(view))
        bp.add_url_rule(rule, view_func=endpoint, methods=list(methods))
        _SPECS.append(
            {
                "rule": rule,
                "methods": methods,
                "summary": summary,
                "description": description,
                "parameters": list(parameters),
                "request_body": request_body,
                "responses": responses or {"200": {"description": "OK"}},
                "tags": list(tags),
                "endpoint": view.__name__,
                "view": endpoint,
            }
        )
        return endpoint  # what @allow() above it marks is then the function the route calls

    return decorate


def _noting_token_use(view):
    """A request that may change something notes when its token last did (in its unit of work, so
    a refused request leaves the time as it was). It is noted once the view has done its work: an
    update written first would hold the database's write lock (SQLite's, for the whole database)
    through the view's slow work (the checks of an uploaded file, hashing it, storing it), and
    every other writer would wait behind it."""

    def noted(*args, **kwargs):
        from qms.auth.services import note_token_change

        response = view(*args, **kwargs)
        token = g.get("api_token")
        if token is not None:
            note_token_change(token)
        return response

    return noted


def iso(value):
    """A date or time as the API writes it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None


def person(user):
    """A person as the API names them: id and full name, or None."""
    return {"id": user.id, "full_name": user.full_name} if user is not None else None


PERSON_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
}


def json_spec(schema, description, headers=None):
    """An OpenAPI response with a JSON body of `schema`."""
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def error_spec(description):
    """An OpenAPI error response: {"error", "message"} (the Error schema)."""
    return json_spec({"$ref": "#/components/schemas/Error"}, description)


def query_param(name, description, schema=None, required=False):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def path_param(name, description, schema=None):
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def cursor_parameters(default, maximum):
    """The query parameters of a list walked with a cursor (qms.api.arguments: limit_arg, decoded_cursor)."""
    return [
        query_param("cursor", "next_cursor of the previous page", {"type": "string"}),
        query_param(
            "limit",
            f"Page size, 1 to {maximum} (default {default})",
            {"type": "integer", "minimum": 1, "maximum": maximum},
        ),
    ]


def cursor_page_spec(key, item_schema, description):
    """The OpenAPI answer of a list walked with a cursor: the page's items under `key`, the limit, and
    where the next page starts (null on the last one)."""
    return json_spec(
        {
            "type": "object",
            "properties": {
                key: {"type": "array", "items": item_schema},
                "limit": {"type": "integer"},
                "next_cursor": {"type": "string", "nullable": True},
                "next": {"type": "string", "nullable": True},
            },
        },
        description,
    )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _openapi_path(rule):
    import re

    return "/api/v1" + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _roles_text(view):
    access = getattr(view, "qms_access", None)
    return f"\n\nRoles: {', '.join(sorted(access))}." if isinstance(access, frozenset) else ""


def openapi_document():
    paths = {}
    for spec in _SPECS:
        item = paths.setdefault(_openapi_path(spec["rule"]), {})
        for method in spec["methods"]:
            responses = dict(spec["responses"])
            for status, text in (("401", "Missing or invalid token"), ("403", "Not allowed for this role")):
                responses.setdefault(
                    status,
                    {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            operation = {
                "operationId": spec["endpoint"],
                "summary": spec["summary"],
                "description": spec["description"] + (_roles_text(spec["view"])),
                "parameters": spec["parameters"],
                "responses": responses,
                "tags": spec["tags"],
                "security": [{"bearerAuth": []}],
            }
            if spec["request_body"]:
                operation["requestBody"] = spec["request_body"]
            item[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "qms API",
            "version": "1",
            "description": "ISO 9001:2015 quality-management system of a commune one-stop shop. Authenticate with "
            "a personal API token: `Authorization: Bearer <token>` (create one on your account page).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }


from qms.core.access import public  # noqa: E402


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())
