"""The NC and corrective-action report (phiếu xử lý sự không phù hợp và hành động khắc phục) as .docx,
and the register as .xlsx, laid out per Decree 30/2020 with qms.core.exports.

The report is filled from the commune's own controlled form when its NC settings name one in force
(report_form_code; filled by qms.core.fill with the values of `report_values`, whose names are the
placeholders such a form may hold), otherwise it is written in the built-in layout from the same
values. Both are Vietnamese documents whatever the reader's language: coded values are written with
their Vietnamese labels.

Placeholders of a report form (each ``{{name}}``; see qms.core.fill for the language):
  so_phieu, ten, mo_ta, nguon, muc_do, trang_thai, dieu_khoan, don_vi, quy_trinh, buoc_quy_trinh,
  tai_lieu, ma_ho_so, nguoi_phat_hien, ngay_phat_hien, nguoi_xu_ly, khac_phuc, nguoi_khac_phuc,
  han_khac_phuc, ngay_khac_phuc, cach_xu_ly, nguoi_quyet_dinh_xu_ly, ngay_quyet_dinh_xu_ly,
  can_hanh_dong, ly_do_khong_hanh_dong, ngay_dong, nguoi_dong, rui_ro_can_cap_nhat,
  tai_lieu_can_cap_nhat, danh_sach_tai_lieu_cap_nhat, ngay_huy, ly_do_huy, ten_xa, dia_danh_ngay,
  ngay_lap;
  rows repeated per element: vong.{so, ngay_mo, ly_do, nguoi_chap_nhan, ngay_chap_nhan},
  tai_sao.{vong, stt, cau_hoi, tra_loi}, nguyen_nhan.{vong, nhom, mo_ta, goc_re},
  hanh_dong.{vong, stt, noi_dung, nguoi_thuc_hien, han, ngay_hoan_thanh, ket_qua},
  danh_gia.{vong, ngay_du_kien, nguoi_danh_gia, ngay_danh_gia, ket_qua, ghi_chu},
  chu_ky.{stt, y_nghia, nguoi_ky, thoi_gian, tinh_trang}.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import joinedload

from qms.core.calendar import format_date, format_datetime, to_local
from qms.core.digests import record_digest
from qms.core.exports import (
    BODY_PT,
    POINTS_PER_LINE,
    a4_print_setup,
    date_line,
    field_table,
    grid_table,
    issuer_lines,
    national_header,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    place_name,
    rule,
    section_heading,
    subheading,
    text_width_mm,
    to_bytes,
    vietnamese,
    workbook_bytes,
    wrapped_lines,
    xlsx_box,
    xlsx_cell,
    xlsx_font,
    xlsx_merged,
    xlsx_national_header,
)
from qms.db import db
from qms.documents.models import Document
from qms.nonconformities.labels import (
    CATEGORY_LABELS,
    DISPOSITION_LABELS,
    MEANING_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from qms.nonconformities.models import CauseCategory, NcMeaning, Nonconformity
from qms.nonconformities.queries import register_query
from qms.nonconformities.services.common import nc_state
from qms.nonconformities.services.decisions import documents_to_update
from qms.signatures.services import signatures_of, verify

REPORT_TITLE = "PHIẾU XỬ LÝ SỰ KHÔNG PHÙ HỢP VÀ HÀNH ĐỘNG KHẮC PHỤC"
REGISTER_TITLE = "SỔ THEO DÕI SỰ KHÔNG PHÙ HỢP VÀ HÀNH ĐỘNG KHẮC PHỤC"
SUBTITLE = "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015"
YES, NO, UNDECIDED = "Có", "Không", "Chưa quyết định"
ROOT_MARK = "X"

SIGNATURE_VALID = "Hợp lệ"
SIGNATURE_SUPERSEDED = "Hợp lệ; hồ sơ đã được cập nhật sau khi ký"
SIGNATURE_BROKEN = "Không hợp lệ (chữ ký bị sửa hoặc chuyển sang hồ sơ khác)"


def _yes_no(value) -> str:
    return UNDECIDED if value is None else (YES if value else NO)


def _name(user) -> str:
    return user.full_name if user is not None else ""


def _document(document_id) -> str:
    document = db.session.get(Document, document_id) if document_id else None
    return f"{document.code} – {document.title}" if document is not None else ""


def signature_state(signature, nc, digest) -> str:
    """In words: valid (the NC still holds what was signed), valid but made on an earlier state of
    the NC (a decision the later steps built on), or broken (the seal does not match)."""
    check = verify(signature, nc, current_digest=digest)
    if not check.sealed:
        return SIGNATURE_BROKEN
    return SIGNATURE_VALID if check.content_matches else SIGNATURE_SUPERSEDED


def _meaning(value) -> str:
    try:
        return vietnamese(MEANING_LABELS, NcMeaning(value))
    except ValueError:
        return value


def report_values(nc, commune, today: dt.date) -> dict:
    """Everything the report shows, by placeholder name (the module's docstring lists them)."""
    rounds = list(nc.rounds)
    number_of = {r.id: r.number for r in rounds}
    digest = record_digest(nc_state(nc))
    updated = documents_to_update(nc)
    values = {
        "so_phieu": nc.number,
        "ten": nc.title,
        "mo_ta": nc.description,
        "nguon": vietnamese(SOURCE_LABELS, nc.source),
        "muc_do": vietnamese(SEVERITY_LABELS, nc.severity),
        "trang_thai": vietnamese(STATUS_LABELS, nc.status),
        "dieu_khoan": nc.clause,
        "don_vi": nc.unit.name if nc.unit else "",
        "quy_trinh": _document(nc.procedure_id),
        "buoc_quy_trinh": nc.process_step,
        "tai_lieu": _document(nc.document_id),
        "ma_ho_so": nc.dossier_code,
        "nguoi_phat_hien": _name(nc.detected_by),
        "ngay_phat_hien": format_date(nc.detected_at),
        "nguoi_xu_ly": _name(nc.handler),
        "khac_phuc": nc.correction,
        "nguoi_khac_phuc": _name(nc.correction_by),
        "han_khac_phuc": format_date(nc.correction_due_on),
        "ngay_khac_phuc": format_date(nc.correction_done_at),
        "cach_xu_ly": vietnamese(DISPOSITION_LABELS, nc.disposition),
        "nguoi_quyet_dinh_xu_ly": _name(nc.disposition_by),
        "ngay_quyet_dinh_xu_ly": format_date(nc.disposition_at),
        "can_hanh_dong": _yes_no(nc.action_needed),
        "ly_do_khong_hanh_dong": nc.no_action_reason,
        "ngay_dong": format_date(nc.closed_at),
        "nguoi_dong": _name(nc.closed_by),
        "rui_ro_can_cap_nhat": "" if nc.closed_at is None else _yes_no(nc.risks_need_update),
        "tai_lieu_can_cap_nhat": "" if nc.closed_at is None else _yes_no(nc.documents_need_update),
        "danh_sach_tai_lieu_cap_nhat": ", ".join(f"{d.code} – {d.title}" for d in updated),
        "ngay_huy": format_date(nc.cancelled_at),
        "ly_do_huy": nc.cancel_reason,
        "ten_xa": commune.name,
        "dia_danh_ngay": date_line(place_name(commune), today),
        "ngay_lap": format_date(today),
        "vong": [
            {
                "so": r.number,
                "ngay_mo": format_date(r.opened_at),
                "ly_do": r.opened_reason,
                "nguoi_chap_nhan": _name(r.analysis_accepted_by),
                "ngay_chap_nhan": format_date(r.analysis_accepted_at),
            }
            for r in rounds
        ],
        "tai_sao": [
            {"vong": r.number, "stt": w.position, "cau_hoi": w.question, "tra_loi": w.answer}
            for r in rounds
            for w in r.whys
        ],
        "nguyen_nhan": [
            {
                "vong": r.number,
                "nhom": vietnamese(CATEGORY_LABELS, c.category),
                "mo_ta": c.description,
                "goc_re": ROOT_MARK if c.is_root else "",
            }
            for r in rounds
            for c in sorted(r.causes, key=lambda c: (list(CauseCategory).index(c.category), c.id))
        ],
        "hanh_dong": [
            {
                "vong": number_of.get(a.round_id, ""),
                "stt": index,
                "noi_dung": a.what,
                "nguoi_thuc_hien": _name(a.owner),
                "han": format_date(a.due_on),
                "ngay_hoan_thanh": format_date(a.done_at),
                "ket_qua": a.result,
            }
            for index, a in enumerate(nc.actions, start=1)
        ],
        "danh_gia": [
            {
                "vong": number_of.get(v.round_id, ""),
                "ngay_du_kien": format_date(v.planned_on),
                "nguoi_danh_gia": _name(v.reviewer),
                "ngay_danh_gia": format_date(v.reviewed_on),
                "ket_qua": vietnamese(RESULT_LABELS, v.result),
                "ghi_chu": v.notes,
            }
            for v in nc.reviews
        ],
        "chu_ky": [
            {
                "stt": index,
                "y_nghia": _meaning(s.meaning),
                "nguoi_ky": s.signer_name,
                "thoi_gian": format_datetime(s.signed_at, seconds=True),
                "tinh_trang": signature_state(s, nc, digest),
            }
            for index, s in enumerate(signatures_of(nc), start=1)
        ],
    }
    return values


def report_docx(nc, commune, today: dt.date, *, template: bytes | None = None) -> bytes:
    """The report: `template` (a commune's form) filled in, or the built-in layout."""
    values = report_values(nc, commune, today)
    if template is not None:
        from qms.core.fill import fill_docx

        return fill_docx(template, values)
    return _built_in(values, commune)


# --- the built-in layout --------------------------------------------------------------------------

# (heading, key, width in mm, centred); each table spans the 165 mm between the margins, a date
# column is wide enough for dd/mm/yyyy on one line
WHY_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Câu hỏi (Tại sao?)", "cau_hoi", 66, False),
    ("Trả lời", "tra_loi", 87, False),
]
CAUSE_COLUMNS = [
    ("Nhóm nguyên nhân", "nhom", 35, False),
    ("Nguyên nhân", "mo_ta", 100, False),
    ("Nguyên nhân gốc rễ", "goc_re", 30, True),
]
ACTION_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Nội dung hành động", "noi_dung", 42, False),
    ("Người thực hiện", "nguoi_thuc_hien", 28, False),
    ("Thời hạn", "han", 24, True),
    ("Ngày hoàn thành", "ngay_hoan_thanh", 24, True),
    ("Kết quả", "ket_qua", 35, False),
]
REVIEW_COLUMNS = [
    ("Ngày dự kiến", "ngay_du_kien", 24, True),
    ("Người đánh giá", "nguoi_danh_gia", 32, False),
    ("Ngày đánh giá", "ngay_danh_gia", 24, True),
    ("Kết quả", "ket_qua", 27, True),
    ("Nhận xét", "ghi_chu", 58, False),
]
SIGNATURE_COLUMNS = [
    ("STT", "stt", 12, True),
    ("Ý nghĩa", "y_nghia", 42, False),
    ("Người ký", "nguoi_ky", 33, False),
    ("Thời gian ký (giờ Việt Nam)", "thoi_gian", 28, True),
    ("Tình trạng chữ ký", "tinh_trang", 50, False),
]


def _fishbone_rows(causes):
    """Every one of the six categories, with its causes (a category with none shows a dash)."""
    rows = []
    for category in CauseCategory:
        label = vietnamese(CATEGORY_LABELS, category)
        mine = [c for c in causes if c["nhom"] == label]
        rows.extend(mine or [{"nhom": label, "mo_ta": "—", "goc_re": ""}])
    return rows


def _built_in(values, commune) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = new_document()
    document.core_properties.title = f"Phiếu xử lý sự không phù hợp {values['so_phieu']}"
    document.core_properties.language = "vi-VN"
    national_header(document, issuer_lines(commune.name), values["dia_danh_ngay"])
    paragraph(document, REPORT_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True, before=18)
    paragraph(document, f"Số: {values['so_phieu']}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, before=2)
    rule(document, 40, text_width_mm(document), before=4, after=6)

    section_heading(document, "I. THÔNG TIN VỀ SỰ KHÔNG PHÙ HỢP")
    field_table(
        document,
        [
            ("Tên sự không phù hợp", values["ten"]),
            ("Mô tả", values["mo_ta"]),
            ("Nguồn phát hiện", values["nguon"]),
            ("Mức độ", values["muc_do"]),
            ("Điều khoản ISO 9001", values["dieu_khoan"]),
            ("Đơn vị", values["don_vi"]),
            ("Quy trình", values["quy_trinh"]),
            ("Bước của quy trình", values["buoc_quy_trinh"]),
            ("Tài liệu liên quan", values["tai_lieu"]),
            ("Mã hồ sơ", values["ma_ho_so"]),
            ("Người phát hiện", values["nguoi_phat_hien"]),
            ("Ngày phát hiện", values["ngay_phat_hien"]),
            ("Người xử lý", values["nguoi_xu_ly"]),
            ("Trạng thái", values["trang_thai"]),
        ],
    )

    section_heading(document, "II. KHẮC PHỤC TỨC THỜI VÀ XỬ LÝ ĐẦU RA KHÔNG PHÙ HỢP")
    field_table(
        document,
        [
            ("Khắc phục tức thời", values["khac_phuc"]),
            ("Người thực hiện", values["nguoi_khac_phuc"]),
            ("Thời hạn", values["han_khac_phuc"]),
            ("Ngày hoàn thành", values["ngay_khac_phuc"]),
            ("Cách xử lý đầu ra", values["cach_xu_ly"]),
            ("Người quyết định", values["nguoi_quyet_dinh_xu_ly"]),
            ("Ngày quyết định", values["ngay_quyet_dinh_xu_ly"]),
        ],
    )

    section_heading(document, "III. QUYẾT ĐỊNH VỀ HÀNH ĐỘNG KHẮC PHỤC")
    decision = [("Cần hành động khắc phục", values["can_hanh_dong"])]
    if values["ly_do_khong_hanh_dong"]:
        decision.append(("Lý do không cần hành động", values["ly_do_khong_hanh_dong"]))
    field_table(document, decision)

    section_heading(document, "IV. PHÂN TÍCH NGUYÊN NHÂN, HÀNH ĐỘNG KHẮC PHỤC VÀ ĐÁNH GIÁ HIỆU LỰC")
    if not values["vong"]:
        paragraph(document, "Chưa có vòng phân tích nào.", italic=True)
    for round_ in values["vong"]:
        number = round_["so"]
        subheading(document, f"Vòng {number}")
        facts = [f"Bắt đầu ngày {round_['ngay_mo']}."]
        if round_["ly_do"]:
            facts.append(f"Lý do mở vòng mới: {round_['ly_do']}")
        if round_["ngay_chap_nhan"]:
            facts.append(f"Phân tích được chấp nhận ngày {round_['ngay_chap_nhan']} bởi {round_['nguoi_chap_nhan']}.")
        else:
            facts.append("Phân tích chưa được chấp nhận.")
        for fact in facts:
            paragraph(document, fact, size=BODY_PT, after=2)
        paragraph(document, "a) Phân tích 5 tại sao", size=BODY_PT, italic=True, before=4, after=2)
        grid_table(
            document,
            WHY_COLUMNS,
            [w for w in values["tai_sao"] if w["vong"] == number],
            "Chưa có câu hỏi nào.",
        )
        paragraph(document, "b) Biểu đồ xương cá (nguyên nhân theo nhóm)", size=BODY_PT, italic=True, before=6, after=2)
        grid_table(
            document,
            CAUSE_COLUMNS,
            _fishbone_rows([c for c in values["nguyen_nhan"] if c["vong"] == number]),
            "",
        )
        paragraph(document, "c) Hành động khắc phục", size=BODY_PT, italic=True, before=6, after=2)
        grid_table(
            document,
            ACTION_COLUMNS,
            [a for a in values["hanh_dong"] if a["vong"] == number],
            "Chưa có hành động nào.",
        )
        paragraph(document, "d) Đánh giá hiệu lực", size=BODY_PT, italic=True, before=6, after=2)
        grid_table(
            document,
            REVIEW_COLUMNS,
            [v for v in values["danh_gia"] if v["vong"] == number],
            "Chưa có đánh giá nào.",
        )

    section_heading(document, "V. KẾT THÚC")
    if values["ngay_huy"]:
        field_table(document, [("Ngày hủy", values["ngay_huy"]), ("Lý do hủy", values["ly_do_huy"])])
    elif values["ngay_dong"]:
        closing = [
            ("Ngày đóng", values["ngay_dong"]),
            ("Người đóng", values["nguoi_dong"]),
            ("Cần cập nhật rủi ro và cơ hội", values["rui_ro_can_cap_nhat"]),
            ("Cần cập nhật tài liệu của quá trình", values["tai_lieu_can_cap_nhat"]),
        ]
        if values["danh_sach_tai_lieu_cap_nhat"]:
            closing.append(("Tài liệu cần cập nhật", values["danh_sach_tai_lieu_cap_nhat"]))
        field_table(document, closing)
    else:
        paragraph(document, "Sự không phù hợp chưa được đóng.", italic=True)

    section_heading(document, "VI. CHỮ KÝ ĐIỆN TỬ")
    grid_table(document, SIGNATURE_COLUMNS, values["chu_ky"], "Chưa có chữ ký nào.")
    page_numbers_from_second_page(document)
    return to_bytes(document)


# --- the register as .xlsx ------------------------------------------------------------------------

# (heading, key, width in characters, centred)
REGISTER_COLUMNS = [
    ("STT", "stt", 6, True),
    ("Số phiếu", "number", 16, True),
    ("Tên sự không phù hợp", "title", 40, False),
    ("Nguồn", "source", 18, False),
    ("Mức độ", "severity", 11, True),
    ("Trạng thái", "status", 18, False),
    ("Đơn vị", "unit", 20, False),
    ("Người phát hiện", "detected_by", 20, False),
    ("Ngày phát hiện", "detected_on", 13, True),
    ("Ngày đóng", "closed_on", 13, True),
]


def register_rows(ncs) -> list[dict]:
    return [
        {
            "stt": index,
            "number": nc.number,
            "title": nc.title,
            "source": vietnamese(SOURCE_LABELS, nc.source),
            "severity": vietnamese(SEVERITY_LABELS, nc.severity),
            "status": vietnamese(STATUS_LABELS, nc.status),
            "unit": nc.unit.name if nc.unit else "",
            "detected_by": _name(nc.detected_by),
            "detected_on": _local_date(nc.detected_at),
            "closed_on": _local_date(nc.closed_at),
        }
        for index, nc in enumerate(ncs, start=1)
    ]


def _local_date(value):
    return to_local(value).date() if value is not None else None


def register_xlsx(commune, rows, today: dt.date, criteria: str = "") -> bytes:
    """The register (rows from register_rows) as a workbook printed on A4 landscape; `criteria`
    says in words which filters chose the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    last = len(REGISTER_COLUMNS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi SKPH"
    workbook.properties.title = REGISTER_TITLE.capitalize()
    workbook.properties.language = "vi-VN"
    for index, (_h, _k, chars, _c) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars
    xlsx_national_header(sheet, issuer_lines(commune.name), date_line(place_name(commune), today), last)
    xlsx_merged(sheet, 6, 1, last, REGISTER_TITLE, xlsx_font(14, bold=True))
    xlsx_merged(sheet, 7, 1, last, SUBTITLE, xlsx_font(BODY_PT, bold=True))
    sheet.row_dimensions[6].height = 22
    if criteria:
        xlsx_merged(sheet, 8, 1, last, criteria, xlsx_font(italic=True))
    header_row = 10
    for index, (heading, _k, _chars, _c) in enumerate(REGISTER_COLUMNS, start=1):
        cell = xlsx_cell(sheet, header_row, index, heading)
        cell.font = xlsx_font(bold=True)
        cell.border = xlsx_box()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = (
        max(wrapped_lines(h, c) for h, _k, c, _x in REGISTER_COLUMNS) * POINTS_PER_LINE
    )
    if not rows:
        xlsx_merged(sheet, header_row + 1, 1, last, "Không có sự không phù hợp nào.", xlsx_font(italic=True))
        for index in range(1, last + 1):
            sheet.cell(row=header_row + 1, column=index).border = xlsx_box()
    for offset, data in enumerate(rows, start=1):
        row_number = header_row + offset
        needed = 1
        for index, (_h, key, chars, centred) in enumerate(REGISTER_COLUMNS, start=1):
            cell = xlsx_cell(sheet, row_number, index, data.get(key))
            cell.font = xlsx_font()
            cell.border = xlsx_box()
            cell.alignment = Alignment(horizontal="center" if centred else "left", vertical="center", wrap_text=True)
            value = data.get(key)
            needed = max(
                needed, wrapped_lines(format_date(value) if isinstance(value, dt.date) else value or "", chars)
            )
        sheet.row_dimensions[row_number].height = needed * POINTS_PER_LINE + 4
    a4_print_setup(sheet, header_row)
    return workbook_bytes(workbook)


def register_ncs(commune_id, filters) -> list:
    """Every NC of the register the filters choose (the register's own query), with its unit and
    who detected it, in the register's order."""
    stmt = register_query(commune_id, filters).options(
        joinedload(Nonconformity.unit), joinedload(Nonconformity.detected_by)
    )
    return list(db.session.scalars(stmt))
