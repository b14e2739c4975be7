"""The OpenAPI document at /api/v1/openapi.json: it describes every /api/v1 route of app.url_map (and
nothing else), and has the structure of an OpenAPI 3 document."""

import re

from qms.api import _openapi_path, openapi_document

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PARAMETER_LOCATIONS = {"query", "header", "path", "cookie"}
SELF = "/api/v1/openapi.json"  # the document itself


def api_operations(app):
    """(OpenAPI path, method) of every /api/v1 rule of the app, but the document itself."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == SELF:
            continue
        path = _openapi_path(rule.rule[len("/api/v1") :])
        out.update((path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"})
    return out


def described_operations(document):
    return {(path, method) for path, item in document["paths"].items() for method in item}


def undescribed(app, document):
    return sorted(api_operations(app) - described_operations(document))


def test_every_api_route_is_described(app, client):
    document = client.get(SELF).get_json()
    assert not undescribed(app, document), f"routes missing from {SELF}: {undescribed(app, document)}"
    assert described_operations(document) <= api_operations(app), "the document describes routes that do not exist"
    operations = {path: item for path, item in document["paths"].items()}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != SELF:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = operations[_openapi_path(rule.rule[len("/api/v1") :])][method.lower()]
                assert f"api.{operation['operationId']}" == rule.endpoint


def test_a_route_left_out_of_the_document_is_caught(app):
    """The check above fails for a route registered without api_route (so without a description)."""
    app.add_url_rule("/api/v1/undescribed/<int:item_id>", "api.undescribed", lambda item_id: "", methods=["PUT"])
    with app.test_request_context():
        assert undescribed(app, openapi_document()) == [("/api/v1/undescribed/{item_id}", "put")]


def _resolve(document, ref):
    assert ref.startswith("#/"), f"external $ref {ref}"
    node = document
    for part in ref[2:].split("/"):
        assert part in node, f"$ref {ref} does not resolve"
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _check_schema(schema, where):
    assert isinstance(schema, dict), f"{where}: a schema is an object"
    if "$ref" in schema:
        return
    if "type" in schema:
        assert schema["type"] in {"object", "array", "string", "integer", "number", "boolean"}, where
    if schema.get("type") == "array":
        assert "items" in schema, f"{where}: an array schema needs items"
        _check_schema(schema["items"], f"{where}[]")
    for name, child in (schema.get("properties") or {}).items():
        _check_schema(child, f"{where}.{name}")
    for name in schema.get("required", []):
        assert name in (schema.get("properties") or {}), f"{where}: required {name} is not a property"


def _check_content(content, where):
    assert content, f"{where}: content needs at least one media type"
    for media_type, body in content.items():
        assert "/" in media_type, f"{where}: {media_type} is not a media type"
        if "schema" in body:
            _check_schema(body["schema"], f"{where} {media_type}")


def test_the_document_has_the_structure_of_openapi_3(client):
    document = client.get(SELF).get_json()
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    schemes = document["components"]["securitySchemes"]
    assert document["paths"], "no paths"
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/"), path
        placeholders = set(re.findall(r"{([^}]+)}", path))
        assert item and set(item) <= HTTP_METHODS, f"{path}: {sorted(item)}"
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            operation_ids.append(operation["operationId"])
            assert operation["summary"], f"{where}: no summary"
            assert operation["responses"], f"{where}: no responses"
            for status, response in operation["responses"].items():
                assert status == "default" or re.fullmatch(r"[1-5](\d\d|XX)", status), f"{where}: {status}"
                assert response["description"], f"{where} {status}: a response needs a description"
                if "content" in response:
                    _check_content(response["content"], f"{where} {status}")
                for header in (response.get("headers") or {}).values():
                    assert "schema" in header or "content" in header, f"{where} {status}: header without schema"
            seen = set()
            for parameter in operation.get("parameters", []):
                key = (parameter["name"], parameter["in"])
                assert parameter["in"] in PARAMETER_LOCATIONS and key not in seen, f"{where}: {key}"
                seen.add(key)
                assert "schema" in parameter or "content" in parameter, f"{where}: {key} without schema"
                if parameter["in"] == "path":
                    assert parameter["required"] is True, f"{where}: path parameter {key} must be required"
            assert {name for name, location in seen if location == "path"} == placeholders, (
                f"{where}: path parameters do not match the path"
            )
            if "requestBody" in operation:
                _check_content(operation["requestBody"]["content"], f"{where} request body")
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes), f"{where}: unknown security scheme"
            assert all(isinstance(tag, str) for tag in operation.get("tags", []))
    assert len(operation_ids) == len(set(operation_ids)), "operationId must be unique"
    for ref in _refs(document):
        _resolve(document, ref)
    for name, schema in document["components"]["schemas"].items():
        _check_schema(schema, f"components.schemas.{name}")
