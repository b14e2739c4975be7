"""Master lists of internal and external documents: the rows, and their .docx / .xlsx layout per
Decree 30/2020 (A4, margins, Times New Roman, national motto, repeated table header)."""

import datetime as dt
import io
import os
import shutil
import subprocess
import uuid

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from qms.core.exports import date_line, issuer_lines, place_name
from qms.db import db
from qms.documents.exports import (
    EXTERNAL_COLUMNS,
    INTERNAL_COLUMNS,
    master_list_docx,
    master_list_rows,
    master_list_xlsx,
)
from qms.documents.models import DocumentKind, DocumentStatus, LegalStatus, VersionStatus
from tests.documents.rows import add_document, add_external, add_version

TODAY = dt.date(2026, 2, 5)


@pytest.fixture
def lists(world, make_unit):
    a = world["a"]
    commune, author = a["commune"], a["users"]["quality_officer"]
    commune.name = "UBND xã Hòa Bình"
    unit = make_unit(commune, code="VP", name="Văn phòng HĐND và UBND")
    law = add_external(
        commune, "60/2014/QH13", "Luật Hộ tịch", issued_on=dt.date(2014, 11, 20), effective_on=dt.date(2016, 1, 1)
    )
    circular = add_external(
        commune,
        "01/2018/TT-VPCP",
        "Thông tư hướng dẫn cơ chế một cửa",
        issuer="Văn phòng Chính phủ",
        issued_on=dt.date(2018, 11, 23),
        effective_on=dt.date(2019, 1, 6),
        legal_status=LegalStatus.replaced,
    )
    decree = add_external(
        commune,
        "118/2025/NĐ-CP",
        "Nghị định về thủ tục hành chính một cửa",
        issuer="Chính phủ",
        issued_on=dt.date(2025, 6, 9),
        effective_on=dt.date(2025, 7, 1),
    )
    withdrawn_law = add_external(commune, "99/2000/QH10", "Luật đã gỡ khỏi danh mục")
    withdrawn_law.status = DocumentStatus.obsolete

    qt10 = add_document(commune, "QT-10", "Đăng ký kết hôn", owning_unit_id=unit.id)
    add_version(qt10, author, effective_date=dt.date(2026, 1, 2))
    qt2 = add_document(commune, "QT-02", "Đăng ký khai sinh", owning_unit_id=unit.id)
    add_version(qt2, author, issue_no=1, status=VersionStatus.superseded, effective_date=dt.date(2025, 1, 2))
    add_version(qt2, author, issue_no=2, effective_date=dt.date(2026, 1, 15))
    add_version(qt2, author, issue_no=3, status=VersionStatus.in_review)
    form = add_document(commune, "BM-01-QT-02", "Tờ khai đăng ký khai sinh", kind=DocumentKind.form, parent_id=qt2.id)
    add_version(form, author, effective_date=dt.date(2026, 1, 15))
    policy = add_document(commune, "CS-01", "Chính sách chất lượng", kind=DocumentKind.policy)
    add_version(policy, author, effective_date=dt.date(2025, 12, 1))
    draft_only = add_document(commune, "QT-03", "Chỉ có dự thảo")
    add_version(draft_only, author, status=VersionStatus.draft)
    obsolete = add_document(commune, "QT-04", "Đã hủy bỏ", status=DocumentStatus.obsolete)
    add_version(obsolete, author, status=VersionStatus.obsolete)
    other = world["b"]
    add_version(add_document(other["commune"], "QT-05", "Của xã khác"), other["users"]["quality_officer"])

    qt2.legal_bases.extend([law, decree, circular])
    qt10.legal_bases.append(law)
    obsolete.legal_bases.append(law)
    db.session.commit()
    return commune


def test_internal_rows_list_each_active_document_with_its_effective_version(lists, world):
    rows = master_list_rows(world["a"]["users"]["quality_officer"], external=False)
    assert [r["code"] for r in rows] == ["CS-01", "QT-02", "BM-01-QT-02", "QT-10"]
    assert [r["stt"] for r in rows] == [1, 2, 3, 4]
    qt2 = rows[1]
    assert qt2["issue"] == "02" and qt2["issue_no"] == 2
    assert qt2["effective_date"] == dt.date(2026, 1, 15)
    assert qt2["unit"] == "Văn phòng HĐND và UBND"
    assert rows[2]["parent_code"] == "QT-02" and "QT-02" in rows[2]["note"]


def test_external_rows_carry_legal_status_and_the_documents_based_on_them(lists, world):
    rows = master_list_rows(world["a"]["users"]["quality_officer"], external=True)
    assert [r["number"] for r in rows] == ["60/2014/QH13", "01/2018/TT-VPCP", "118/2025/NĐ-CP"]
    law, circular, decree = rows
    assert law["based_on"] == ["QT-02", "QT-10"]  # the withdrawn QT-04 is left out
    assert law["legal_status"] == "in_force" and law["legal_status_label"] == "Còn hiệu lực"
    assert circular["legal_status"] == "replaced" and circular["legal_status_label"] != law["legal_status_label"]
    assert decree["issuer"] == "Chính phủ" and decree["effective_on"] == dt.date(2025, 7, 1)


def test_lists_never_show_another_communes_documents(lists, world):
    codes = [r["code"] for r in master_list_rows(world["b"]["users"]["quality_officer"], external=False)]
    assert codes == ["QT-05"]
    assert master_list_rows(world["b"]["users"]["quality_officer"], external=True) == []


def test_date_line_follows_decree_30():
    assert date_line("Hòa Bình", dt.date(2026, 2, 5)) == "Hòa Bình, ngày 05 tháng 02 năm 2026"
    assert date_line("Hòa Bình", dt.date(2026, 3, 15)) == "Hòa Bình, ngày 15 tháng 3 năm 2026"
    assert date_line("Hòa Bình", dt.date(2026, 12, 1)) == "Hòa Bình, ngày 01 tháng 12 năm 2026"


def test_place_and_issuer_come_from_the_commune(make_commune):
    commune = make_commune(name="UBND xã Hòa Bình")
    assert place_name(commune) == "Hòa Bình"
    assert issuer_lines(commune.name) == [("ỦY BAN NHÂN DÂN", True), ("XÃ HÒA BÌNH", True)]
    assert issuer_lines(commune.name, "Trung tâm Phục vụ hành chính công") == [
        ("UBND XÃ HÒA BÌNH", False),
        ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", True),
    ]
    commune.settings = {"place_name": "Tân Lạc"}
    assert place_name(commune) == "Tân Lạc"
    other = make_commune(name="Phường Thống Nhất")
    assert issuer_lines(other.name) == [("PHƯỜNG THỐNG NHẤT", True)]


def _paragraphs_with_runs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _find(document, text):
    return next(p for p in _paragraphs_with_runs(document) if p.text == text)


@pytest.mark.parametrize("external", [False, True])
def test_docx_is_an_a4_decree_30_document(lists, external, world):
    rows = master_list_rows(world["a"]["users"]["quality_officer"], external=external)
    document = docx.Document(io.BytesIO(master_list_docx(lists, rows, external, TODAY)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert Mm(20) - Mm(0.5) <= section.top_margin <= Mm(25) and Mm(20) - Mm(0.5) <= section.bottom_margin <= Mm(25)
    assert Mm(30) - Mm(0.5) <= section.left_margin <= Mm(35) and Mm(15) - Mm(0.5) <= section.right_margin <= Mm(20)
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(13)

    motto_name = _find(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert all(run.bold for run in motto_name.runs)
    assert all(run.bold for run in _find(document, "Độc lập - Tự do - Hạnh phúc").runs)
    assert all(run.italic for run in _find(document, "Hòa Bình, ngày 05 tháng 02 năm 2026").runs)
    assert _find(document, "XÃ HÒA BÌNH").runs[0].bold
    title = "DANH MỤC TÀI LIỆU CÓ NGUỒN GỐC BÊN NGOÀI" if external else "DANH MỤC TÀI LIỆU NỘI BỘ"
    assert all(run.bold for run in _find(document, title).runs)
    for paragraph in _paragraphs_with_runs(document):
        for run in paragraph.runs:
            assert run.font.name in (None, "Times New Roman")

    table = document.tables[1]
    columns = EXTERNAL_COLUMNS if external else INTERNAL_COLUMNS
    assert [c.text for c in table.rows[0].cells] == [heading for heading, *_ in columns]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows) == len(rows) + 1
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    if external:
        assert body[1][:3] == ["2", "01/2018/TT-VPCP", "Thông tư hướng dẫn cơ chế một cửa"]
        assert body[0][4:6] == ["20/11/2014", "01/01/2016"] and body[0][7] == "QT-02, QT-10"
    else:
        assert body[1][:5] == ["2", "QT-02", "Đăng ký khai sinh", "02", "15/01/2026"]
        assert body[1][5] == "Văn phòng HĐND và UBND"


def test_docx_of_an_empty_list_says_so(lists, world):
    document = docx.Document(io.BytesIO(master_list_docx(world["b"]["commune"], [], True, TODAY)))
    assert len(document.tables[1].rows) == 2
    assert document.tables[1].rows[1].cells[0].text


@pytest.mark.parametrize("external", [False, True])
def test_xlsx_prints_on_a4_with_a_repeated_header(lists, external, world):
    rows = master_list_rows(world["a"]["users"]["quality_officer"], external=external)
    workbook = openpyxl.load_workbook(io.BytesIO(master_list_xlsx(lists, rows, external, TODAY)))
    sheet = workbook.active
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows.replace("$", "") == "9:9"
    assert sheet.freeze_panes == "A10"
    assert 1.15 < sheet.page_margins.left < 1.4 and 0.55 < sheet.page_margins.right < 0.8

    values = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Hòa Bình, ngày 05 tháng 02 năm 2026" in flat
    columns = EXTERNAL_COLUMNS if external else INTERNAL_COLUMNS
    assert values[8][: len(columns)] == [heading for heading, *_ in columns]
    assert len([r for r in values[9:] if r[0] is not None]) == len(rows)
    for row in sheet.iter_rows(min_row=9):
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Times New Roman"
                assert cell.border.left.style == "thin" and cell.alignment.wrap_text
    if external:
        assert values[9][1] == "60/2014/QH13" and values[9][6] == "Còn hiệu lực"
        assert sheet.cell(row=10, column=5).is_date and sheet.cell(row=10, column=5).number_format == "DD/MM/YYYY"
    else:
        assert values[10][1:4] == ["QT-02", "Đăng ký khai sinh", "02"]
        assert sheet.cell(row=11, column=5).value.date() == dt.date(2026, 1, 15)
    assert all(sheet.column_dimensions[letter].width > 5 for letter in "ABCDEFG")


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_both_files_to_pdf(lists, tmp_path, world):
    from pypdf import PdfReader

    rows = master_list_rows(world["a"]["users"]["quality_officer"], external=False)
    (tmp_path / "list.docx").write_bytes(master_list_docx(lists, rows, False, TODAY))
    (tmp_path / "sheet.xlsx").write_bytes(master_list_xlsx(lists, rows, False, TODAY))
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "list.docx"),
            str(tmp_path / "sheet.xlsx"),
        ],
        check=True,
        timeout=180,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    for name in ("list.pdf", "sheet.pdf"):
        reader = PdfReader(tmp_path / name)
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "DANH MỤC TÀI LIỆU NỘI BỘ" in text
        assert "QT-02" in text and "BM-01-QT-02" in text
        box = reader.pages[0].mediabox
        width, height = sorted((float(box.width), float(box.height)))
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points


def test_a_title_that_looks_like_a_formula_is_text_in_the_xlsx(lists, world):
    author = world["a"]["users"]["quality_officer"]
    risky = add_document(lists, "QT-20", '=HYPERLINK("http://evil.example","Bấm vào đây")')
    add_version(risky, author, effective_date=dt.date(2026, 1, 20))
    db.session.commit()
    rows = master_list_rows(author, external=False)
    sheet = openpyxl.load_workbook(io.BytesIO(master_list_xlsx(lists, rows, False, TODAY))).active
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPERLINK")]
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_external_list_names_to_staff_only_the_documents_they_may_see(lists, world):
    """A document that exists only as a draft is not named to staff in the "based on" column (they
    may not see it anywhere else either); quality officers see it."""
    from qms.documents.models import Document

    law = db.session.scalar(sa.select(Document).where(Document.number == "60/2014/QH13"))
    draft_only = db.session.scalar(sa.select(Document).where(Document.code == "QT-03"))
    draft_only.legal_bases.append(law)
    db.session.commit()

    def based_on(user):
        rows = master_list_rows(user, external=True)
        return next(r for r in rows if r["number"] == "60/2014/QH13")["based_on"]

    assert "QT-03" in based_on(world["a"]["users"]["quality_officer"])
    assert "QT-03" not in based_on(world["a"]["users"]["staff"])
    assert "QT-10" in based_on(world["a"]["users"]["staff"])
