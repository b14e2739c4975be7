"""Which versions hold a stored file: for the administrator's page of damaged files (and the file
checks), through qms.files.references."""

from flask import url_for
from sqlalchemy import select

from qms.db import db
from qms.documents.labels import version_name
from qms.documents.models import Document, DocumentVersion, VersionFile
from qms.files.references import FileReference, register_references


def version_files(commune_id, sha256s):
    rows = db.session.execute(
        select(VersionFile.sha256, VersionFile.filename, DocumentVersion.id, DocumentVersion.issue_no, Document.code)
        .join(DocumentVersion, VersionFile.version_id == DocumentVersion.id)
        .join(Document, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.commune_id == commune_id, VersionFile.sha256.in_(sha256s))
        .order_by(Document.code, DocumentVersion.issue_no)
    )
    for sha256, filename, version_id, issue_no, code in rows:
        yield FileReference(
            sha256=sha256,
            filename=filename,
            record=version_name(code, issue_no),
            url=url_for("documents.show_version", version_id=version_id),
        )


register_references(version_files)
