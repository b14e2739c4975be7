"""The evidence packs in the JSON API: GET a document's (by code), a nonconformity's or an internal
audit's (by id) pack, built at once and sent back as application/zip. Another commune's record, or one
that does not exist, is 404 JSON; a user who may not have packs is 403. Each pack made is recorded
(evidence_pack.created), as a download of a controlled copy is."""

import tempfile

from flask import send_file
from flask_login import current_user

from qms.api import api_route, error_spec, path_param
from qms.core.access import allow
from qms.evidence import services
from qms.evidence.models import SubjectKind
from qms.evidence.permissions import PACK_READERS

TAGS = ["evidence"]
DESCRIPTION = (
    "A .zip of the record and the records around it: their stored files, their audit events (events.csv), "
    "an index (index.docx, Vietnamese) and manifest.json with the SHA-256 and size of every other file, the "
    "audit chain's head (seq, hash) and its last signed checkpoint when the pack was made. Check it offline "
    "with `qms evidence verify PACK.zip`. Quality officers, leaders and auditors of the record's commune."
)
RESPONSES = {
    "200": {
        "description": "The pack (Content-Disposition names the file)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    },
    "403": error_spec("You may not export evidence packs (error: forbidden)"),
    "404": error_spec("No such record in your commune (error: not_found)"),
}


def _send(kind, key):
    user = current_user._get_current_object()
    out = tempfile.TemporaryFile()
    try:
        contents, manifest = services.build_to_file(user, kind, key, out)
        out.seek(0)
        sha256, size = services.file_digest(out)
        services.record_pack_created(user, contents, manifest, sha256=sha256, size=size, via="api")
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = send_file(
        out, mimetype="application/zip", as_attachment=True, download_name=services.pack_file_name(contents), max_age=0
    )
    response.headers["X-QMS-Pack-SHA256"] = sha256
    return response


@allow(*PACK_READERS)
@api_route(
    "/documents/<code>/evidence-pack",
    summary="The evidence pack of a document",
    description=DESCRIPTION + " Every version's original and controlled copy, signatures with their check, "
    "acknowledgments, and the nonconformities naming the document.",
    parameters=[path_param("code", "The document's code, e.g. QT-01")],
    responses=RESPONSES,
    tags=TAGS,
)
def document_evidence_pack(code):
    return _send(SubjectKind.document, code)


@allow(*PACK_READERS)
@api_route(
    "/nonconformities/<int:nc_id>/evidence-pack",
    summary="The evidence pack of a nonconformity",
    description=DESCRIPTION + " The NC's record (JSON) and report (.docx), evidence files, items, reviews and "
    "signatures.",
    parameters=[path_param("nc_id", "The NC's id", {"type": "integer"})],
    responses=RESPONSES,
    tags=TAGS,
)
def nonconformity_evidence_pack(nc_id):
    return _send(SubjectKind.nonconformity, nc_id)


@allow(*PACK_READERS)
@api_route(
    "/audits/<int:audit_id>/evidence-pack",
    summary="The evidence pack of an internal audit",
    description=DESCRIPTION + " The audit's record (scope, team, checklist with results and notes, findings "
    "with their NCs' states), evidence files, the signed plan's and report's files and their signatures.",
    parameters=[path_param("audit_id", "The audit's id", {"type": "integer"})],
    responses=RESPONSES,
    tags=TAGS,
)
def audit_evidence_pack(audit_id):
    return _send(SubjectKind.audit, audit_id)
