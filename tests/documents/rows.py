"""Rows for the search, master-list and compare tests, added directly with the models (no service,
no audit event, no check), so that those tests do not depend on the document services. Tests of the
services use the make_document fixture of tests/documents/conftest.py instead."""

import datetime as dt
import hashlib
import itertools

from qms.db import db
from qms.documents.models import Document, DocumentKind, DocumentVersion, LegalStatus, VersionFile, VersionStatus
from qms.documents.search import index_version
from qms.files.models import StoredFile

_n = itertools.count(1)


def add_document(commune, code, title, kind=DocumentKind.procedure, **kw):
    document = Document(commune_id=commune.id, code=code, title=title, kind=kind, **kw)
    db.session.add(document)
    db.session.flush()
    return document


def add_version(
    document,
    author,
    *,
    issue_no=1,
    status=VersionStatus.effective,
    change_summary="",
    text_content="",
    filename=None,
    effective_date=None,
    index=True,
):
    version = DocumentVersion(
        commune_id=document.commune_id,
        document=document,
        issue_no=issue_no,
        status=status,
        change_summary=change_summary,
        author_id=author.id,
        effective_date=effective_date,
    )
    db.session.add(version)
    if text_content:
        data = f"{next(_n)}:{text_content}".encode()
        sha = hashlib.sha256(data).hexdigest()
        db.session.add(StoredFile(sha256=sha, size=len(data)))
        version.files.append(
            VersionFile(
                sha256=sha,
                filename=filename or f"{document.code}.docx",
                kind="docx",
                media_type="application/octet-stream",
                size=len(data),
                text_content=text_content,
            )
        )
    db.session.flush()
    if index:
        index_version(version)
    return version


def add_external(
    commune,
    number,
    title,
    *,
    issuer="Quốc hội",
    issued_on=dt.date(2014, 11, 20),
    effective_on=dt.date(2016, 1, 1),
    legal_status=LegalStatus.in_force,
    code=None,
):
    return add_document(
        commune,
        code or f"NB-{number}",
        title,
        kind=DocumentKind.external,
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        effective_on=effective_on,
        legal_status=legal_status,
    )
