"""The audit plan and report as .docx: Decree 30 layout, every part of the state in Vietnamese words,
dates as dd/mm/yyyy, each finding under its clause."""

import io
import shutil
import unicodedata

import docx
import pytest
from docx.shared import Mm

from qms.audits.exports import plan_docx, report_docx
from qms.audits.labels import RESULT_LABELS
from qms.audits.models import ChecklistResult
from qms.core.exports import vietnamese
from tests.core.support import convert_to_pdf
from tests.nonconformities.test_exports import text_of


def plan_state(**changes):
    state = {
        "code": "ĐGNB-2026-01",
        "title": "Đánh giá quy trình chứng thực",
        "year": 2026,
        "criteria": "TCVN ISO 9001:2015\nQT-10 Quy trình chứng thực bản sao",
        "clauses": ["8.5", "7.5"],
        "processes": ["Chứng thực bản sao từ bản chính", "Kiểm soát thông tin dạng văn bản"],
        "units": ["Văn phòng HĐND và UBND"],
        "planned_start": "2026-03-10",
        "planned_end": "2026-03-11",
        "lead_auditor": "Phạm Văn Kiểm",
        "team": ["Đỗ Thu Tra"],
        "programme": {"year": 2026, "revision": 2},
    }
    state.update(changes)
    return state


def report_state(**changes):
    state = plan_state(
        started_at="2026-03-10T01:30:00+00:00",
        reported_at="2026-03-11T17:30:00+00:00",  # 12/03 in Vietnam
        summary="Đoàn đã đánh giá hai điều khoản tại Văn phòng.",
        strengths="Hồ sơ chứng thực được lưu đầy đủ.",
        conclusions="Hệ thống được duy trì, cần khắc phục một điểm không phù hợp.",
        items=[
            {"clause": "7.5", "text": "Tài liệu có được kiểm soát?", "result": "conform", "notes": "Sổ tài liệu"},
            {
                "clause": "8.5",
                "text": "Lệ phí có thu đúng?",
                "result": "minor",
                "notes": "Hồ sơ 000.00.01",
                "attachments": [{"filename": "bien-lai.pdf", "sha256": "0" * 64}],
            },
            {"clause": "8.5", "text": "Có sổ theo dõi?", "result": None, "notes": ""},
        ],
        findings=[
            {
                "clause": "8.5",
                "grade": "minor",
                "description": "Thu lệ phí sai mức ở một hồ sơ",
                "nc_code": "SKPH-2026-004",
                "nc_status": "closed",
                "decision": None,
            },
            {
                "clause": "7.5",
                "grade": "improvement",
                "description": "Nên số hóa sổ theo dõi tài liệu",
                "nc_code": "",
                "nc_status": "",
                "decision": "accepted",
                "decision_reason": "Đưa vào kế hoạch năm sau",
            },
        ],
    )
    state.update(changes)
    return state


def _open(data):
    document = docx.Document(io.BytesIO(data))
    return document, text_of(document)


def _layout(document):
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = [run for p in document.paragraphs for run in p.runs if run.text.strip()]
    assert all(run.font.name in (None, "Times New Roman") for run in runs)


def _table(document, first_heading, second_heading=None):
    """The tables whose heading row starts with these headings, as lists of cell texts."""
    found = []
    for table in document.tables:
        cells = [c.text for c in table.rows[0].cells]
        if cells[0] == first_heading and (second_heading is None or cells[1] == second_heading):
            found.append([[c.text for c in row.cells] for row in table.rows[1:]])
    return found


def test_plan(app, plan):
    audit = plan()
    document, text = _open(plan_docx(audit, plan_state()))
    _layout(document)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "KẾ HOẠCH ĐÁNH GIÁ NỘI BỘ",
        "Số: ĐGNB-2026-01",
        "Đánh giá quy trình chứng thực",
        "Chương trình đánh giá nội bộ năm 2026 (lần 2)",
        "PHẠM VI",
        "- Chứng thực bản sao từ bản chính",
        "- Văn phòng HĐND và UBND",
        "CHUẨN MỰC ĐÁNH GIÁ",
        "QT-10 Quy trình chứng thực bản sao",
        "từ ngày 10/03/2026 đến ngày 11/03/2026",
        "ĐOÀN ĐÁNH GIÁ",
        "LÃNH ĐẠO PHÊ DUYỆT",
        "TRƯỞNG ĐOÀN ĐÁNH GIÁ",
    ):
        assert expected in text, expected
    assert "2026-03-10" not in text
    # the clauses in the standard's order, with their titles from the library
    assert "- 7.5. Thông tin dạng văn bản\n- 8.5. " in text
    (team,) = _table(document, "STT", "Họ và tên")
    assert [row[1:] for row in team] == [["Phạm Văn Kiểm", "Trưởng đoàn"], ["Đỗ Thu Tra", "Thành viên"]]
    (schedule,) = _table(document, "Thời gian")
    assert [row[0] for row in schedule] == ["10/03/2026", "10/03/2026 – 11/03/2026", "11/03/2026"]


def test_plan_of_one_day_and_nobody_yet(app, plan):
    audit = plan()
    state = plan_state(planned_end="2026-03-10", team=[], processes=[], units=[])
    document, text = _open(plan_docx(audit, state))
    assert "ngày 10/03/2026." in text
    assert "đến ngày" not in text
    (team,) = _table(document, "STT", "Họ và tên")
    assert team == [["1", "Phạm Văn Kiểm", "Trưởng đoàn"]]


def test_report(app, plan):
    audit = plan()
    document, text = _open(report_docx(audit, report_state()))
    _layout(document)
    for expected in (
        "BÁO CÁO ĐÁNH GIÁ NỘI BỘ",
        "Số: ĐGNB-2026-01",
        "ngày 12 tháng 3 năm 2026",  # the date line: the report's day, in Vietnam
        "Từ ngày 10/03/2026 đến ngày 12/03/2026",
        "Đoàn đã đánh giá hai điều khoản tại Văn phòng.",
        "ĐIỂM MẠNH",
        "Hồ sơ chứng thực được lưu đầy đủ.",
        "KẾT LUẬN",
        "cần khắc phục một điểm không phù hợp",
        "TRƯỞNG ĐOÀN ĐÁNH GIÁ",
        "Phạm Văn Kiểm",
        "Nơi nhận:",
    ):
        assert expected in text, expected
    assert "LÃNH ĐẠO PHÊ DUYỆT" not in text
    for stored in ("minor", "improvement", "conform", "accepted", "closed", "2026-03-1"):
        assert stored not in text, stored

    # each finding under its clause: the clause's heading, then its checklist, then its findings
    lines = text.split("\n")
    heading_75 = lines.index("Điều khoản 7.5. Thông tin dạng văn bản")
    heading_85 = next(i for i, line in enumerate(lines) if line.startswith("Điều khoản 8.5. "))
    improvement = lines.index("Nên số hóa sổ theo dõi tài liệu")
    minor = lines.index("Thu lệ phí sai mức ở một hồ sơ")
    assert heading_75 < improvement < heading_85 < minor

    items = _table(document, "STT", "Câu hỏi đánh giá")
    conform = vietnamese(RESULT_LABELS, ChecklistResult.conform)  # "Phù hợp" once the catalogue has it
    assert [[row[2] for row in table] for table in items] == [[conform], ["Không phù hợp nhẹ", "Chưa đánh giá"]]
    assert items[1][0][3] == "Hồ sơ 000.00.01\nTệp đính kèm: bien-lai.pdf"
    findings = _table(document, "STT", "Mức độ")
    assert len(findings) == 2
    (row_75,), (row_85,) = findings
    assert row_75[3] == "Đã chấp nhận: Đưa vào kế hoạch năm sau"
    assert row_85[1] == "Không phù hợp nhẹ"
    assert row_85[3] == "Phiếu SKPH-2026-004 (đã đóng)"
    # the tally of findings by grade
    (tally,) = _table(document, "Mức độ", "Số lượng")
    assert dict(tally) == {
        "Không phù hợp nặng": "0",
        "Không phù hợp nhẹ": "1",
        "Khuyến nghị": "0",
        "Cơ hội cải tiến": "1",
    }


def test_report_of_a_finding_without_its_nc_or_decision(app, plan):
    audit = plan()
    findings = [
        {"clause": "9.1", "grade": "major", "description": "Không theo dõi", "nc_code": "", "nc_status": None},
        {"clause": "9.1", "grade": "observation", "description": "Ghi chép", "decision": None},
    ]
    document, text = _open(report_docx(audit, report_state(findings=findings, items=[], summary="", reported_at=None)))
    assert "Điều khoản 9.1. " in text  # a clause outside the plan still has its heading
    assert "Từ ngày 10/03/2026\n" in text  # not reported yet
    assert "(Không có nội dung.)" in text  # the empty summary says so
    ((major, observation),) = _table(document, "STT", "Mức độ")
    assert major[3] == "Chưa mở phiếu xử lý sự không phù hợp"
    assert observation[3] == "Chưa quyết định"
    assert text.count("Không có phát hiện.") == 2  # 7.5 and 8.5: no items, no findings


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_report_converts_to_an_a4_pdf(app, plan, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "report.docx"
    path.write_bytes(report_docx(plan(), report_state()))
    convert_to_pdf([path], tmp_path)
    pdf = PdfReader(tmp_path / "report.pdf")
    width, height = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    printed = unicodedata.normalize("NFC", "".join(page.extract_text() for page in pdf.pages))
    assert "BÁO CÁO ĐÁNH GIÁ NỘI BỘ" in printed and "SKPH-2026-004" in printed
