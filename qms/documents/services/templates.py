"""Forms as templates: the file of the version in force of a form, read to be filled in by another
area (the NC report now, the one-stop shop's forms later; the filling is qms.core.fill's). Reading
it is a download of that version, audited as every download is."""

from sqlalchemy import select

from qms.db import db
from qms.documents import permissions as perm
from qms.documents.models import Document, DocumentKind, DocumentStatus
from qms.documents.services.common import current_version
from qms.documents.services.downloads import record_download
from qms.files.services import read_stored

DOCX = "docx"


def form_template(actor, commune, code, *, purpose):
    """The bytes of the Word file of the version in force of the commune's form `code` (an active
    document of kind form), for `actor` to fill in; None when there is none (no such form, none in
    force, not a .docx, or not one the actor may download): the caller then uses its own layout.
    The read is recorded as a download of the version (label "template", via `purpose`). A stored
    file found damaged raises FileDamaged, recorded (see qms.files.services.read_stored)."""
    code = (code or "").strip()
    if not code:
        return None
    document = db.session.scalar(
        select(Document).where(
            Document.commune_id == commune.id,
            Document.code == code,
            Document.kind == DocumentKind.form,
            Document.status == DocumentStatus.active,
        )
    )
    version = current_version(document) if document is not None else None
    if version is None or not perm.can_download(actor, version) or version.primary_file.kind != DOCX:
        return None
    primary = version.primary_file
    data = read_stored(primary.sha256, actor, found_in=version)
    record_download(actor, version, label="template", stamped=False, via=purpose)
    return data
