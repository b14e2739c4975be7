"""The JSON API of document control under /api/v1/documents: the same rules as the pages.

Documents are named by their code, which is unique within a commune; a code of another commune is
simply not found. What a user sees follows permissions.py (staff: active documents and effective
versions only, never a draft, a version in review or an obsolete one), with the list filtered in SQL
by queries.list_documents. Writes go through the services, which flush; the request's unit of work
commits once.
Refusals are DomainErrors, which qms/errors.py turns into {"error", "message"} with their status
(a concurrent change is a ConflictError: 409).
"""

from io import BytesIO

from flask import jsonify, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.api import api_route, error_spec, json_spec, path_param, query_param
from qms.api.arguments import refuse, refuse_unknown_parameters
from qms.auth.models import QUALITY_OFFICER
from qms.core.access import SIGNED_IN, allow
from qms.documents import permissions as perm
from qms.documents import queries, services
from qms.documents.models import DocumentKind
from qms.files.services import INTACT, file_state
from qms.files.uploads import MEDIA_TYPES
from qms.signatures.services import verify

TAGS = ["documents"]
MAX_PER_PAGE = 200
MAX_QUERY = 200
MAX_TEXT = 4000  # change summary and reason, as on the upload page
LIST_PARAMETERS = ("kind", "status", "q", "page", "per_page")

# --- OpenAPI descriptions ---------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time", "nullable": True}
_PERSON = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
}
_UNIT = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}},
}
_DOCUMENT_REF = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"}},
}
_ISSUE = {
    "type": "object",
    "nullable": True,
    "properties": {
        "id": {"type": "integer"},
        "issue_no": {"type": "integer"},
        "issue_label": {"type": "string"},
        "status": {"type": "string"},
        "effective_date": _DATE,
        "next_review_on": _DATE,
    },
}

DOCUMENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
        "status": {"type": "string", "enum": ["active", "obsolete"]},
        "field": {"type": "string", "description": "Field (lĩnh vực), e.g. hộ tịch"},
        "access": {"type": "string", "enum": ["internal", "public"]},
        "owning_unit": _UNIT,
        "parent": {**_DOCUMENT_REF, "nullable": True, "description": "The procedure a form belongs to"},
        "current_version": {**_ISSUE, "description": "The effective version, or null"},
        "links": {
            "type": "object",
            "properties": {
                "self": {"type": "string"},
                "versions": {"type": "string"},
                "download": {"type": "string", "nullable": True},
                "page": {"type": "string"},
            },
        },
    },
}

DOCUMENT_DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        **DOCUMENT_SCHEMA["properties"],
        "owner": _PERSON,
        "review_interval_months": {"type": "integer"},
        "retention_years": {"type": "integer", "nullable": True, "description": "null: kept permanently"},
        "created_at": _DATETIME,
        "withdrawn_at": _DATETIME,
        "withdrawn_reason": {"type": "string"},
        "legal_bases": {
            "type": "array",
            "items": _DOCUMENT_REF,
            "description": "Documents of external origin this one is based on",
        },
        "children": {
            "type": "array",
            "items": _DOCUMENT_REF,
            "description": "The forms and instructions that belong to this procedure",
        },
        "based_on_this": {
            "type": "array",
            "items": _DOCUMENT_REF,
            "description": "Internal documents based on this document of external origin",
        },
        "issuer": {"type": "string", "description": "Documents of external origin only"},
        "number": {"type": "string"},
        "issued_on": _DATE,
        "effective_on": _DATE,
        "legal_status": {
            "type": "string",
            "nullable": True,
            "enum": ["in_force", "amended", "replaced", "repealed", None],
        },
        "version_in_progress": {
            **_ISSUE,
            "description": "Draft, in review or approved version (quality "
            "officers, leaders and auditors only; otherwise null)",
        },
    },
}

SIGNATURE_SCHEMA = {
    "type": "object",
    "properties": {
        "meaning": {"type": "string", "enum": ["reviewed", "approved", "returned", "withdrawn", "confirmed"]},
        "signer_name": {"type": "string"},
        "signed_at": _DATETIME,
        "file_sha256": {"type": "string"},
        "comment": {"type": "string"},
        "valid": {"type": "boolean", "description": "The digest still matches this version"},
        "covers_current_file": {"type": "boolean"},
    },
}

IMPORTED_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "A version brought in by an import of the commune's existing document system (null "
    "otherwise): in force as it was issued before qms, with the names the master list gives as text and "
    "no electronic signature of the past; the import itself is the quality officer's one signed "
    "declaration (POST /api/v1/documents/import)",
    "properties": {
        "import_id": {"type": "integer"},
        "list_name": {"type": "string", "description": "The master list's file name"},
        "row": {"type": "integer", "nullable": True, "description": "The version's row in the master list"},
        "imported_by": _PERSON,
        "imported_at": _DATETIME,
        "issued_on": _DATE,
        "drafted_by": {"type": "string", "description": "As the list writes it"},
        "reviewed_by": {"type": "string"},
        "approved_by": {"type": "string"},
    },
}

VERSION_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "document_code": {"type": "string"},
        "issue_no": {"type": "integer"},
        "issue_label": {"type": "string", "description": "01, 02, ..."},
        "status": {"type": "string", "enum": ["draft", "in_review", "approved", "effective", "superseded", "obsolete"]},
        "change_summary": {"type": "string"},
        "reason": {"type": "string"},
        "author": _PERSON,
        "created_at": _DATETIME,
        "submitted_at": _DATETIME,
        "reviewed_by": _PERSON,
        "reviewed_at": _DATETIME,
        "approved_by": _PERSON,
        "approved_at": _DATETIME,
        "effective_date": _DATE,
        "effective_at": _DATETIME,
        "superseded_at": _DATETIME,
        "withdrawn_at": _DATETIME,
        "next_review_on": _DATE,
        "returned_comment": {"type": "string"},
        "row_version": {"type": "integer", "description": "Optimistic-lock counter"},
        "file": {
            "type": "object",
            "nullable": True,
            "properties": {
                "filename": {"type": "string"},
                "kind": {"type": "string", "enum": sorted(MEDIA_TYPES)},
                "media_type": {"type": "string"},
                "size": {"type": "integer"},
                "sha256": {"type": "string", "description": "Quality officers, leaders and auditors only"},
            },
        },
        "signatures": {
            "type": "array",
            "items": SIGNATURE_SCHEMA,
            "description": "Quality officers, leaders and auditors only (empty for others)",
        },
        "imported": IMPORTED_SCHEMA,
        "links": {"type": "object", "properties": {"self": {"type": "string"}, "page": {"type": "string"}}},
    },
}


CODE_PARAM = path_param("code", "Code of the document, e.g. QT-01 or BM-01-QT-01")
NOT_FOUND = error_spec("No document with this code that you may see (documents of other communes are never found)")

# --- reading query parameters -----------------------------------------------------------------------


def _positive_int(name, default, maximum=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        if maximum is None:
            refuse(_l("%(name)s must be a whole number from 1 up.", name=name), f"bad_{name}")
        refuse(_l("%(name)s must be a whole number from 1 to %(max)d.", name=name, max=maximum), f"bad_{name}")
    return int(raw)


def _list_filters():
    """The filters of the documents list, each checked: an unknown parameter, kind or status, an
    over-long query or a page that is not a positive whole number is refused (400) with the reason,
    rather than silently ignored."""
    refuse_unknown_parameters(LIST_PARAMETERS)
    kind = request.args.get("kind") or None
    kinds = [k.value for k in DocumentKind]
    if kind is not None and kind not in kinds:
        refuse(_l("Unknown kind %(kind)s; use one of %(kinds)s.", kind=kind, kinds=", ".join(kinds)), "bad_kind")
    status = request.args.get("status") or None
    if status is not None and status not in queries.STATUS_FILTERS:
        refuse(
            _l(
                "Unknown status %(status)s; use one of %(statuses)s.",
                status=status,
                statuses=", ".join(queries.STATUS_FILTERS),
            ),
            "bad_status",
        )
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        refuse(_l("The search text is longer than %(n)d characters.", n=MAX_QUERY), "bad_q")
    return {
        "kind": kind,
        "status": status,
        "q": q or None,
        "page": _positive_int("page", 1),
        "per_page": _positive_int("per_page", queries.PER_PAGE, MAX_PER_PAGE),
    }


def _visible_document_or_404(code, user=None):
    """The document with this code in the user's commune, if the user may see it."""
    user = user or current_user._get_current_object()
    document = services.document_by_code(user.commune_id, code)
    if document is None or not perm.can_view_document(user, document):
        refuse(_l("There is no document %(code)s that you may see.", code=code), "not_found", 404)
    return document


# --- JSON shapes ------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def _person(user):
    return {"id": user.id, "full_name": user.full_name} if user is not None else None


def _document_ref(document):
    return {"code": document.code, "title": document.title, "kind": document.kind.value}


def _issue(version):
    if version is None:
        return None
    return {
        "id": version.id,
        "issue_no": version.issue_no,
        "issue_label": version.issue_label,
        "status": version.status.value,
        "effective_date": _iso(version.effective_date),
        "next_review_on": _iso(version.next_review_on),
    }


def _versions_url(document, **args):
    return url_for("api.list_document_versions", code=document.code, **args)


def document_summary(listed):
    """A document as listed (a queries.ListedDocument): what identifies it, and its version in force."""
    # /documents/<code>, /documents/<code>/versions and /documents/<code>/current/download share
    # their start: built once (a list builds these links for every row).
    url = url_for("api.show_document", code=listed.code)
    unit, parent = listed.owning_unit, listed.parent
    return {
        "id": listed.id,
        "code": listed.code,
        "title": listed.title,
        "kind": listed.kind.value,
        "status": listed.status.value,
        "field": listed.field,
        "access": listed.access.value,
        "owning_unit": {"id": unit.id, "code": unit.code, "name": unit.name} if unit else None,
        "parent": _document_ref(parent) if parent else None,
        "current_version": _issue(listed.current),
        "links": {
            "self": url,
            "versions": f"{url}/versions",
            "download": f"{url}/current/download" if listed.can_download else None,
            "page": url_for("documents.show_document", document_id=listed.id),
        },
    }


def document_detail(user, document):
    """A document with its metadata; the version in progress only for those who see the history."""
    out = document_summary(queries.ListedDocument.of(user, document))
    out.update(
        {
            "owner": _person(document.owner),
            "review_interval_months": document.review_interval_months,
            "retention_years": document.retention_years,
            "created_at": _iso(document.created_at),
            "withdrawn_at": _iso(document.withdrawn_at),
            "withdrawn_reason": document.withdrawn_reason or "",
            "legal_bases": [_document_ref(b) for b in document.legal_bases if perm.can_view_document(user, b)],
            "children": [_document_ref(c) for c in document.children if perm.can_view_document(user, c)],
            "based_on_this": [_document_ref(d) for d in document.based_on_this if perm.can_view_document(user, d)],
            "issuer": document.issuer or "",
            "number": document.number or "",
            "issued_on": _iso(document.issued_on),
            "effective_on": _iso(document.effective_on),
            "legal_status": document.legal_status.value if document.legal_status else None,
            "version_in_progress": _issue(services.pending_version(document))
            if perm.can_see_history(user, document)
            else None,
        }
    )
    return out


def _covers(signature, primary):
    return primary is not None and signature.signed_digest == primary.sha256


def _imported(version):
    """Where a version brought in by an import came from (None for a version made in qms)."""
    run = version.imported if version.imported_id is not None else None
    if run is None:
        return None
    return {
        "import_id": run.id,
        "list_name": run.list_name,
        "row": version.imported_row,
        "imported_by": _person(run.started_by),
        "imported_at": _iso(run.started_at),
        "issued_on": _iso(version.issued_on),
        "drafted_by": version.drafted_by_name or "",
        "reviewed_by": version.reviewed_by_name or "",
        "approved_by": version.approved_by_name or "",
    }


def version_dict(user, version):
    """A version as the user may see it: the signatures and the file's SHA-256 only for those who
    see the history (as on the version's page)."""
    history = perm.can_see_history(user, version.document)
    primary = version.primary_file
    file = None
    if primary is not None:
        file = {
            "filename": primary.filename,
            "kind": primary.kind,
            "media_type": primary.media_type,
            "size": primary.size,
        }
        if history:
            file["sha256"] = primary.sha256
    digest = primary.sha256 if primary is not None and history and file_state(primary.sha256) == INTACT else ""
    signatures = []
    for s in version.signatures if history else ():
        check = verify(s, version, current_digest=digest)
        signatures.append(
            {
                "meaning": s.meaning,
                "signer_name": s.signer_name,
                "signed_at": _iso(s.signed_at),
                "file_sha256": s.signed_digest,
                "comment": s.comment or "",
                "valid": check.sealed and (check.content_matches or not _covers(s, primary)),
                "covers_current_file": _covers(s, primary),
            }
        )
    return {
        "id": version.id,
        "document_code": version.document.code,
        "issue_no": version.issue_no,
        "issue_label": version.issue_label,
        "status": version.status.value,
        "change_summary": version.change_summary or "",
        "reason": version.reason or "",
        "author": _person(version.author),
        "created_at": _iso(version.created_at),
        "submitted_at": _iso(version.submitted_at),
        "reviewed_by": _person(version.reviewed_by),
        "reviewed_at": _iso(version.reviewed_at),
        "approved_by": _person(version.approved_by),
        "approved_at": _iso(version.approved_at),
        "effective_date": _iso(version.effective_date),
        "effective_at": _iso(version.effective_at),
        "superseded_at": _iso(version.superseded_at),
        "withdrawn_at": _iso(version.withdrawn_at),
        "next_review_on": _iso(version.next_review_on),
        "returned_comment": (version.returned_comment or "") if history else "",
        "row_version": version.row_version,
        "file": file,
        "signatures": signatures,
        "imported": _imported(version),
        "links": {
            "self": _versions_url(version.document, issue=version.issue_no),
            "page": url_for("documents.show_version", version_id=version.id),
        },
    }


# --- reading ----------------------------------------------------------------------------------------


@allow(SIGNED_IN)
@api_route(
    "/documents",
    summary="Documents of the user's commune, filtered and paginated",
    tags=TAGS,
    description=(
        "The documents the user may see: quality officers, leaders and auditors see every document; "
        "everyone else sees only active documents with a version in force (and active documents of "
        "external origin). Sorted by kind, then code.\n\n"
        "Pagination: `page` (from 1) and `per_page` (1 to 200, default 50). The answer gives `total`, "
        "`pages`, and the URLs of the `next` and `previous` pages (null at either end); a page past the "
        "last one is empty.\n\n"
        "Every parameter is checked: an unknown parameter, kind or status, a search text over 200 "
        "characters, or a page that is not a whole number from 1 up answers 400 with the reason. "
        "A status that the user may not see (a draft, for staff) matches nothing."
    ),
    parameters=[
        query_param("kind", "Kind of document", {"type": "string", "enum": [k.value for k in DocumentKind]}),
        query_param(
            "status",
            "A document status (active, obsolete), or a version status: the documents that have a version in it",
            {"type": "string", "enum": list(queries.STATUS_FILTERS)},
        ),
        query_param(
            "q",
            "Search code, title and text content; insensitive to case and Vietnamese "
            'diacritics ("chung thuc" finds "Chứng thực")',
            {"type": "string", "maxLength": MAX_QUERY},
        ),
        query_param("page", "Page number, from 1 (default 1)", {"type": "integer", "minimum": 1}),
        query_param(
            "per_page", "Page size, 1 to 200 (default 50)", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}
        ),
    ],
    responses={
        "200": json_spec(
            {
                "type": "object",
                "properties": {
                    "documents": {"type": "array", "items": DOCUMENT_SCHEMA},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "next": {"type": "string", "nullable": True},
                    "previous": {"type": "string", "nullable": True},
                },
            },
            "A page of documents",
        ),
        "400": error_spec(
            "A filter or the page is not valid (error: unknown_parameter, bad_kind, bad_status, "
            "bad_q, bad_page or bad_per_page)"
        ),
    },
)
def list_documents():
    filters = _list_filters()
    found = queries.list_documents(
        current_user,
        kind=filters["kind"],
        status=filters["status"],
        q=filters["q"],
        page=filters["page"],
        per_page=filters["per_page"],
    )
    page, per_page, pages = found.number, found.per_page, found.pages
    args = {k: v for k, v in (("kind", filters["kind"]), ("status", filters["status"]), ("q", filters["q"])) if v}
    if per_page != queries.PER_PAGE:
        args["per_page"] = per_page

    def page_url(number):
        return url_for("api.list_documents", page=number, **args)

    return jsonify(
        documents=[document_summary(listed) for listed in found.items],
        total=found.total,
        page=page,
        per_page=per_page,
        pages=pages,
        next=page_url(page + 1) if page < pages else None,
        previous=page_url(min(page - 1, pages)) if page > 1 else None,
    )


@allow(SIGNED_IN)
@api_route(
    "/documents/<code>",
    summary="One document",
    tags=TAGS,
    description="A document of the user's commune, if the user may see it (staff: an active document "
    "with a version in force). The version in progress is shown to quality officers, "
    "leaders and auditors only.",
    parameters=[CODE_PARAM],
    responses={"200": json_spec(DOCUMENT_DETAIL_SCHEMA, "The document"), "404": NOT_FOUND},
)
def show_document(code):
    return jsonify(document_detail(current_user, _visible_document_or_404(code)))


@allow(SIGNED_IN)
@api_route(
    "/documents/<code>/versions",
    summary="The versions of a document the user may see",
    tags=TAGS,
    description="Quality officers, leaders and auditors: every version, drafts and obsolete ones included, "
    "with their signatures. Everyone else: the version in force only. Oldest issue first.",
    parameters=[
        CODE_PARAM,
        query_param(
            "issue", "Only this issue number (the Location of an upload points here)", {"type": "integer", "minimum": 1}
        ),
    ],
    responses={
        "200": json_spec(
            {
                "type": "object",
                "properties": {"document": _DOCUMENT_REF, "versions": {"type": "array", "items": VERSION_SCHEMA}},
            },
            "The versions",
        ),
        "400": error_spec("The issue number is not a whole number from 1 up (error: bad_issue)"),
        "404": NOT_FOUND,
    },
)
def list_document_versions(code):
    document = _visible_document_or_404(code)
    issue = _positive_int("issue", None)
    versions = [
        v
        for v in document.versions
        if perm.can_view_version(current_user, v) and (issue is None or v.issue_no == issue)
    ]
    return jsonify(document=_document_ref(document), versions=[version_dict(current_user, v) for v in versions])


@allow(SIGNED_IN)
@api_route(
    "/documents/<code>/current/download",
    summary="Download the controlled copy of the version in force",
    tags=TAGS,
    description="The file of the effective version, stamped in its header (.docx) or header and footer "
    '(.xlsx) with the code, issue number, effective date, "BẢN KIỂM SOÁT" and who '
    "downloaded it when; everything else in the file is as approved. A PDF that cannot be "
    "stamped is served as stored (header X-QMS-Stamped: false). Every download is recorded in "
    "the audit trail (document.version.downloaded, via api).",
    parameters=[CODE_PARAM],
    responses={
        "200": {
            "description": "The stamped file, as an attachment",
            "headers": {
                "X-QMS-Stamped": {
                    "description": "true when the copy carries the stamp",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                }
            },
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in MEDIA_TYPES.values()
            },
        },
        "404": error_spec(
            "No such document, or it has no version in force that you may download "
            "(error: not_found or no_current_version)"
        ),
        "409": error_spec(
            "The stored file is missing or damaged, so it is not served "
            "(error: file_damaged; the damage is recorded for the administrator), or "
            "the controlled-copy stamp cannot be added to it (error: unstampable)"
        ),
    },
)
def download_current_document(code):
    user = current_user._get_current_object()
    document = _visible_document_or_404(code, user)
    version = services.current_version(document)
    if version is None or not perm.can_download(user, version):
        refuse(_l("%(code)s has no version in force to download.", code=code), "no_current_version", 404)
    download = services.download_copy(user, version, via="api")
    response = send_file(
        BytesIO(download.data),
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.filename,
        max_age=0,
    )
    response.headers["X-QMS-Stamped"] = "true" if download.stamped else "false"
    return response


# --- uploading --------------------------------------------------------------------------------------

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": ".docx, .xlsx or .pdf (judged by content), up to the installation's size limit "
                        "(default 20 MB)",
                    },
                    "change_summary": {
                        "type": "string",
                        "maxLength": MAX_TEXT,
                        "description": "What changed; required from issue 02 on",
                    },
                    "reason": {
                        "type": "string",
                        "maxLength": MAX_TEXT,
                        "description": "Why (not used for documents of external origin)",
                    },
                },
            },
            "encoding": {"file": {"contentType": ", ".join(MEDIA_TYPES.values())}},
        }
    },
}


def _upload_fields():
    """The multipart fields of an upload, checked before anything is stored."""
    if request.mimetype != "multipart/form-data":
        refuse(
            _l("Send the upload as multipart/form-data with the fields file, change_summary and reason."),
            "multipart_required",
        )
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        refuse(_l('Choose a file: the field "file" is missing or empty.'), "file_required")
    if len(files) > 1 or len(request.files) > 1:
        refuse(_l('Send exactly one file, in the field "file".'), "one_file")
    texts = {}
    for name in ("change_summary", "reason"):
        texts[name] = request.form.get(name, "")
        if len(texts[name]) > MAX_TEXT:
            refuse(_l("%(name)s is longer than %(n)d characters.", name=name, n=MAX_TEXT), "text_too_long")
    upload = files[0]
    return upload.filename or "", upload.read(), texts["change_summary"], texts["reason"]


@allow(QUALITY_OFFICER)
@api_route(
    "/documents/<code>/versions",
    methods=("POST",),
    summary="Upload a new draft version",
    tags=TAGS,
    description=(
        "Upload the file of the next issue as a draft, with what changed and why; then submit it for "
        "review on its page. The file passes the same checks as on the upload page, and a refused file "
        "leaves nothing behind (no version, no stored file). For a document of external origin the file "
        "is registered and is in force at once (the previous one becomes superseded).\n\n"
        "Refusals (400 unless said): multipart_required (not multipart/form-data), file_required, one_file, "
        "text_too_long, summary_required (a revision needs change_summary); the file itself: empty, bad_name, "
        "unsupported_type, legacy_format (.doc/.xls), encrypted, corrupt, zip_bomb, macros, strict_ooxml, "
        "doctype, external_link, pdf_active_content, too_large (413); forbidden (403: the document is "
        "withdrawn); version_in_progress (409: finish or return the draft first) and conflict (409: "
        "someone uploaded at the same moment)."
    ),
    parameters=[CODE_PARAM],
    request_body=UPLOAD_BODY,
    responses={
        "201": {
            "description": "The new version",
            "headers": {"Location": {"description": "Where the new version can be read", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": VERSION_SCHEMA}},
        },
        "400": error_spec("The request or the file is refused; `error` says why, `message` what to do"),
        "404": NOT_FOUND,
        "409": error_spec("The document already has a version in progress, or another upload won the race"),
        "413": error_spec("The file is larger than the size limit"),
    },
)
def upload_document_version(code):
    document = _visible_document_or_404(code)
    refusal = perm.create_version_refusal(current_user, document)
    if refusal is not None:
        # Allowed to edit the document but refused all the same: a version is already in progress.
        if perm.can_edit_document(current_user, document):
            refuse(refusal, "version_in_progress", 409)
        refuse(refusal, "forbidden", 403)
    filename, data, change_summary, reason = _upload_fields()
    actor = current_user._get_current_object()
    if document.kind is DocumentKind.external:
        version = services.register_external_file(
            actor, document, filename=filename, data=data, change_summary=change_summary
        )
    else:
        version = services.create_draft_version(
            actor, document, filename=filename, data=data, change_summary=change_summary, reason=reason
        )
    response = jsonify(version_dict(current_user, version))
    response.status_code = 201
    response.headers["Location"] = _versions_url(document, issue=version.issue_no)
    return response


from qms.documents import api_imports  # noqa: E402, F401  (registering a document, importing a document system)
