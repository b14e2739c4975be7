"""Exports of nonconformities: the NC report (.docx, built in or filled from the commune's own form
through qms.core.fill, whose own tests are tests/core/test_fill.py), the register with its filters
(.xlsx)."""

import datetime as dt
import io
import shutil
import subprocess
import unicodedata

import docx
import openpyxl
import pytest
from docx.shared import Mm
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.auth.models import User
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.nonconformities import services
from qms.nonconformities.settings import nc_settings, update_nc_settings
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.documents.views_support import signed_in as _signed_in
from tests.nonconformities.conftest import walk_nc


def signed_in(app, user):
    app.test_client_class = IsolatedClient
    return _signed_in(app, db.session.get(User, user.id))


def text_of(document) -> str:
    """Every paragraph of the body and its tables (nested ones too), in order, NFC."""
    parts = []

    def walk(container):
        for block in container.iter_inner_content():
            if isinstance(block, docx.text.paragraph.Paragraph):
                parts.append(block.text)
            else:
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)

    walk(document)
    return unicodedata.normalize("NFC", "\n".join(parts))


# --- the report ---------------------------------------------------------------------------------------


@pytest.fixture
def closed_nc(people, make_nc, effective_procedure):
    nc = make_nc(title="Thu sai lệ phí chứng thực", procedure=effective_procedure, clause="8.5.1")
    return walk_nc(nc, people)


def _report(app, user, nc):
    response = signed_in(app, user).get(f"/nc/{nc.id}/report.docx")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("wordprocessingml.document")
    return response.data


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_report_in_the_built_in_layout_reopens_and_converts(app, people, closed_nc, tmp_path):
    from pypdf import PdfReader

    data = _report(app, people.staff2, closed_nc)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt in (13, 14)
    text = text_of(document)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHIẾU XỬ LÝ SỰ KHÔNG PHÙ HỢP VÀ HÀNH ĐỘNG KHẮC PHỤC",
        f"Số: {closed_nc.number}",
        "Thu sai lệ phí chứng thực",
        "Gọi điện xin lỗi công dân, trả kết quả ngay",  # the correction
        "Vì sao chuyển chậm?",
        "Không có ai theo dõi hạn xử lý",  # a why's answer
        "Quy trình không nêu người theo dõi hạn",  # the root cause
        "Phân công người theo dõi hạn",  # an action item
        "Không còn hồ sơ trễ",  # the review's notes
        "Lê Văn Hai",  # an item's owner
    ):
        assert expected in text, expected
    # the fishbone: the six categories, the root cause marked
    fishbone = next(t for t in document.tables if t.rows[0].cells[0].text == "Nhóm nguyên nhân")
    rows = [[c.text for c in row.cells] for row in fishbone.rows[1:]]
    assert len({r[0] for r in rows}) == 6
    assert ["Quy trình không nêu người theo dõi hạn", "X"] in [r[1:] for r in rows]
    assert ["Cán bộ mới chưa được hướng dẫn", ""] in [r[1:] for r in rows]
    # the signatures: meaning in words, signer, Vietnam time, valid or not
    signatures = next(t for t in document.tables if t.rows[0].cells[1].text == "Ý nghĩa")
    rows = [[c.text for c in row.cells] for row in signatures.rows[1:]]
    assert len(rows) == 2  # analysis accepted, closed
    assert rows[-1][2] == people.qo.full_name
    assert rows[-1][4] == "Hợp lệ"  # the closing signature covers the NC as it is
    assert rows[0][4].startswith("Hợp lệ;")  # sealed, made on an earlier state of the NC
    assert all(r[1] and "Nonconformity" not in r[1] for r in rows)  # in Vietnamese words
    assert all(len(r[3]) == 19 and r[3][2] == "/" for r in rows)  # dd/mm/yyyy HH:MM:SS
    runs = [run for p in document.paragraphs for run in p.runs if run.text.strip()]
    assert all(run.font.name in (None, "Times New Roman") for run in runs)

    path = tmp_path / "report.docx"
    path.write_bytes(data)
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    pdf = PdfReader(tmp_path / "report.pdf")
    width, height = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    printed = unicodedata.normalize("NFC", "".join(page.extract_text() for page in pdf.pages))
    assert "PHIẾU XỬ LÝ SỰ KHÔNG PHÙ HỢP" in printed and closed_nc.number in printed


def _report_form(people, procedure) -> object:
    """The commune's own report form BM-01-<QT> in force, holding placeholders (one split by Word)."""
    document = docx.Document()
    document.add_paragraph("PHIẾU XỬ LÝ SKPH CỦA XÃ")
    para = document.add_paragraph()
    for piece in ("Số: {{so_", "phieu}}", " – {{ten}} – {{muc_do}}"):
        para.add_run(piece)
    table = document.add_table(rows=2, cols=3)
    table.rows[0].cells[0].text = "Hành động"
    table.rows[1].cells[0].text = "{{hanh_dong.noi_dung}}"
    table.rows[1].cells[1].text = "{{hanh_dong.nguoi_thuc_hien}}"
    table.rows[1].cells[2].text = "{{hanh_dong.han}}"
    buffer = io.BytesIO()
    document.save(buffer)
    form = documents.create_document(
        people.qo,
        people.commune,
        code=f"BM-01-{procedure.code}",
        title="Phiếu xử lý SKPH",
        kind="form",
        parent=procedure,
    )
    version = documents.create_draft_version(people.qo, form, filename="phieu.docx", data=buffer.getvalue())
    documents.submit_for_review(people.qo, version)
    documents.review_version(people.leader, version, password=PASSWORD)
    documents.approve_version(people.qo2, version, password=PASSWORD)
    db.session.commit()
    return form


def test_report_filled_from_the_communes_form(app, people, closed_nc, effective_procedure):
    form = _report_form(people, effective_procedure)
    update_nc_settings(people.qo, people.commune, number_format="SKPH-{yyyy}-{nnn}", report_form_code=form.code)
    db.session.commit()
    assert nc_settings(people.commune).report_form_code == form.code

    document = docx.Document(io.BytesIO(_report(app, people.auditor, closed_nc)))
    text = text_of(document)
    assert "PHIẾU XỬ LÝ SKPH CỦA XÃ" in text
    assert f"Số: {closed_nc.number} – Thu sai lệ phí chứng thực – Nhẹ" in text  # severity in Vietnamese words
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows[1:]]
    due = (closed_nc.actions[0].due_on).strftime("%d/%m/%Y")
    assert rows == [
        ["Phân công người theo dõi hạn", people.staff.full_name, due],
        ["Sửa quy trình: thêm bước theo dõi hạn", "Lê Văn Hai", due],
    ]
    # reading the form is audited as a download of its version in force
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.version.downloaded").order_by(AuditEvent.seq.desc())
    ).first()
    assert event.actor_id == people.auditor.id and '"template"' in event.changes and '"nc_report"' in event.changes


def test_report_falls_back_when_the_form_has_no_version_in_force(app, people, closed_nc, effective_procedure):
    form = documents.create_document(
        people.qo,
        people.commune,
        code=f"BM-02-{effective_procedure.code}",
        title="Phiếu",
        kind="form",
        parent=effective_procedure,
    )
    update_nc_settings(people.qo, people.commune, number_format="SKPH-{yyyy}-{nnn}", report_form_code=form.code)
    db.session.commit()
    text = text_of(docx.Document(io.BytesIO(_report(app, people.staff, closed_nc))))
    assert "PHIẾU XỬ LÝ SỰ KHÔNG PHÙ HỢP VÀ HÀNH ĐỘNG KHẮC PHỤC" in text


def test_report_form_code_must_name_a_form(people):
    with pytest.raises(DomainError) as refused:
        update_nc_settings(people.qo, people.commune, number_format="SKPH-{yyyy}-{nnn}", report_form_code="BM-99")
    assert refused.value.code == "unknown_form"
    db.session.rollback()
    assert nc_settings(people.commune).report_form_code == ""


def test_report_of_another_communes_nc_is_not_found(app, people, make_nc):
    nc = make_nc()
    assert signed_in(app, people.other_staff).get(f"/nc/{nc.id}/report.docx").status_code == 404


# --- the register ---------------------------------------------------------------------------------------


def test_register_export_applies_the_filters(app, people, make_nc):
    kept = make_nc(title="Phản ánh của công dân về thái độ", source="citizen_feedback", severity="major")
    make_nc(title="Cán bộ báo cáo hồ sơ thiếu", source="staff_report")
    also = make_nc(title="Trả kết quả =SUM(A1)", source="citizen_feedback", unit=people.unit)
    services.cancel_nc(people.qo, also, password=PASSWORD, reason="Trùng")
    db.session.commit()

    response = signed_in(app, people.leader).get("/nc/export.xlsx?source=citizen_feedback")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [v for row in values for v in row if v]
    assert (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "SỔ THEO DÕI SỰ KHÔNG PHÙ HỢP VÀ HÀNH ĐỘNG KHẮC PHỤC" in flat
    )
    assert "Nguồn: Góp ý, phản ánh của người dân" in flat or any(str(v).startswith("Nguồn: ") for v in flat)
    header = next(i for i, row in enumerate(values) if row[0] == "STT")
    rows = [row for row in values[header + 1 :] if row[0]]
    assert {row[1] for row in rows} == {kept.number, also.number}
    by_number = {row[1]: row for row in rows}
    assert by_number[also.number][2] == "Trả kết quả =SUM(A1)"  # text, never a formula
    assert by_number[also.number][5] == "Đã hủy"  # the status in words
    assert by_number[kept.number][4] == "Nặng"
    detected = sheet.cell(row=header + 2, column=9)
    assert isinstance(detected.value, dt.datetime | dt.date) and detected.number_format == "DD/MM/YYYY"


def test_register_export_refuses_a_bad_filter(app, people):
    response = signed_in(app, people.staff).get("/nc/export.xlsx?detected_from=32/01/2026")
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.get_data(as_text=True)


def test_register_export_shows_only_the_communes_ncs(app, people, make_nc):
    make_nc(title="Của xã A")
    response = signed_in(app, people.other_staff).get("/nc/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "Của xã A" not in [c.value for row in sheet.iter_rows() for c in row]
