"""Controlled copies through the service: what the stamp says (code, issue, effective date, label,
who downloaded it when, the sign-off block), who may download which version, and the audit event."""

import io

import docx
import openpyxl
import pytest
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.core.calendar import format_date
from qms.db import DomainError, db
from qms.documents import services
from qms.files.storage import sha256_of
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes, xlsx_bytes


def _header_lines(data):
    return [p.text for p in docx.Document(io.BytesIO(data)).sections[0].header.paragraphs]


def _downloads():
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.version.downloaded").order_by(AuditEvent.seq)
        )
    )


def test_the_controlled_copy_names_the_issue_the_downloader_and_the_sign_off(people, effective_version):
    copy = services.download_copy(people.staff, effective_version)
    db.session.commit()
    stamp, sign_off = _header_lines(copy.data)[:2]
    code = effective_version.document.code
    assert stamp.startswith(
        f"BẢN KIỂM SOÁT – {code} – Lần ban hành: 01 – Hiệu lực: {format_date(effective_version.effective_date)}"
    )
    assert f"Người tải về: {people.staff.full_name}, lúc " in stamp
    today = format_date(effective_version.approved_at)
    assert sign_off == (
        f"Soạn thảo: {people.author.full_name} – Xem xét: {people.leader.full_name} ({today})"
        f" – Phê duyệt: {people.qo2.full_name} ({today})"
    )
    assert copy.label == "BẢN KIỂM SOÁT" and copy.stamped
    assert copy.filename == f"{code}_L01_Quy trình.docx"
    body = [p.text for p in docx.Document(io.BytesIO(copy.data)).paragraphs]
    assert "Quy trình lần 1" in body


def test_every_download_is_an_audit_event(people, effective_version):
    services.download_copy(people.staff, effective_version, via="api")
    db.session.commit()
    event = _downloads()[-1]
    assert event.actor_id == people.staff.id and event.entity_id == str(effective_version.id)
    assert '"label":[null,"BẢN KIỂM SOÁT"]' in event.changes and '"via":[null,"api"]' in event.changes
    assert effective_version.primary_file.sha256 in event.changes


def test_a_superseded_issue_is_stamped_obsolete_and_never_served_to_staff(people, effective_version):
    document = effective_version.document
    second = services.create_draft_version(
        people.author, document, filename="QT.docx", data=docx_bytes("Quy trình lần 2"), change_summary="Sửa bước 2"
    )
    db.session.commit()
    walk(second, people)
    with pytest.raises(DomainError) as refused:
        services.download_copy(people.staff, effective_version)
    assert refused.value.status == 403
    old = services.download_copy(people.auditor, effective_version)
    assert _header_lines(old.data)[0].startswith(f"HẾT HIỆU LỰC – {document.code} – Lần ban hành: 01")
    new = services.download_copy(people.staff, second)
    assert _header_lines(new.data)[0].startswith(f"BẢN KIỂM SOÁT – {document.code} – Lần ban hành: 02")


def test_staff_cannot_download_a_draft_and_a_draft_copy_says_so(people, make_document):
    document = make_document()
    draft = services.create_draft_version(people.author, document, filename="a.docx", data=docx_bytes("Nháp"))
    db.session.commit()
    with pytest.raises(DomainError):
        services.download_copy(people.staff, draft)
    copy = services.download_copy(people.author, draft)
    lines = _header_lines(copy.data)
    assert lines[0].startswith("DỰ THẢO") and lines[1] == f"Soạn thảo: {people.author.full_name}"
    assert _downloads() and _downloads()[-1].actor_id == people.author.id


def test_a_workbook_is_stamped_in_its_header_and_signed_off_in_its_footer(people, make_document):
    procedure = make_document(code="QT-05")
    form = make_document(code="BM-03-QT-05", kind="form", parent=procedure)
    version = services.create_draft_version(
        people.author, form, filename="Sổ theo dõi.xlsx", data=xlsx_bytes("Sổ theo dõi hồ sơ")
    )
    db.session.commit()
    walk(version, people)
    copy = services.download_copy(people.staff, version)
    sheet = openpyxl.load_workbook(io.BytesIO(copy.data)).active
    assert sheet["A1"].value == "Sổ theo dõi hồ sơ"
    assert "BM-03-QT-05" in sheet.oddHeader.right.text and "BẢN KIỂM SOÁT" in sheet.oddHeader.right.text
    assert f"Phê duyệt: {people.qo2.full_name}" in sheet.oddFooter.right.text


def test_the_original_is_byte_identical_and_for_history_readers_only(people, effective_version):
    original = services.download_original(people.auditor, effective_version)
    assert sha256_of(original.data) == effective_version.primary_file.sha256 and not original.stamped
    with pytest.raises(DomainError):
        services.download_original(people.staff, effective_version)
    db.session.commit()
    assert '"label":[null,"original"]' in _downloads()[-1].changes
