"""Bringing documents in through the API: one document registered (POST /api/v1/documents), or a
commune's existing document system imported whole from its master list and a .zip of its files
(POST /api/v1/documents/import, qms.documents.imports), the same rules as the pages.

Every field and part is checked before any service runs (an unknown one is refused, 400, with the
reason); the services then refuse what breaks a rule (DomainError, which qms/errors.py turns into
{"error", "message"}). A refused request writes nothing but what a refusal records (a wrong
password); the request's unit of work commits once.
"""

import io

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from qms.api import api_route, error_spec, json_spec
from qms.api.arguments import refuse
from qms.api.body import JsonBody
from qms.auth.models import QUALITY_OFFICER, Unit
from qms.core.access import allow
from qms.core.security import allow_large_requests
from qms.core.sheets import FileRefused
from qms.db import db
from qms.documents import services
from qms.documents.api import _DATE, _DATETIME, _PERSON, DOCUMENT_DETAIL_SCHEMA, TAGS, _iso, _person, document_detail
from qms.documents.imports.files import ZipFiles
from qms.documents.imports.plan import CREATE, NEXT_VERSION, REFUSED, UNCHANGED
from qms.documents.imports.services import import_documents
from qms.documents.models import Access, DocumentKind, LegalStatus
from qms.signatures.services import signatures_of, verify

# --- registering one document ---------------------------------------------------------------------

DOCUMENT_FIELDS = {
    "code": {"type": "string", "description": "Unique in the commune, in its format for the kind (QT-01, BM-01-QT-01)"},
    "title": {"type": "string", "maxLength": 500},
    "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
    "field": {"type": "string", "maxLength": 120, "description": "Field (lĩnh vực), e.g. hộ tịch"},
    "owning_unit": {"type": "string", "description": "The code of one of the commune's units"},
    "parent": {
        "type": "string",
        "description": "The code of the procedure a form or instruction belongs to (required for a form)",
    },
    "review_interval_months": {
        "type": "integer",
        "minimum": 1,
        "maximum": 60,
        "description": "Default: the commune's setting",
    },
    "retention_years": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "nullable": True,
        "description": "null or absent: kept permanently",
    },
    "access": {"type": "string", "enum": [a.value for a in Access], "description": "Default: internal"},
    "legal_bases": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Codes of the documents of external origin this one is based on",
    },
    "issuer": {"type": "string", "description": "Documents of external origin only (required for them)"},
    "number": {"type": "string", "description": "Documents of external origin only (required for them)"},
    "issued_on": {**_DATE, "description": "Documents of external origin: the day it was issued"},
    "effective_on": {**_DATE, "description": "Documents of external origin: the day it takes effect"},
    "legal_status": {
        "type": "string",
        "enum": [s.value for s in LegalStatus],
        "description": "Documents of external origin only (required for them)",
    },
}
REQUIRED_FIELDS = ("code", "title", "kind")


def _whole(body, name):
    value = body.data.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        refuse(_l("%(name)s must be a whole number.", name=name), "bad_field")
    return value


def _choice(body, name, enum_cls):
    value = body.text(name)
    values = [m.value for m in enum_cls]
    if value and value not in values:
        refuse(
            _l("Unknown %(name)s %(value)s; use one of %(values)s.", name=name, value=value, values=", ".join(values)),
            "bad_field",
        )
    return value or None


def _document(user, code):
    found = services.document_by_code(user.commune_id, code)
    if found is None:
        refuse(_l("There is no document %(code)s in your commune.", code=code), "unknown_document")
    return found


def _unit(user, code):
    found = db.session.scalar(select(Unit).where(Unit.commune_id == user.commune_id, Unit.code == code))
    if found is None:
        refuse(_l("There is no unit %(value)s in your commune.", value=code), "unknown_unit")
    return found


def _registration(user):
    """The arguments of create_document from the request's JSON object, each checked."""
    body = JsonBody(*DOCUMENT_FIELDS)
    for name in REQUIRED_FIELDS:
        if not body.text(name).strip():
            refuse(_l("%(name)s is required.", name=name), "bad_field")
    unit_code, parent_code = body.text("owning_unit").strip(), body.text("parent").strip()
    details = {
        "code": body.text("code").strip(),
        "title": body.text("title"),
        "kind": _choice(body, "kind", DocumentKind),
        "field": body.text("field"),
        "owning_unit": _unit(user, unit_code) if unit_code else None,
        "parent": _document(user, parent_code) if parent_code else None,
        "legal_bases": [_document(user, code.strip()) for code in body.items("legal_bases")],
        "issuer": body.text("issuer"),
        "number": body.text("number"),
        "issued_on": body.day("issued_on"),
        "effective_on": body.day("effective_on"),
        "legal_status": _choice(body, "legal_status", LegalStatus),
        "review_interval_months": _whole(body, "review_interval_months"),
        "retention_years": _whole(body, "retention_years"),
    }
    access = _choice(body, "access", Access)
    if access is not None:
        details["access"] = access
    return details


@allow(QUALITY_OFFICER)
@api_route(
    "/documents",
    methods=("POST",),
    summary="Register a document",
    tags=TAGS,
    description=(
        "Register one document of the commune, without a version yet (upload its first file with POST "
        "/api/v1/documents/{code}/versions), as on the page that registers a document. The code follows the "
        "commune's format for its kind; a form belongs to a procedure (`parent`); a document of external "
        "origin (a law, a decree) has its issuer, number and legal status, and its own issue and effective "
        "dates; its file is then in force as soon as it is uploaded.\n\n"
        "Refusals (400 unless said): json_required, bad_json, unknown_field, bad_field (a field missing or "
        "of the wrong type or value), unknown_unit, unknown_document (a parent or legal basis that is not "
        "in the commune), invalid_code (not in the commune's format, or a form's code naming another "
        "procedure), title_required, parent_required, external_required, or the service's reason (a parent "
        "that is no procedure, a legal basis that is not external, a review interval outside 1 to 60 "
        "months); taken (409: the code is already used in the commune)."
    ),
    request_body={
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": list(REQUIRED_FIELDS),
                    "properties": DOCUMENT_FIELDS,
                    "additionalProperties": False,
                }
            }
        },
    },
    responses={
        "201": json_spec(
            DOCUMENT_DETAIL_SCHEMA,
            "The document registered, as GET /api/v1/documents/{code} shows it",
            headers={"Location": {"description": "Where the document can be read", "schema": {"type": "string"}}},
        ),
        "400": error_spec("The body or a field is refused; `error` says why, `message` what to do"),
        "409": error_spec("The code is already used in the commune (error: taken)"),
    },
)
def register_document():
    user = current_user._get_current_object()
    document = services.create_document(user, user.commune, **_registration(user))
    response = jsonify(document_detail(user, document))
    response.status_code = 201
    response.headers["Location"] = url_for("api.show_document", code=document.code)
    return response


# --- importing a document system ---------------------------------------------------------------------

IMPORT_PARTS = ("list", "files", "password", "dry_run")

_PROBLEM = {
    "type": "object",
    "properties": {
        "row": {"type": "integer", "nullable": True, "description": "The row of the list (null: the list as a whole)"},
        "column": {"type": "string", "description": "The column's header as the list writes it (or empty)"},
        "reason": {"type": "string", "description": "In the reader's language"},
    },
}
_COUNTS = {
    "type": "object",
    "properties": {name: {"type": "integer"} for name in (CREATE, NEXT_VERSION, UNCHANGED, REFUSED)},
}
PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "list": {"type": "string", "description": "The master list's file name"},
        "counts": _COUNTS,
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "code": {"type": "string"},
                    "title": {"type": "string"},
                    "kind": {"type": "string", "nullable": True, "enum": [*(k.value for k in DocumentKind), None]},
                    "issue_no": {"type": "integer"},
                    "issued_on": _DATE,
                    "effective_on": _DATE,
                    "unit": {"type": "string"},
                    "procedure": {"type": "string", "description": "The procedure a form or instruction belongs to"},
                    "file": {"type": "string", "description": "The file's path in the .zip"},
                    "sha256": {"type": "string"},
                    "current_issue": {
                        "type": "integer",
                        "nullable": True,
                        "description": "The issue in force of the document already here",
                    },
                    "action": {
                        "type": "string",
                        "enum": [CREATE, NEXT_VERSION, UNCHANGED, REFUSED],
                        "description": "create: a new document; next_version: a higher issue, superseding the one "
                        "in force; unchanged: already in force at this issue with this file; refused: see problems",
                    },
                    "problems": {"type": "array", "items": _PROBLEM},
                },
            },
        },
        "unlisted_files": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Files of the .zip that no row names",
        },
        "ignored_columns": {"type": "array", "items": {"type": "string"}},
    },
}
IMPORT_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The import's record (null for a dry run, or when nothing changed)",
    "properties": {
        "id": {"type": "integer"},
        "list_name": {"type": "string"},
        "files_name": {"type": "string"},
        "status": {"type": "string", "enum": ["checking", "importing", "done", "failed"]},
        "started_by": _PERSON,
        "started_at": _DATETIME,
        "finished_at": _DATETIME,
        "counts": {
            "type": "object",
            "properties": {name: {"type": "integer"} for name in ("created", "new_versions", "unchanged", "refused")},
        },
        "digest": {"type": "string", "description": "The digest of everything imported, which the signature seals"},
        "signature": {
            "type": "object",
            "nullable": True,
            "properties": {
                "meaning": {"type": "string", "enum": ["declared_issued"]},
                "signer": _PERSON,
                "signed_at": _DATETIME,
                "valid": {"type": "boolean", "description": "Sealed, and every imported file is still as imported"},
            },
        },
    },
}
IMPORT_RESULT = {
    "type": "object",
    "properties": {
        "dry_run": {"type": "boolean"},
        "nothing_to_change": {
            "type": "boolean",
            "description": "No row creates a document or a version (every row unchanged or refused)",
        },
        "plan": PLAN_SCHEMA,
        "import": IMPORT_SCHEMA,
    },
}
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["list", "files"],
                "properties": {
                    "list": {
                        "type": "string",
                        "format": "binary",
                        "description": "The master list (danh mục tài liệu nội bộ), .xlsx or .csv (UTF-8): columns "
                        'found by their header in Vietnamese or English ("Mã hiệu"/"Code", "Tên tài liệu"/"Title", '
                        '"Loại tài liệu"/"Kind", "Lần ban hành"/"Issue", "Ngày ban hành", "Ngày hiệu lực", '
                        '"Tên tệp"/"File", "Người soạn thảo", "Người xem xét", "Người phê duyệt", ...); the '
                        "master list qms exports is accepted as it is",
                    },
                    "files": {
                        "type": "string",
                        "format": "binary",
                        "description": "A .zip of the files the list names (.docx, .xlsx, .pdf), in folders or not",
                    },
                    "password": {
                        "type": "string",
                        "format": "password",
                        "description": "Your password: you sign the declaration that these documents were issued "
                        "(required unless dry_run is true)",
                    },
                    "dry_run": {
                        "type": "string",
                        "enum": ["true", "false"],
                        "description": "true: only say what each row would become (default false)",
                    },
                },
            },
            "encoding": {"files": {"contentType": "application/zip"}},
        }
    },
}


def _part(name, missing):
    """The one file sent in the multipart part `name` (its name and bytes)."""
    uploads = [f for f in request.files.getlist(name) if f.filename]
    if not uploads:
        refuse(missing, f"{name}_required")
    if len(uploads) > 1:
        refuse(_l('Send exactly one file in the part "%(name)s".', name=name), "bad_field")
    return uploads[0].filename, uploads[0].read()


def _import_parts():
    """The parts of an import request, checked before anything is read or written."""
    if request.mimetype != "multipart/form-data":
        refuse(
            _l("Send the import as multipart/form-data with the parts list, files, password and dry_run."),
            "multipart_required",
        )
    unknown = sorted((set(request.form) | set(request.files)) - set(IMPORT_PARTS))
    if unknown:
        refuse(
            _l(
                "Unknown part %(names)s; an import takes %(known)s.",
                names=", ".join(unknown),
                known=", ".join(IMPORT_PARTS),
            ),
            "unknown_field",
        )
    for name in ("password", "dry_run"):
        if name in request.files:
            refuse(_l("%(name)s must be text.", name=name), "bad_field")
    dry_run = (request.form.get("dry_run") or "false").strip().lower()
    if dry_run not in ("true", "false"):
        refuse(_l("%(name)s must be true or false.", name="dry_run"), "bad_field")
    list_name, list_data = _part("list", _l('Send the master list (.xlsx or .csv) in the part "list".'))
    files_name, files_data = _part("files", _l('Send the .zip of the files in the part "files".'))
    password = request.form.get("password") or ""
    if dry_run == "false" and not password:
        refuse(_l("Type your password in the part password: you sign the import."), "password_required")
    return list_name, list_data, files_name, files_data, password, dry_run == "true"


def _import_dict(run):
    if run is None:
        return None
    signatures = signatures_of(run)
    signature = signatures[-1] if signatures else None
    return {
        "id": run.id,
        "list_name": run.list_name,
        "files_name": run.files_name,
        "status": run.status.value,
        "started_by": _person(run.started_by),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": {
            "created": run.created,
            "new_versions": run.new_versions,
            "unchanged": run.unchanged,
            "refused": run.refused,
        },
        "digest": run.digest,
        "signature": {
            "meaning": signature.meaning,
            "signer": {"id": signature.signer_id, "full_name": signature.signer_name},
            "signed_at": _iso(signature.signed_at),
            "valid": verify(signature, run).valid,
        }
        if signature is not None
        else None,
    }


@allow(QUALITY_OFFICER)
@api_route(
    "/documents/import",
    methods=("POST",),
    summary="Import the commune's existing document system: its master list and a .zip of its files",
    tags=TAGS,
    description=(
        "Each good row of the master list becomes a document whose version is in force as it was issued "
        "before qms (the issue number and dates from the list, the drafted/reviewed/approved names kept as "
        "text, marked `imported` on the version), or the next version of a document already here when its "
        "issue number is higher (the one in force is superseded). Every file passes the checks of any "
        "upload. A row is written whole or not at all; bad rows are reported, good ones kept. The import "
        "is one signed action of the quality officer, declaring these documents issued, over a digest of "
        "everything imported (`password`); no signature of the past is invented.\n\n"
        "`dry_run=true` writes nothing and answers 200 with what each row would become and every problem "
        "(row, column, reason). A real run answers 201 with the plan as done, the import's record and its "
        "signature; when no row changes anything (the same list again) it writes nothing, signs nothing "
        "and answers 200 with `nothing_to_change` true.\n\n"
        "Refusals (400 unless said): multipart_required, unknown_field, bad_field, list_required, "
        "files_required, password_required (a real run), list_refused (the list cannot be read: `message` "
        "says why), zip_refused (not a readable .zip, encrypted, or claiming too much); forbidden (403: not "
        "the commune's quality officer); bad_password (403: the password is wrong; the attempt is recorded, "
        "nothing is imported or signed); locked (429); too_large (413)."
    ),
    request_body=IMPORT_BODY,
    responses={
        "200": json_spec(IMPORT_RESULT, "The dry run's plan, or nothing to change (nothing written)"),
        "201": json_spec(IMPORT_RESULT, "Imported: the plan as done, the import's record and its signature"),
        "400": error_spec("A part is missing or refused, or the list or the .zip cannot be read"),
        "403": error_spec(
            "Not the commune's quality officer (error: forbidden), or the password is wrong (error: bad_password; "
            "the attempt is recorded, nothing is imported)"
        ),
        "413": error_spec("The request is larger than the import's limit"),
        "429": error_spec("The account is locked after too many wrong passwords (error: locked)"),
    },
)
def import_document_system():
    user = current_user._get_current_object()
    list_name, list_data, files_name, files_data, password, dry_run = _import_parts()
    try:
        files = ZipFiles(files_name, io.BytesIO(files_data))
    except FileRefused as exc:
        refuse(exc.message, "zip_refused")
    try:
        result = import_documents(
            user,
            user.commune,
            list_name=list_name,
            list_data=list_data,
            files=files,
            password=password,
            dry_run=dry_run,
            files_data=files_data,
        )
    finally:
        files.close()
    response = jsonify(
        dry_run=dry_run,
        nothing_to_change=result.nothing_to_change,
        plan=result.plan.as_dict(),
        **{"import": _import_dict(result.run)},
    )
    response.status_code = 201 if result.run is not None else 200
    return response


allow_large_requests("api.import_document_system")  # a master list and the .zip of its files
