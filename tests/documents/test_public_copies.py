"""The public copy of a published form (services.download_public_copy): anyone may take the version in
force of an active public document, stamped BẢN CÔNG KHAI and naming where it is published rather
than a person; its download is recorded without an actor. Anything else is not found."""

import io

import docx
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import format_date
from qms.db import DomainError, db
from qms.documents import services
from tests.conftest import PASSWORD
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes


def _header_lines(data):
    return [p.text for p in docx.Document(io.BytesIO(data)).sections[0].header.paragraphs]


def _events():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def public_form(people, make_document):
    """A public form with its issue 01 in force; returns the version."""
    procedure = make_document(code="QT-01")
    form = make_document(code="BM-01-QT-01", kind="form", parent=procedure, access="public")
    version = services.create_draft_version(people.author, form, filename="Tờ khai.docx", data=docx_bytes("Tờ khai"))
    db.session.commit()
    return walk(version, people)


def test_the_public_copy_is_stamped_public_with_the_sign_off_and_no_downloader(people, public_form):
    copy = services.download_public_copy(public_form)
    db.session.commit()
    stamp, sign_off = _header_lines(copy.data)[:2]
    assert stamp.startswith(
        f"BẢN CÔNG KHAI – BM-01-QT-01 – Lần ban hành: 01 – Hiệu lực: {format_date(public_form.effective_date)}"
    )
    assert "Người tải về: Công khai tại Bộ phận Một cửa, lúc " in stamp
    assert sign_off == services.sign_off_text(public_form)
    assert copy.label == services.LABEL_PUBLIC == "BẢN CÔNG KHAI" and copy.stamped
    assert copy.filename == "BM-01-QT-01_L01_Tờ khai.docx"
    assert "Tờ khai" in [p.text for p in docx.Document(io.BytesIO(copy.data)).paragraphs]


def test_the_public_download_is_recorded_without_an_actor(people, public_form):
    services.download_public_copy(public_form)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "document.version.downloaded" and event.actor_id is None
    assert event.entity_id == str(public_form.id) and event.commune_id == people.commune.id
    assert '"label":[null,"BẢN CÔNG KHAI"]' in event.changes and '"via":[null,"public_catalogue"]' in event.changes


def _refused(version):
    """The refusal of a public copy of `version`: asserted a 404 that recorded nothing; returned."""
    before = _events()
    with pytest.raises(DomainError) as refused:
        services.download_public_copy(version)
    db.session.rollback()
    assert refused.value.status == 404 and refused.value.code == "not_found"
    assert _events() == before
    return refused.value


def test_an_internal_document_is_not_found(people, make_document):
    document = make_document(code="QT-02")
    version = services.create_draft_version(people.author, document, filename="QT.docx", data=docx_bytes("Nội bộ"))
    db.session.commit()
    effective = walk(version, people)
    assert effective.status.value == "effective" and effective.document.access.value == "internal"
    assert _refused(effective).code == "not_found"  # in force, but not public


def test_a_version_not_in_force_is_not_found(people, public_form, make_document):
    form = make_document(code="BM-02-QT-01", kind="form", parent=public_form.document.parent, access="public")
    draft = services.create_draft_version(people.author, form, filename="BM.docx", data=docx_bytes("Dự thảo"))
    db.session.commit()
    _refused(draft)
    _refused(walk(draft, people, to="in_review"))
    # issue 02 in force: issue 01 is superseded and no longer published
    second = services.create_draft_version(
        people.author,
        public_form.document,
        filename="Tờ khai.docx",
        data=docx_bytes("Tờ khai lần 2"),
        change_summary="Sửa mục 2",
    )
    db.session.commit()
    walk(second, people)
    _refused(public_form)
    assert services.download_public_copy(second).label == "BẢN CÔNG KHAI"


def test_a_withdrawn_document_is_not_found(people, public_form):
    assert services.download_public_copy(public_form).label == "BẢN CÔNG KHAI"  # published before
    services.withdraw_document(people.author, public_form.document, reason="Bãi bỏ mẫu", password=PASSWORD)
    db.session.commit()
    assert _refused(public_form).code == "not_found"
