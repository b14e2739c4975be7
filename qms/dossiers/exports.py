"""The ledger of dossiers (sổ theo dõi hồ sơ) and the year's monitoring report as .xlsx, laid out
per Decree 30/2020 with qms.core.exports. The ledger is written row by row (a write-only workbook
spooled to a temporary file): a year's ledger of a busy commune is never held in memory whole.

It is a Vietnamese document whatever the reader's language: coded values are written with their
Vietnamese labels. Text typed by people (names of procedures, holders) is written as text, never
read as a formula (qms.core.exports.xlsx_stream_cell).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile

from qms.core.calendar import format_date, format_datetime, to_local
from qms.core.exports import (
    BODY_PT,
    POINTS_PER_LINE,
    a4_print_setup,
    date_line,
    issuer_lines,
    national_heading_lines,
    place_name,
    vietnamese,
    wrapped_lines,
    xlsx_box,
    xlsx_cell,
    xlsx_font,
    xlsx_merged,
    xlsx_national_header,
    xlsx_stream_cell,
    xlsx_stream_merged_rows,
)
from qms.dossiers.labels import STATUS_LABELS, TIMELINESS_LABELS
from qms.dossiers.models import CLOCK_RUNS, Indicator

LEDGER_TITLE = "SỔ THEO DÕI HỒ SƠ"
SUBTITLE = "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015"
NONE_FOUND = "Không có hồ sơ nào."
OVERDUE = "Quá hạn (chưa giải quyết)"

# (heading, key, width in characters, centred)
LEDGER_COLUMNS = [
    ("STT", "stt", 6, True),
    ("Mã hồ sơ", "code", 22, True),
    ("Thủ tục hành chính", "procedure", 34, False),
    ("Thời điểm tiếp nhận", "received", 17, True),
    ("Hạn trả kết quả", "due", 12, True),
    ("Trạng thái", "status", 18, False),
    ("Bước đang xử lý / người giữ hồ sơ", "step", 28, False),
    ("Tiến độ", "timeliness", 14, True),
    ("Ngày hoàn thành", "completed", 12, True),
]
HEADER_ROW = 10


def ledger_values(row, index, today) -> dict:
    """One line of the ledger from a queries.LedgerRow."""
    if row.timeliness is not None:
        on_time = vietnamese(TIMELINESS_LABELS, row.timeliness)
    elif row.status is CLOCK_RUNS and row.due_date < today:
        on_time = OVERDUE
    else:
        on_time = ""
    step = " – ".join(part for part in (row.step_name, row.holder_name) if part) if row.step_name else ""
    return {
        "stt": index,
        "code": row.code,
        "procedure": f"{row.procedure_name} ({row.procedure_code})",
        "received": format_datetime(row.received_at),
        "due": row.due_date,
        "status": vietnamese(STATUS_LABELS, row.status),
        "step": step,
        "timeliness": on_time,
        "completed": to_local(row.completed_at).date() if row.completed_at else None,
    }


def ledger_xlsx(commune, rows, today: dt.date, criteria: str = ""):
    """The ledger (rows: queries.LedgerRow, any iterable, read once) as a workbook printed on A4
    landscape, in a temporary file (rewound; the caller sends and closes it); `criteria` says in
    words which filters chose the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    last = len(LEDGER_COLUMNS)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sổ theo dõi hồ sơ")
    workbook.properties.title = LEDGER_TITLE.capitalize()
    workbook.properties.language = "vi-VN"
    for index, (_h, _k, chars, _c) in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars
    a4_print_setup(sheet, HEADER_ROW)
    lines = national_heading_lines(issuer_lines(commune.name), date_line(place_name(commune), today), last)
    lines.append((6, 1, last, LEDGER_TITLE, xlsx_font(14, bold=True)))
    lines.append((7, 1, last, SUBTITLE, xlsx_font(BODY_PT, bold=True)))
    if criteria:
        lines.append((8, 1, last, criteria, xlsx_font(italic=True)))
    xlsx_stream_merged_rows(sheet, lines, last_row=HEADER_ROW - 1, heights={6: 22})

    box, font = xlsx_box(), xlsx_font()
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = (
        max(wrapped_lines(h, c) for h, _k, c, _x in LEDGER_COLUMNS) * POINTS_PER_LINE
    )
    sheet.append(
        [
            xlsx_stream_cell(sheet, heading, font=xlsx_font(bold=True), border=box, alignment=centred)
            for heading, _k, _c, _x in LEDGER_COLUMNS
        ]
    )
    row_number = HEADER_ROW
    for index, row in enumerate(rows, start=1):
        row_number += 1
        values = ledger_values(row, index, today)
        cells, needed = [], 1
        for _h, key, chars, is_centred in LEDGER_COLUMNS:
            value = values[key]
            cells.append(
                xlsx_stream_cell(sheet, value, font=font, border=box, alignment=centred if is_centred else left)
            )
            needed = max(
                needed, wrapped_lines(format_date(value) if isinstance(value, dt.date) else value or "", chars)
            )
        sheet.row_dimensions[row_number].height = needed * POINTS_PER_LINE + 4
        sheet.append(cells)
        del sheet.row_dimensions[row_number]  # written: its height is no longer needed in memory
    if row_number == HEADER_ROW:
        xlsx_stream_merged_rows(
            sheet, [(HEADER_ROW + 1, 1, last, NONE_FOUND, xlsx_font(italic=True))], first_row=HEADER_ROW + 1
        )
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


# --- monitoring ----------------------------------------------------------------------------------

MONITORING_TITLE = "BÁO CÁO THEO DÕI KẾT QUẢ GIẢI QUYẾT HỒ SƠ NĂM {year}"
# (heading, Figures attribute or indicator, width, number format)
MONITORING_COLUMNS = [
    ("Tiếp nhận", "received", 10, "0"),
    ("Trực tuyến", "online", 10, "0"),
    ("Tỷ lệ trực tuyến (%)", Indicator.online_share, 11, "0.0"),
    ("Có kết quả", "results", 10, "0"),
    ("Trước hạn", "early", 9, "0"),
    ("Đúng hạn", "on_time", 9, "0"),
    ("Trễ hạn", "late", 9, "0"),
    ("Tỷ lệ đúng hạn (%)", Indicator.on_time_rate, 11, "0.0"),
    ("Thời gian giải quyết bình quân (ngày làm việc)", Indicator.handling_days, 14, "0.0"),
    ("Lượt đánh giá", "ratings", 10, "0"),
    ("Tỷ lệ hài lòng (%)", Indicator.satisfied_share, 11, "0.0"),
]
BELOW = "Dưới chỉ tiêu"


def _figure(figures, key):
    if isinstance(key, Indicator):
        value = figures.value(key)
        return round(value, 1) if value is not None else None
    return getattr(figures, key)


def _monitoring_sheet(workbook, commune, report, today, name, key_heading, rows, criteria):
    """One sheet: the heading, the title, then a row per (label, Figures) with the year's total and
    the targets under them; a figure that misses its target is bold, and the last column says so."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    columns = [(key_heading, None, 30, None), *MONITORING_COLUMNS, ("Ghi chú", None, 16, None)]
    last = len(columns)
    for index, (_h, _k, width, _f) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    xlsx_national_header(sheet, issuer_lines(commune.name), date_line(place_name(commune), today), last)
    xlsx_merged(sheet, 6, 1, last, MONITORING_TITLE.format(year=report.year), xlsx_font(14, bold=True))
    xlsx_merged(sheet, 7, 1, last, SUBTITLE, xlsx_font(BODY_PT, bold=True))
    if criteria:
        xlsx_merged(sheet, 8, 1, last, criteria, xlsx_font(italic=True))
    header = 10
    a4_print_setup(sheet, header)
    box, bold, font = xlsx_box(), xlsx_font(bold=True), xlsx_font()
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header].height = max(wrapped_lines(h, w) for h, _k, w, _f in columns) * POINTS_PER_LINE
    for column, (heading, _k, _w, _f) in enumerate(columns, start=1):
        cell = xlsx_cell(sheet, header, column, heading)
        cell.font, cell.border, cell.alignment = bold, box, centred
    total = ("Cả năm", report.total)
    targets = [report.targets.get(k) if isinstance(k, Indicator) else None for _h, k, _w, _f in MONITORING_COLUMNS]
    row = header
    for label, figures in [*rows, total]:
        row += 1
        missed = [k for _h, k, _w, _f in MONITORING_COLUMNS if isinstance(k, Indicator) and report.misses(k, figures)]
        values = [label, *(_figure(figures, k) for _h, k, _w, _f in MONITORING_COLUMNS), BELOW if missed else ""]
        for column, value in enumerate(values, start=1):
            cell = xlsx_cell(sheet, row, column, value)
            key = columns[column - 1][1]
            cell.font = bold if (key in missed or (label, figures) == total) else font
            cell.border, cell.alignment = box, centred if column > 1 else Alignment(vertical="center", wrap_text=True)
            if columns[column - 1][3]:
                cell.number_format = columns[column - 1][3]
    if any(t is not None for t in targets):
        row += 1
        for column, value in enumerate(["Chỉ tiêu năm", *targets, ""], start=1):
            cell = xlsx_cell(sheet, row, column, value)
            cell.font, cell.border = xlsx_font(italic=True), box
            cell.alignment = centred if column > 1 else Alignment(vertical="center")
            if columns[column - 1][3]:
                cell.number_format = "0.0"
    return sheet


def monitoring_xlsx(commune, report, today: dt.date, criteria: str = "") -> bytes:
    """The year's monitoring as a workbook: per month, per procedure, per field (sheets), each with
    the year's total and targets."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = MONITORING_TITLE.format(year=report.year).capitalize()
    workbook.properties.language = "vi-VN"
    months = [(f"Tháng {f.month:%m/%Y}", f) for f in report.months]
    _monitoring_sheet(workbook, commune, report, today, "Theo tháng", "Tháng", months, criteria)
    _monitoring_sheet(
        workbook, commune, report, today, "Theo thủ tục", "Thủ tục hành chính", report.procedures, criteria
    )
    fields = [(field or "Chưa xếp lĩnh vực", f) for field, f in report.fields]
    _monitoring_sheet(workbook, commune, report, today, "Theo lĩnh vực", "Lĩnh vực", fields, criteria)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
