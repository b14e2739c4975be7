"""The forms of the demo commune: the one-stop forms of Circular 01/2018/TT-VPCP (receipt and
appointment slip, request to supplement, refusal, apology and new return date, process control
sheet and the dossier ledger (A4 landscape) as .docx, their blanks written as the placeholders
qms.dossiers.fill fills from a dossier), the civil-status declarations of Circular
04/2020/TT-BTP, the certification registers and the social-assistance declaration of Decree
20/2021/NĐ-CP. Each keeps the layout of the form it reproduces, with blank lines to fill in by hand
(dot leaders to the margin, so they print the same in Word and LibreOffice)."""

from __future__ import annotations

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from qms.core.exports import (
    BODY_PT,
    MOTTO,
    NATIONAL_NAME,
    TABLE_PT,
    XLSX_BOX,
    a4_print_setup,
    add_run,
    cell_paragraph,
    issuer_lines,
    keep_row_together,
    national_header,
    paragraph,
    place_from_name,
    remove_borders,
    repeat_as_header,
    set_cell_margins,
    set_table_widths,
    text_width_mm,
    workbook_bytes,
    xlsx_font,
    xlsx_merged,
)
from qms.documents.demo.parts import Control, Grid, form_document, grid, motto, signature_pair, xlsx_control_sheet

ONE_STOP_OLD = "Bộ phận Tiếp nhận và Trả kết quả"
ONE_STOP = "Trung tâm Phục vụ hành chính công"
CIRCULAR_01 = "Thông tư số 01/2018/TT-VPCP"
LEDGER_PT = 10  # fourteen columns across an A4 page
# The date line of a form the system fills (qms.dossiers.fill): "Hòa Bình, ngày 07 tháng 12 năm 2026".
DATE_LINE = "{{dia_danh_ngay}}"


def one_stop_unit(control: Control) -> str:
    """The forms of issue 01 of QT-06 were printed for the former one-stop section."""
    return ONE_STOP_OLD if control.code == "BM-01-QT-06" and control.issue_no == 1 else ONE_STOP


def _place(control):
    return place_from_name(control.commune)


def blank_date(control):
    return f"{_place(control)}, ngày ..... tháng ..... năm 20....."


# --- lines to fill in ------------------------------------------------------------------------------


def fill(container, *fields, width_mm=None, size=BODY_PT, before=3):
    """One line of labels, each followed by a dotted blank up to its end position in mm (None: the
    right margin; False: no blank, the label just follows): fill(doc, ("Số điện thoại: ", 80),
    ("Email: ", None)) leaves dots to 80 mm, then to the margin."""
    width = width_mm or text_width_mm(container.part.document)
    para = paragraph(container, "", before=before)
    stops = para.paragraph_format.tab_stops
    for label, end in fields:
        add_run(para, label, size=size)
        if end is not False:
            stops.add_tab_stop(Mm(end if end is not None else width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
            add_run(para, "\t", size=size)
    return para


def text(container, value, *, bold=None, italic=None, size=BODY_PT, before=3, center=False, indent=None):
    return paragraph(
        container,
        value,
        bold=bold,
        italic=italic,
        size=size,
        before=before,
        indent_first=indent,
        align=WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY,
    )


def agency_header(document, control, *, unit=None, number="", dated=True, date_text=None):
    """Issuing body (the commune, or the commune over one of its units) with "Số: .../XX" under it,
    the national name and motto, and the date line to fill in (by hand, or `date_text`: the
    placeholder the system fills)."""
    date = (date_text or blank_date(control)) if dated else ""
    table = national_header(document, issuer_lines(control.commune, unit or ""), date)
    if number:
        paragraph(
            table.rows[0].cells[0], f"Số: ........../{number}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, before=6
        )
    return table


def form_title(document, *lines, before=12):
    for index, line in enumerate(lines):
        paragraph(
            document,
            line,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=14,
            bold=index == 0,
            italic=index > 0,
            before=before if index == 0 else 2,
        )
    paragraph(document, "", size=6)


def recipients_and_signature(document, recipients, heading, note, *, name=""):
    """ "Nơi nhận" on the left, the signer's block on the right (Decree 30, appendix I)."""
    total = text_width_mm(document)
    table = document.add_table(rows=1, cols=2)
    remove_borders(table)
    set_table_widths(table, (total * 0.45, total * 0.55))
    left, right = table.rows[0].cells
    para = cell_paragraph(left, "", before=6)
    add_run(para, "Nơi nhận:", size=12, bold=True, italic=True)
    for item in recipients:
        paragraph(left, f"- {item}", size=11)
    cell_paragraph(right, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=6)
    paragraph(right, note, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True, after=60)
    if name:
        paragraph(right, name, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True)
    return table


def notes(document, *lines):
    paragraph(document, "Ghi chú:", size=12, bold=True, italic=True, before=10)
    for line in lines:
        paragraph(document, line, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=1)


# --- BM-01-QT-06 ------------------------------------------------------------------------------------


def receipt(control: Control) -> bytes:
    """Issue 01 predates the dossier register: a slip filled in by hand. From issue 02 the system
    fills it from the dossier (placeholders, see qms.dossiers.fill), with the QR code of the
    citizens' lookup beside the dossier code."""
    unit = one_stop_unit(control)
    if control.issue_no == 1:
        return _receipt_by_hand(control, unit)

    def body(document):
        agency_header(document, control, unit=unit, number="TNHS", date_text=DATE_LINE)
        form_title(document, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
        total = text_width_mm(document)
        table = document.add_table(rows=1, cols=2)
        remove_borders(table)
        set_table_widths(table, (total - 32, 32))
        left, right = table.rows[0].cells
        left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = cell_paragraph(left, "", before=3)
        add_run(para, "Mã hồ sơ: ", size=BODY_PT)
        add_run(para, "{{ma_ho_so}}", size=BODY_PT, bold=True)
        paragraph(left, "(Liên: Lưu / Giao khách hàng)", size=BODY_PT, italic=True)
        paragraph(left, "Quét mã QR bên cạnh để tra cứu tình trạng giải quyết hồ sơ.", size=12, italic=True, before=3)
        cell_paragraph(right, "{{ma_qr}}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT)
        text(document, f"{unit} xã {_place(control)}", bold=True, before=8)
        fill(document, ("Tiếp nhận hồ sơ của: {{ten_nguoi_nop}}", None))
        fill(document, ("Địa chỉ: {{dia_chi}}", None))
        fill(document, ("Số điện thoại: {{so_dien_thoai}}", 80), ("Email: ", None))
        fill(document, ("Nội dung yêu cầu giải quyết: {{ten_thu_tuc}} ({{ma_thu_tuc}})", None))
        text(document, "1. Thành phần hồ sơ nộp gồm:", before=6)
        grid(
            document,
            Grid(
                ("TT", "Tên giấy tờ", "Hình thức (bản chính, bản sao, bản chụp...)", "Ghi chú"),
                (11, 84, 45, 25),
                (("{{thanh_phan.stt}}", "{{thanh_phan.ten}}", "", ""),),
                centered=frozenset({0}),
            ),
        )
        text(document, "2. Số lượng hồ sơ: {{so_luong_ho_so}} (bộ)", before=6)
        text(document, "3. Thời gian giải quyết hồ sơ theo quy định là: {{thoi_han_giai_quyet}}")
        text(document, "4. Thời gian nhận hồ sơ: {{gio_tiep_nhan}}, ngày {{ngay_tiep_nhan}}")
        text(document, "5. Thời gian trả kết quả giải quyết hồ sơ: ngày {{ngay_hen_tra}}")
        text(document, "6. Hình thức nhận kết quả:   □ Trực tiếp   □ Dịch vụ bưu chính công ích   □ Trực tuyến")
        fill(document, ("    Địa chỉ nhận (nếu qua bưu chính): ", None))
        fill(document, ("Vào Sổ theo dõi hồ sơ, Quyển số: ", 112), (" Số thứ tự: ", None))
        signature_pair(
            document,
            ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", "{{ten_nguoi_nop}}"),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", "{{nguoi_tiep_nhan}}"),
            space_mm=18,
        )
        notes(
            document,
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên: 01 liên giao cho tổ chức, cá "
            "nhân nộp hồ sơ; 01 liên lưu tại nơi tiếp nhận.",
            "Tổ chức, cá nhân có thể nhận kết quả trước ngày hẹn khi hồ sơ được giải quyết xong.",
            "Tra cứu tình trạng giải quyết hồ sơ bằng mã QR trên giấy này (cần 4 số cuối của số điện thoại đã "
            "khai), hoặc trên Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) bằng mã hồ sơ.",
        )

    return form_document(control, body, origin=f"Mẫu số 01, {CIRCULAR_01}")


def _receipt_by_hand(control: Control, unit) -> bytes:
    def body(document):
        agency_header(document, control, unit=unit, number="TNHS")
        form_title(document, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
        fill(document, ("Mã hồ sơ: ", 110))
        text(document, "(Liên: Lưu / Giao khách hàng)", italic=True, before=0)
        text(document, f"{unit} xã {_place(control)}", bold=True, before=8)
        fill(document, ("Tiếp nhận hồ sơ của: ", None))
        fill(document, ("Địa chỉ: ", None))
        fill(document, ("Số điện thoại: ", 80), ("Email: ", None))
        fill(document, ("Nội dung yêu cầu giải quyết: ", None))
        text(document, "1. Thành phần hồ sơ nộp gồm:", before=6)
        grid(
            document,
            Grid(
                ("TT", "Tên giấy tờ", "Hình thức (bản chính, bản sao, bản chụp...)", "Ghi chú"),
                (11, 84, 45, 25),
                tuple((str(i), "", "", "") for i in range(1, 4)),
                centered=frozenset({0}),
            ),
        )
        fill(document, ("2. Số lượng hồ sơ: ", 75), (" (bộ)", False), before=6)
        fill(document, ("3. Thời gian giải quyết hồ sơ theo quy định là: ", 135), (" ngày làm việc", False))
        text(document, "4. Thời gian nhận hồ sơ: ..... giờ ..... phút, ngày ..... tháng ..... năm 20.....")
        text(
            document,
            "5. Thời gian trả kết quả giải quyết hồ sơ: ..... giờ ..... phút, ngày ..... tháng ..... năm 20.....",
        )
        fill(document, ("6. Đăng ký nhận kết quả tại: ", None))
        fill(document, ("Vào Sổ theo dõi hồ sơ, Quyển số: ", 112), (" Số thứ tự: ", None))
        signature_pair(
            document,
            ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)"),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)"),
            space_mm=18,
        )
        notes(
            document,
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên: 01 liên giao cho tổ chức, cá "
            "nhân nộp hồ sơ; 01 liên lưu tại nơi tiếp nhận.",
            "Tổ chức, cá nhân có thể nhận kết quả trước ngày hẹn khi hồ sơ được giải quyết xong.",
        )

    return form_document(control, body, origin=f"Mẫu số 01, {CIRCULAR_01}")


# --- BM-02-QT-06 ------------------------------------------------------------------------------------


def supplement_request(control: Control) -> bytes:
    def body(document):
        agency_header(document, control, unit=ONE_STOP, number="HDHS", date_text=DATE_LINE)
        form_title(document, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
        fill(document, ("Hồ sơ của: {{ten_nguoi_nop}}", None))
        fill(document, ("Nội dung yêu cầu giải quyết: {{ten_thu_tuc}}", None))
        fill(document, ("Địa chỉ: {{dia_chi}}", None))
        fill(document, ("Số điện thoại: {{so_dien_thoai}}", 80), ("Email: ", None))
        fill(document, ("Mã hồ sơ: {{ma_ho_so}}", None))
        text(document, "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", before=8)
        items = document.add_table(rows=1, cols=1)
        remove_borders(items)
        set_table_widths(items, (text_width_mm(document),))
        cell_paragraph(
            items.rows[0].cells[0], "{{noi_dung_bo_sung.stt}}. {{noi_dung_bo_sung.noi_dung}}", size=BODY_PT, before=3
        )
        fill(document, ("Lý do: {{ly_do_bo_sung}}", None), before=6)
        fill(
            document,
            ("Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông (bà) liên hệ với: {{nguoi_ky}}", None),
            before=6,
        )
        fill(document, ("số điện thoại: ", 90), (" để được hướng dẫn./.", False))
        if control.issue_no > 1:
            text(
                document,
                "Hồ sơ bổ sung được nộp trực tiếp tại Trung tâm Phục vụ hành chính công, qua dịch vụ bưu "
                "chính công ích hoặc trực tuyến trên Cổng Dịch vụ công quốc gia bằng mã hồ sơ nêu trên; "
                "thời hạn giải quyết được tính lại từ ngày nhận đủ hồ sơ hợp lệ.",
                italic=True,
                before=6,
            )
        signature_pair(document, ("", ""), ("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", "{{nguoi_ky}}"))

    return form_document(control, body, origin=f"Mẫu số 02, {CIRCULAR_01}")


# --- BM-03-QT-06 ------------------------------------------------------------------------------------


def refusal(control: Control) -> bytes:
    def body(document):
        agency_header(document, control, unit=ONE_STOP, number="TCHS", date_text=DATE_LINE)
        form_title(document, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
        text(document, f"{ONE_STOP} xã {_place(control)}", bold=True)
        fill(document, ("Tiếp nhận hồ sơ của: {{ten_nguoi_nop}}", None))
        fill(document, ("Địa chỉ: {{dia_chi}}", None))
        fill(document, ("Số điện thoại: {{so_dien_thoai}}", 80), ("Email: ", None))
        fill(document, ("Nội dung yêu cầu giải quyết: {{ten_thu_tuc}}", None))
        fill(document, ("Mã hồ sơ: {{ma_ho_so}}", None))
        text(
            document,
            f"Qua xem xét, {ONE_STOP} xã {_place(control)} thông báo không tiếp nhận, giải quyết hồ sơ "
            "này với lý do cụ thể như sau:",
            before=8,
            indent=10,
        )
        text(document, "{{ly_do_tu_choi}}", indent=10)
        text(document, "Xin thông báo cho Ông/Bà được biết và thực hiện./.", before=6, indent=10)
        signature_pair(document, ("", ""), ("NGƯỜI LẬP PHIẾU", "(Ký và ghi rõ họ tên)", "{{nguoi_ky}}"))

    return form_document(control, body, origin=f"Mẫu số 03, {CIRCULAR_01}")


# --- BM-04-QT-06 ------------------------------------------------------------------------------------


def apology(control: Control) -> bytes:
    def body(document):
        agency_header(document, control, number="PXL", date_text=DATE_LINE)
        form_title(document, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
        paragraph(document, "Kính gửi: {{ten_nguoi_nop}}", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True)
        text(
            document,
            f"Ngày {{{{ngay_tiep_nhan}}}}, Ủy ban nhân dân xã {_place(control)} tiếp nhận giải quyết hồ sơ "
            "của Ông/Bà/Tổ chức {{ten_nguoi_nop}}.",
            before=8,
            indent=10,
        )
        fill(document, ("Nội dung yêu cầu giải quyết: {{ten_thu_tuc}}", None))
        fill(document, ("Mã hồ sơ: {{ma_ho_so}}", None))
        text(document, "Thời hạn trả kết quả giải quyết hồ sơ: ngày {{ngay_hen_cu}}.", indent=10)
        text(
            document,
            f"Tuy nhiên đến nay, Ủy ban nhân dân xã {_place(control)} chưa trả kết quả giải quyết hồ sơ "
            "của Ông/Bà/Tổ chức.",
            indent=10,
        )
        text(document, "Lý do: {{ly_do_xin_loi}}", indent=10)
        text(
            document,
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà/Tổ chức. Ủy ban nhân dân xã {_place(control)} "
            "xin lỗi Ông/Bà/Tổ chức và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà/Tổ chức vào ngày "
            "{{ngay_hen_moi}}.",
            indent=10,
        )
        text(document, "Kính mong nhận được sự thông cảm của Ông/Bà/Tổ chức vì sự chậm trễ này./.", indent=10)
        recipients_and_signature(
            document,
            ("Như trên;", "Trung tâm Phục vụ hành chính công;", "Lưu: VT, hồ sơ."),
            "CHỦ TỊCH",
            "(Ký, ghi rõ họ tên và đóng dấu)",
            name="{{nguoi_ky}}",
        )
        notes(
            document,
            "Phiếu được gửi tổ chức, công dân chậm nhất 01 ngày làm việc trước ngày hẹn trả kết quả; "
            "ngày hẹn trả chỉ được hẹn lại một lần (QT-06, mục 5.3).",
        )

    return form_document(control, body, origin=f"Mẫu số 04, {CIRCULAR_01}")


# --- BM-05-QT-06 ------------------------------------------------------------------------------------


def control_sheet(control: Control) -> bytes:
    """One row per hand-over, repeated by the system for each line of the dossier's control sheet."""

    def body(document):
        agency_header(document, control, unit=ONE_STOP, dated=False)
        form_title(document, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
        fill(document, ("Kèm theo hồ sơ của: {{ten_nguoi_nop}}", None))
        fill(document, ("Mã hồ sơ: {{ma_ho_so}}", None))
        fill(document, ("Thủ tục: {{ten_thu_tuc}} ({{ma_thu_tuc}})", None))
        text(
            document,
            "(Danh sách các cơ quan, đơn vị phối hợp giải quyết: ..................................."
            "....................)",
            italic=True,
        )
        text(document, "Thời gian trả kết quả: ngày {{ngay_hen_tra}}")
        paragraph(document, "", after=4)
        grid(
            document,
            Grid(
                (
                    "TÊN CƠ QUAN, ĐƠN VỊ",
                    "THỜI GIAN GIAO, NHẬN HỒ SƠ",
                    "KẾT QUẢ GIẢI QUYẾT HỒ SƠ\n(Trước hạn / đúng hạn / quá hạn)",
                    "GHI CHÚ",
                ),
                (48, 62, 35, 20),
                (
                    (
                        "1. Giao: {{kiem_soat.ben_giao}}\n2. Nhận: {{kiem_soat.ben_nhan}}",
                        "{{kiem_soat.thoi_gian}}\n{{kiem_soat.buoc}}",
                        "{{kiem_soat.ket_qua}}",
                        "{{kiem_soat.ghi_chu}}",
                    ),
                ),
                centered=frozenset({1, 2}),
            ),
        )
        text(document, "Tình trạng hồ sơ: {{trang_thai}}. Kết quả giải quyết: {{ket_qua}}", before=6)
        notes(
            document,
            "Mỗi lần giao, nhận hồ sơ giữa các đơn vị, người giao và người nhận ghi thời gian và ký vào "
            "phiếu; phiếu đi kèm hồ sơ từ khi tiếp nhận đến khi trả kết quả.",
        )

    return form_document(control, body, origin=f"Mẫu số 05, {CIRCULAR_01}")


# --- BM-01-QT-07 and BM-01-QT-08 ---------------------------------------------------------------------

CIRCULAR_04 = "ban hành kèm theo Thông tư số 04/2020/TT-BTP"


def birth_declaration(control: Control) -> bytes:
    def body(document):
        motto(document)
        form_title(document, "TỜ KHAI ĐĂNG KÝ KHAI SINH", before=10)
        paragraph(
            document,
            f"Kính gửi: Ủy ban nhân dân xã {_place(control)}",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=BODY_PT,
            bold=True,
            after=6,
        )
        fill(document, ("Họ, chữ đệm, tên người yêu cầu: ", None))
        fill(document, ("Nơi cư trú: ", None))
        fill(document, ("Giấy tờ tùy thân: ", None))
        fill(document, ("Quan hệ với người được khai sinh: ", None))
        text(document, "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", bold=True, before=8)
        fill(document, ("Họ, chữ đệm, tên: ", None))
        fill(document, ("Ngày, tháng, năm sinh: ", 95), (" ghi bằng chữ: ", None))
        fill(document, ("Giới tính: ", 50), (" Dân tộc: ", 110), (" Quốc tịch: ", None))
        fill(document, ("Nơi sinh: ", None))
        fill(document, ("Quê quán: ", None))
        fill(document, ("Họ, chữ đệm, tên người mẹ: ", None), before=8)
        fill(document, ("Năm sinh: ", 50), (" Dân tộc: ", 110), (" Quốc tịch: ", None))
        fill(document, ("Nơi cư trú: ", None))
        fill(document, ("Họ, chữ đệm, tên người cha: ", None), before=8)
        fill(document, ("Năm sinh: ", 50), (" Dân tộc: ", 110), (" Quốc tịch: ", None))
        fill(document, ("Nơi cư trú: ", None))
        text(
            document,
            "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
            "nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước "
            "pháp luật về nội dung cam đoan của mình.",
            before=8,
            indent=10,
        )
        paragraph(
            document,
            f"Làm tại: {_place(control)}, ngày ..... tháng ..... năm 20.....",
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            size=BODY_PT,
            italic=True,
            before=8,
        )
        signature_pair(
            document,
            ("Đề nghị cấp bản sao:", "Có □   Không □\nSố lượng: ........ bản"),
            ("NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ, chữ đệm, tên)"),
            space_mm=18,
        )

    return form_document(control, body, origin=f"Mẫu {CIRCULAR_04}")


def marriage_declaration(control: Control) -> bytes:
    def body(document):
        motto(document)
        form_title(document, "TỜ KHAI ĐĂNG KÝ KẾT HÔN", before=10)
        paragraph(
            document,
            f"Kính gửi: Ủy ban nhân dân xã {_place(control)}",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=BODY_PT,
            bold=True,
            after=8,
        )
        rows = tuple(
            (label, "", "")
            for label in (
                "Họ, chữ đệm, tên",
                "Ngày, tháng, năm sinh",
                "Dân tộc",
                "Quốc tịch",
                "Nơi cư trú",
                "Giấy tờ tùy thân",
                "Kết hôn lần thứ mấy",
            )
        )
        table = grid(document, Grid(("Thông tin", "Bên nữ", "Bên nam"), (45, 60, 60), rows))
        for row in table.rows[1:]:
            row.height = Mm(11)
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        text(
            document,
            "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự "
            "nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam. Chúng tôi chịu hoàn "
            "toàn trách nhiệm trước pháp luật về cam đoan của mình.",
            before=10,
            indent=10,
        )
        paragraph(
            document,
            f"Làm tại: {_place(control)}, ngày ..... tháng ..... năm 20.....",
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            size=BODY_PT,
            italic=True,
            before=8,
        )
        signature_pair(
            document,
            ("BÊN NỮ", "(Ký, ghi rõ họ, chữ đệm, tên)"),
            ("BÊN NAM", "(Ký, ghi rõ họ, chữ đệm, tên)"),
            space_mm=20,
        )
        text(document, "Đề nghị cấp bản sao:   Có □   Không □      Số lượng: ........ bản", before=4)

    return form_document(control, body, origin=f"Mẫu {CIRCULAR_04}")


# --- the other civil-status declarations and the social-assistance declaration ----------------------

REQUESTER = ("Họ, chữ đệm, tên người yêu cầu: ", "Nơi cư trú: ", "Giấy tờ tùy thân: ")
PERSON = (
    (("Họ, chữ đệm, tên: ", None),),
    (("Ngày, tháng, năm sinh: ", 95), (" Giới tính: ", None)),
    (("Dân tộc: ", 80), (" Quốc tịch: ", None)),
    (("Nơi cư trú: ", None),),
    (("Giấy tờ tùy thân: ", None),),
)
PLEDGE = (
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu hoàn toàn trách nhiệm trước pháp luật về "
    "cam đoan của mình."
)
COPIES = ("Đề nghị cấp bản sao:", "Có □   Không □\nSố lượng: ........ bản")
REQUESTER_SIGNS = ("NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ, chữ đệm, tên)")


def _fields(document, lines):
    """Lines to fill in: a string is a label with dots to the margin, a tuple of strings a heading
    in bold, anything else the (label, end) pairs of fill()."""
    for line in lines:
        if isinstance(line, str):
            fill(document, (line, None))
        elif line and isinstance(line[0], str):
            text(document, line[0], bold=True, before=8)
        else:
            fill(document, *line)


def declaration(
    control,
    title,
    *,
    lead,
    lines,
    requester=REQUESTER,
    pledge=PLEDGE,
    left=COPIES,
    right=REQUESTER_SIGNS,
    subtitle=None,
    to=None,
    origin=f"Mẫu {CIRCULAR_04}",
    after=(),
):
    """A citizen's declaration in the layout of the forms of Circular 04/2020/TT-BTP: the motto, the
    title, the addressee, who asks, what is asked (`lead` in bold, then `lines`), the pledge, the
    place and date, the signatures; `after`: lines under the signatures."""

    def body(document):
        motto(document)
        form_title(document, title, *((subtitle,) if subtitle else ()), before=10)
        paragraph(
            document,
            f"Kính gửi: {to or 'Ủy ban nhân dân xã ' + _place(control)}",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=BODY_PT,
            bold=True,
            after=6,
        )
        _fields(document, requester)
        text(document, lead, bold=True, before=8)
        _fields(document, lines)
        text(document, pledge, before=8, indent=10)
        paragraph(
            document,
            f"Làm tại: {_place(control)}, ngày ..... tháng ..... năm 20.....",
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            size=BODY_PT,
            italic=True,
            before=8,
        )
        signature_pair(document, left, right, space_mm=18)
        for line in after:
            text(document, line, before=4)

    return form_document(control, body, origin=origin)


def death_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI ĐĂNG KÝ KHAI TỬ",
        requester=(*REQUESTER, "Quan hệ với người đã chết: "),
        lead="Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:",
        lines=(
            *PERSON[:3],
            "Nơi cư trú cuối cùng: ",
            PERSON[4],
            (("Đã chết vào lúc: ..... giờ ..... phút, ngày ..... tháng ..... năm ..........", False),),
            "Nơi chết: ",
            "Nguyên nhân chết: ",
            (("Số Giấy báo tử/giấy tờ thay thế Giấy báo tử: ", 120), (" Ngày cấp: ", None)),
            "Cơ quan cấp: ",
        ),
    )


def marital_status_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        requester=(*REQUESTER, "Quan hệ với người được cấp Giấy xác nhận: "),
        lead="Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:",
        lines=(
            *PERSON,
            "Trong thời gian cư trú tại: ",
            (("Từ ngày ..... tháng ..... năm .......... đến ngày ..... tháng ..... năm ..........", False),),
            "Tình trạng hôn nhân: ",
            "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân: ",
        ),
        left=("", ""),
    )


def extract_copy_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH",
        requester=(*REQUESTER, "Quan hệ với người được cấp bản sao trích lục: "),
        lead="Đề nghị cấp bản sao trích lục hộ tịch về sự kiện hộ tịch dưới đây:",
        lines=(
            "Loại sự kiện hộ tịch (khai sinh, kết hôn, khai tử...): ",
            "Họ, chữ đệm, tên người có sự kiện hộ tịch: ",
            PERSON[1],
            PERSON[3],
            (("Đã đăng ký tại: ", None),),
            (("Số: ", 60), (" Quyển số: ", 110), (" Ngày đăng ký: ", None)),
            (("Số lượng bản sao đề nghị cấp: ", 95), (" bản", False)),
        ),
        left=("", ""),
    )


def parentage_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI ĐĂNG KÝ NHẬN CHA, MẸ, CON",
        requester=("Họ, chữ đệm, tên người nhận: ", *PERSON[1:]),
        lead="Đề nghị cơ quan công nhận người có tên dưới đây:",
        lines=(
            *PERSON,
            (("là ", 100), (" (cha/mẹ/con) của tôi.", False)),
        ),
        pledge="Tôi cam đoan việc nhận cha, mẹ, con nêu trên là đúng sự thật, tự nguyện, không có tranh chấp và chịu "
        "hoàn toàn trách nhiệm trước pháp luật về cam đoan của mình.",
        left=("Ý KIẾN CỦA NGƯỜI HIỆN LÀ MẸ HOẶC CHA", "(Ký, ghi rõ họ, chữ đệm, tên)"),
        right=("NGƯỜI NHẬN", "(Ký, ghi rõ họ, chữ đệm, tên)"),
        after=("Đề nghị cấp bản sao:   Có □   Không □      Số lượng: ........ bản",),
    )


def guardianship_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI ĐĂNG KÝ GIÁM HỘ",
        requester=(*REQUESTER, "Quan hệ với người được giám hộ: "),
        lead="Đề nghị cơ quan đăng ký việc giám hộ giữa những người có tên dưới đây:",
        lines=(
            ("Người giám hộ",),
            *PERSON,
            ("Người được giám hộ",),
            *PERSON[:4],
            (("Loại giám hộ:   Giám hộ cử □   Giám hộ đương nhiên □", False),),
            "Căn cứ xác lập việc giám hộ: ",
        ),
    )


def correction_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI ĐĂNG KÝ THAY ĐỔI, CẢI CHÍNH, BỔ SUNG THÔNG TIN HỘ TỊCH, XÁC ĐỊNH LẠI DÂN TỘC",
        requester=(*REQUESTER, "Quan hệ với người được thay đổi, cải chính, bổ sung: "),
        lead="Đề nghị cơ quan đăng ký việc ........................................ cho người có tên dưới đây:",
        lines=(
            *PERSON,
            (("Đã đăng ký tại: ", None),),
            (("theo ", 95), (" số: ", 130), (" ngày: ", None)),
            "Nội dung: từ ",
            "thành: ",
            "Lý do: ",
        ),
    )


def social_assistance_declaration(control: Control) -> bytes:
    return declaration(
        control,
        "TỜ KHAI ĐỀ NGHỊ TRỢ GIÚP XÃ HỘI",
        subtitle="(Áp dụng đối với đối tượng hưởng trợ cấp xã hội hằng tháng)",
        to=f"Chủ tịch Ủy ban nhân dân xã {_place(control)}",
        requester=(
            ("I. THÔNG TIN CỦA ĐỐI TƯỢNG",),
            *PERSON[:3],
            "Số định danh cá nhân: ",
            "Nơi thường trú: ",
            "Nơi ở hiện tại: ",
        ),
        lead="Đề nghị được hưởng trợ cấp xã hội hằng tháng với thông tin dưới đây:",
        lines=(
            "Thuộc đối tượng (trẻ em, người cao tuổi, người khuyết tật, người đơn thân nghèo nuôi con...): ",
            "Đang hưởng chế độ (lương hưu, trợ cấp bảo hiểm xã hội, trợ cấp ưu đãi người có công...): ",
            "Tình trạng khuyết tật, dạng và mức độ (nếu có): ",
            ("II. THÔNG TIN VỀ HỘ GIA ĐÌNH",),
            (("Số người trong hộ: ", 80), (" Hộ nghèo/cận nghèo: ", None)),
            ("III. NGƯỜI KHAI THAY (nếu có)",),
            "Họ, chữ đệm, tên: ",
            (("Giấy tờ tùy thân: ", 110), (" Quan hệ với đối tượng: ", None)),
            (("Số tài khoản nhận trợ cấp (nếu có): ", None),),
        ),
        pledge="Tôi xin cam đoan những lời khai trên là đúng sự thật; nếu khai không đúng, tôi xin chịu hoàn toàn "
        "trách nhiệm trước pháp luật.",
        left=("CÔNG CHỨC TIẾP NHẬN", "(Ký, ghi rõ họ tên)"),
        right=("NGƯỜI KHAI", "(Ký, ghi rõ họ tên hoặc điểm chỉ)"),
        origin="Theo mẫu tờ khai ban hành kèm theo Nghị định số 20/2021/NĐ-CP",
    )


# --- registers (.xlsx) ---------------------------------------------------------------------------------


def register(
    control: Control,
    *,
    sheet_title,
    title,
    subtitle,
    columns,
    groups=(),
    rows=15,
    guidance=(),
    unit=ONE_STOP,
    landscape=True,
) -> bytes:
    """A register printed on A4: the issuing body and the national motto, the code block at the top
    right, the title, a two-level heading row (groups merge over their columns), numbered columns,
    ruled empty rows to fill in, guidance under the table; and the control sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    workbook.properties.title = title.capitalize()
    workbook.properties.creator = control.drafted.name
    workbook.properties.language = "vi-VN"
    last = len(columns)
    for index, (_heading, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # The issuing body over the first columns wide enough for "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", the
    # code block over the last three, the motto between them.
    widths = [width for _heading, width in columns]
    left_end = next(k for k in range(1, last + 1) if sum(widths[:k]) >= 42)
    right_start = last - 2
    lines = issuer_lines(control.commune, unit)
    for row, (line, bold) in enumerate(lines, start=1):
        font = xlsx_font(BODY_PT - (0 if bold else 1), bold=bold, underline="single" if row == len(lines) else None)
        xlsx_merged(sheet, row, 1, left_end, line, font)
    xlsx_merged(sheet, 1, left_end + 1, right_start - 1, NATIONAL_NAME, xlsx_font(BODY_PT, bold=True))
    xlsx_merged(sheet, 2, left_end + 1, right_start - 1, MOTTO, xlsx_font(BODY_PT, bold=True, underline="single"))
    for row, value in enumerate(
        (f"Mã hiệu: {control.code}", f"Lần ban hành: {control.issue_label}", f"Ngày ban hành: {control.date_text}"),
        start=1,
    ):
        xlsx_merged(sheet, row, right_start, last, value, xlsx_font(11, italic=row > 1, bold=row == 1), align="right")
    xlsx_merged(sheet, 5, 1, last, title, xlsx_font(16, bold=True))
    xlsx_merged(sheet, 6, 1, last, subtitle, xlsx_font(BODY_PT, italic=True))
    sheet.row_dimensions[5].height = 24

    group_row, head_row, number_row = 8, 9, 10
    grouped = {}
    for label, first, end in groups:
        sheet.merge_cells(start_row=group_row, start_column=first, end_row=group_row, end_column=end)
        sheet.cell(row=group_row, column=first, value=label)
        for col in range(first, end + 1):
            grouped[col] = label
    for index, (heading, _width) in enumerate(columns, start=1):
        if index in grouped:
            sheet.cell(row=head_row, column=index, value=heading)
        else:
            sheet.merge_cells(start_row=group_row, start_column=index, end_row=head_row, end_column=index)
            sheet.cell(row=group_row, column=index, value=heading)
        sheet.cell(row=number_row, column=index, value=f"({index})")
    for row in (group_row, head_row, number_row):
        for index in range(1, last + 1):
            cell = sheet.cell(row=row, column=index)
            cell.font = xlsx_font(
                11 if row == number_row else TABLE_PT, bold=row != number_row, italic=row == number_row
            )
            cell.border = XLSX_BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[group_row].height = 32
    sheet.row_dimensions[head_row].height = 80
    for offset in range(1, rows + 1):
        row = number_row + offset
        for index in range(1, last + 1):
            cell = sheet.cell(row=row, column=index)
            cell.border = XLSX_BOX
            cell.font = xlsx_font()
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.row_dimensions[row].height = 24
    row = number_row + rows + 2
    if guidance:
        xlsx_merged(sheet, row, 1, last, "Hướng dẫn ghi sổ:", xlsx_font(TABLE_PT, bold=True, italic=True), align="left")
        for offset, line in enumerate(guidance, start=1):
            xlsx_merged(sheet, row + offset, 1, last, f"- {line}", xlsx_font(TABLE_PT, italic=True), align="left")
            sheet.row_dimensions[row + offset].height = 18
    a4_print_setup(sheet, number_row, landscape=landscape)
    sheet.print_title_rows = f"{group_row}:{number_row}"
    xlsx_control_sheet(workbook, control)
    return workbook_bytes(workbook)


LEDGER_COLUMNS = (
    # (heading, width in the proportions of Mẫu số 06, the repeated row's placeholders)
    ("TT", 4, "{{so_theo_doi.stt}}"),
    ("Mã hồ sơ", 13, "{{so_theo_doi.ma_ho_so}}"),
    ("Tên thủ tục hành chính", 15, "{{so_theo_doi.ten_thu_tuc}}"),
    ("Số lượng hồ sơ (bộ)", 6, "{{so_theo_doi.so_luong}}"),
    ("Tên cá nhân, tổ chức", 14, "{{so_theo_doi.ten_nguoi_nop}}"),
    ("Địa chỉ, số điện thoại", 14, "{{so_theo_doi.dia_chi}}\n{{so_theo_doi.so_dien_thoai}}"),
    ("Cơ quan chủ trì giải quyết", 10, "{{so_theo_doi.co_quan}}"),
    ("Nhận hồ sơ", 11, "{{so_theo_doi.nhan_ho_so}}"),
    ("Hẹn trả kết quả", 11, "{{so_theo_doi.hen_tra}}"),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 11, "{{so_theo_doi.chuyen_ho_so}}"),
    ("Nhận kết quả từ cơ quan giải quyết", 11, "{{so_theo_doi.nhan_ket_qua}}"),
    ("Trả kết quả cho cá nhân, tổ chức", 11, "{{so_theo_doi.tra_ket_qua}}"),
    ("Ký nhận", 7, "{{so_theo_doi.ky_nhan}}"),
    ("Ghi chú", 12, "{{so_theo_doi.ket_qua}}\n{{so_theo_doi.ghi_chu}}"),
)
LEDGER_TIMES = (8, 12)  # the columns under "Thời gian (giờ, ngày, tháng, năm)", numbered from 1


def dossier_ledger(control: Control) -> bytes:
    """Mẫu số 06 on A4 landscape: the heading rows (repeated on every page), then one row the system
    repeats for each dossier of the period it prints (placeholders, see qms.dossiers.fill)."""

    def body(document):
        agency_header(document, control, unit=ONE_STOP, dated=False)
        form_title(document, "SỔ THEO DÕI HỒ SƠ", f"(Mẫu số 06, {CIRCULAR_01})", before=8)
        paragraph(
            document,
            "Quyển số: ........      Năm: {{nam}}      Từ ngày {{tu_ngay}} đến ngày {{den_ngay}}: {{so_ho_so}} hồ sơ",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=BODY_PT,
            after=6,
        )
        total = text_width_mm(document)
        scale = total / sum(width for _h, width, _p in LEDGER_COLUMNS)
        table = document.add_table(rows=4, cols=len(LEDGER_COLUMNS))
        table.style = document.styles["Table Grid"]
        set_table_widths(table, [width * scale for _h, width, _p in LEDGER_COLUMNS])
        set_cell_margins(table, side_mm=0.8, vertical_mm=0.3)
        group, heads, numbers, row = table.rows
        first, last = LEDGER_TIMES
        for index, (heading, _width, placeholders) in enumerate(LEDGER_COLUMNS):
            if first - 1 <= index <= last - 1:
                cell = heads.cells[index]
            else:
                cell = group.cells[index].merge(heads.cells[index])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=LEDGER_PT, bold=True)
            cell_paragraph(
                numbers.cells[index], f"({index + 1})", align=WD_ALIGN_PARAGRAPH.CENTER, size=LEDGER_PT - 1, italic=True
            )
            for number, line in enumerate(placeholders.split("\n")):
                writer = cell_paragraph if number == 0 else paragraph
                writer(
                    row.cells[index], line, size=LEDGER_PT, align=WD_ALIGN_PARAGRAPH.CENTER if index in (0, 3) else None
                )
        times = group.cells[first - 1].merge(group.cells[last - 1])
        cell_paragraph(
            times, "Thời gian (giờ, ngày, tháng, năm)", align=WD_ALIGN_PARAGRAPH.CENTER, size=LEDGER_PT, bold=True
        )
        for heading_row in (group, heads, numbers):
            repeat_as_header(heading_row)
        keep_row_together(row)
        paragraph(document, "Hướng dẫn ghi sổ:", size=11, bold=True, italic=True, before=8)
        for line in (
            "Cột (2): mã hồ sơ do Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh cấp khi tiếp nhận.",
            "Cột (8) đến (12): giờ, phút và ngày, tháng, năm của từng lần giao, nhận; hồ sơ quá hạn ghi rõ ở "
            "cột (14) và ngày của Phiếu xin lỗi (BM-04-QT-06).",
            "Cột (13): tổ chức, cá nhân ký nhận khi nhận kết quả trực tiếp; hồ sơ trả trực tuyến ghi “Trực tuyến”.",
            "Cột (5), (6): dữ liệu cá nhân, chỉ in cho người xử lý hồ sơ; với người khác ghi “(ẩn)”.",
        ):
            paragraph(document, f"- {line}", size=11, italic=True)

    return form_document(control, body, origin=f"Mẫu số 06, {CIRCULAR_01}", landscape=True)


def certified_copy_register(control: Control) -> bytes:
    columns = (
        ("Số chứng thực", 10),
        ("Ngày, tháng, năm chứng thực", 13),
        ("Họ và tên người yêu cầu chứng thực", 26),
        ("Tên bản chính giấy tờ, văn bản", 32),
        ("Số bản sao đã được chứng thực", 11),
        ("Họ tên, chức danh người ký chứng thực", 26),
        ("Phí chứng thực (đồng)", 12),
        ("Ghi chú", 14),
    )
    return register(
        control,
        sheet_title="Sổ chứng thực bản sao",
        title="SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
        subtitle="Quyển số: ........ /20........ – SCT/BS",
        columns=columns,
        unit="",
        guidance=(
            "Số chứng thực ghi liên tục từ số 01 trong một năm; mỗi lần chứng thực cho một người yêu cầu ghi "
            "một số, dù chứng thực nhiều bản sao.",
            "Phí: 2.000 đồng/trang cho trang thứ nhất và thứ hai, từ trang thứ ba 1.000 đồng/trang, tối đa "
            "200.000 đồng/bản.",
        ),
    )


def signature_register(control: Control) -> bytes:
    columns = (
        ("Số chứng thực", 10),
        ("Ngày, tháng, năm chứng thực", 13),
        ("Họ và tên người yêu cầu chứng thực", 26),
        ("Số giấy tờ tùy thân", 16),
        ("Tên giấy tờ, văn bản được chứng thực chữ ký", 32),
        ("Họ tên, chức danh người ký chứng thực", 26),
        ("Phí chứng thực (đồng)", 12),
        ("Ghi chú", 12),
    )
    return register(
        control,
        sheet_title="Sổ chứng thực chữ ký",
        title="SỔ CHỨNG THỰC CHỮ KÝ",
        subtitle="Quyển số: ........ /20........ – SCT/CK",
        columns=columns,
        unit="",
        guidance=("Người yêu cầu ký trước mặt người thực hiện chứng thực; phí 10.000 đồng/trường hợp.",),
    )


def contract_register(control: Control) -> bytes:
    columns = (
        ("Số chứng thực", 10),
        ("Ngày, tháng, năm chứng thực", 13),
        ("Họ và tên người yêu cầu chứng thực", 24),
        ("Số giấy tờ tùy thân", 15),
        ("Tên hợp đồng, giao dịch", 28),
        ("Tài sản (loại, giấy tờ chứng minh quyền sở hữu, sử dụng)", 26),
        ("Họ tên, chức danh người ký chứng thực", 24),
        ("Phí chứng thực (đồng)", 12),
        ("Ghi chú", 12),
    )
    return register(
        control,
        sheet_title="Sổ chứng thực hợp đồng",
        title="SỔ CHỨNG THỰC HỢP ĐỒNG, GIAO DỊCH",
        subtitle="Quyển số: ........ /20........ – SCT/HĐ,GD",
        columns=columns,
        unit="",
        guidance=(
            "Các bên giao kết ký trước mặt người thực hiện chứng thực; hợp đồng nhiều trang được đóng dấu giáp lai.",
            "Phí: 50.000 đồng/hợp đồng, giao dịch; chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch "
            "30.000 đồng.",
        ),
    )


# Registry: document code -> renderer and file name.
FORM_FILES = {
    "BM-01-QT-06": (receipt, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.docx"),
    "BM-02-QT-06": (supplement_request, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.docx"),
    "BM-03-QT-06": (refusal, "Phiếu từ chối tiếp nhận giải quyết hồ sơ.docx"),
    "BM-04-QT-06": (apology, "Phiếu xin lỗi và hẹn lại ngày trả kết quả.docx"),
    "BM-05-QT-06": (control_sheet, "Phiếu kiểm soát quá trình giải quyết hồ sơ.docx"),
    "BM-06-QT-06": (dossier_ledger, "Sổ theo dõi hồ sơ.docx"),
    "BM-01-QT-07": (birth_declaration, "Tờ khai đăng ký khai sinh.docx"),
    "BM-01-QT-08": (marriage_declaration, "Tờ khai đăng ký kết hôn.docx"),
    "BM-01-QT-09": (certified_copy_register, "Sổ chứng thực bản sao từ bản chính.xlsx"),
    "BM-01-QT-10": (signature_register, "Sổ chứng thực chữ ký.xlsx"),
    "BM-01-QT-11": (death_declaration, "Tờ khai đăng ký khai tử.docx"),
    "BM-01-QT-12": (marital_status_declaration, "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân.docx"),
    "BM-01-QT-13": (extract_copy_declaration, "Tờ khai cấp bản sao trích lục hộ tịch.docx"),
    "BM-01-QT-14": (parentage_declaration, "Tờ khai đăng ký nhận cha, mẹ, con.docx"),
    "BM-01-QT-15": (guardianship_declaration, "Tờ khai đăng ký giám hộ.docx"),
    "BM-01-QT-16": (
        correction_declaration,
        "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc.docx",
    ),
    "BM-01-QT-17": (contract_register, "Sổ chứng thực hợp đồng, giao dịch.xlsx"),
    "BM-01-QT-18": (social_assistance_declaration, "Tờ khai đề nghị trợ giúp xã hội.docx"),
}
