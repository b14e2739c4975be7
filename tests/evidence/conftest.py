"""Fixtures of the evidence-pack tests: the document-control fixtures (a commune with two quality
officers, a leader, staff, an auditor; make_document; walk), a document with two issues (the first
superseded) and an NC naming it, and a pack's files read back."""

import io
import zipfile

import pytest

from qms.db import db
from tests.documents.conftest import client_class, make_document, people, walk  # noqa: F401  (fixtures)
from tests.files.samples import docx_bytes


@pytest.fixture
def two_issues(people, make_document):
    """QT-procedure with issue 01 superseded by issue 02 in force, and an NC (by staff) naming it."""
    from qms.documents import services
    from qms.nonconformities.services import report_nc

    document = make_document(code="QT-07", title="Quy trình chứng thực")
    first = services.create_draft_version(people.author, document, filename="QT-07.docx", data=docx_bytes("Lần 1"))
    db.session.commit()
    walk(first, people)
    second = services.create_draft_version(
        people.author,
        document,
        filename="QT-07 lần 2.docx",
        data=docx_bytes("Lần 2"),
        change_summary="Sửa bước 3",
    )
    db.session.commit()
    walk(second, people)
    report_nc(people.staff, people.commune, title="Sai biểu mẫu", description="Dùng bản cũ", document=document)
    db.session.commit()
    return document


def read_pack(data_or_path):
    """{name: bytes} of a pack."""
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with zipfile.ZipFile(source) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite_pack(path, out, *, change=None, drop=None, add=None):
    """Copy a pack, changing one file's bytes, leaving one out or adding one."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info.filename)
            if info.filename == change:
                data = data + b"x"
            target.writestr(info.filename, data)
        if add:
            target.writestr(add, b"hello")
    return out
