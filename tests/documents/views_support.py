"""Shared by the page tests (tests/documents/test_views_*.py): signed-in clients,
form posts with the page's CSRF token, and a document set with a version in every state."""

import io
import re
from dataclasses import dataclass

import pytest

from qms.db import db
from qms.documents import services
from tests.conftest import PASSWORD
from tests.core.support import post, signed_in_client
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes


def signed_in(app, user, locale="en"):
    """A client signed in as `user`, who reads the pages in English (the tests read English messages;
    tests/test_i18n.py checks that each has its Vietnamese translation)."""
    if user.locale != locale:
        user.locale = locale
        db.session.commit()
    return signed_in_client(app, user.username)


def html(response):
    return response.get_data(as_text=True)


def ids(page):
    """Every element id on a page."""
    return set(re.findall(r'\sid="([^"]+)"', page))


def submit(client, path, data=None, page=None, files=None):
    """POST a form as the browser would, with the CSRF token of `page` (default: the home page) and
    optional files {field: (bytes, filename)}."""
    payload = dict(data or {})
    for name, (content, filename) in (files or {}).items():
        payload[name] = (io.BytesIO(content), filename)
    kwargs = {"content_type": "multipart/form-data"} if files else {}
    return post(client, path, payload, page=page or "/", **kwargs)


@dataclass
class Library:
    """One procedure QT-01 with issue 01 superseded, issue 02 effective and issue 03 in review; its
    form BM-01-QT-01 effective; a form with only a draft; a withdrawn procedure; an external decree."""

    procedure: object
    superseded: object
    effective: object
    in_review: object
    form: object
    form_effective: object
    draft_form: object
    draft: object
    withdrawn: object
    withdrawn_version: object
    external: object


@pytest.fixture
def library(people, make_document):
    author = people.author
    procedure = make_document(
        code="QT-01", title="Quy trình đăng ký khai sinh", field="Hộ tịch", distribution=[(people.unit, None)]
    )
    superseded = services.create_draft_version(
        author,
        procedure,
        filename="QT-01.docx",
        data=docx_bytes("Bước 1: tiếp nhận hồ sơ", paragraphs=["Bước 2: thẩm định trong 3 ngày"]),
    )
    db.session.commit()
    walk(superseded, people)
    effective = services.create_draft_version(
        author,
        procedure,
        filename="QT-01.docx",
        data=docx_bytes("Bước 1: tiếp nhận hồ sơ", paragraphs=["Bước 2: thẩm định trong 2 ngày"]),
        change_summary="Rút ngắn thời hạn thẩm định",
        reason="Nghị định mới",
    )
    db.session.commit()
    walk(effective, people)
    in_review = services.create_draft_version(
        author,
        procedure,
        filename="QT-01-dự-thảo.docx",
        data=docx_bytes("Bản dự thảo bí mật lần 3"),
        change_summary="Dự thảo lần 3",
    )
    db.session.commit()
    walk(in_review, people, to="in_review")

    form = make_document(code="BM-01-QT-01", kind="form", title="Tờ khai đăng ký khai sinh", parent=procedure)
    form_effective = services.create_draft_version(
        author, form, filename="Tờ khai.docx", data=docx_bytes("Tờ khai khai sinh")
    )
    db.session.commit()
    walk(form_effective, people)

    draft_form = make_document(code="BM-02-QT-01", kind="form", title="Phiếu nháp chưa ban hành", parent=procedure)
    draft = services.create_draft_version(author, draft_form, filename="nháp.docx", data=docx_bytes("Nháp"))
    db.session.commit()

    withdrawn = make_document(code="QT-09", title="Quy trình đã bãi bỏ", field="Chứng thực")
    withdrawn_version = services.create_draft_version(
        author, withdrawn, filename="QT-09.docx", data=docx_bytes("Quy trình cũ")
    )
    db.session.commit()
    walk(withdrawn_version, people)
    services.withdraw_document(people.qo2, withdrawn, password=PASSWORD, reason="Thủ tục bị bãi bỏ")
    db.session.commit()

    external = make_document(
        code="NĐ-123",
        kind="external",
        title="Nghị định về đăng ký hộ tịch",
        issuer="Chính phủ",
        number="123/2015/NĐ-CP",
        legal_status="in_force",
    )
    services.register_external_file(author, external, filename="ND-123.docx", data=docx_bytes("Nghị định 123"))
    db.session.commit()
    return Library(
        procedure,
        superseded,
        effective,
        in_review,
        form,
        form_effective,
        draft_form,
        draft,
        withdrawn,
        withdrawn_version,
        external,
    )
