"""The master lists of internal and external documents (danh mục tài liệu nội bộ / có nguồn gốc bên
ngoài) as .docx and .xlsx, laid out with qms.core.exports as a Vietnamese administrative document
(Decree 30/2020/NĐ-CP). Auditors ask for these lists on paper, so they are written in Vietnamese
whatever the language of the person who downloads them.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.core.calendar import format_date
from qms.core.exports import (
    BODY_PT,
    POINTS_PER_LINE,
    TABLE_PT,
    a4_print_setup,
    cell_paragraph,
    date_line,
    issuer_lines,
    keep_row_together,
    national_header,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    place_name,
    remove_borders,
    repeat_as_header,
    rule,
    set_cell_margins,
    set_table_widths,
    text_width_mm,
    to_bytes,
    workbook_bytes,
    wrapped_lines,
    xlsx_box,
    xlsx_cell,
    xlsx_font,
    xlsx_merged,
    xlsx_national_header,
)
from qms.db import db
from qms.documents import permissions as perm
from qms.documents.models import Document, DocumentKind, DocumentStatus, DocumentVersion, LegalStatus, VersionStatus

LEGAL_STATUS_LABELS = {
    LegalStatus.in_force: "Còn hiệu lực",
    LegalStatus.amended: "Đã sửa đổi, bổ sung",
    LegalStatus.replaced: "Đã bị thay thế",
    LegalStatus.repealed: "Hết hiệu lực",
}

INTERNAL_TITLE = "DANH MỤC TÀI LIỆU NỘI BỘ"
EXTERNAL_TITLE = "DANH MỤC TÀI LIỆU CÓ NGUỒN GỐC BÊN NGOÀI"
SUBTITLE = "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015"

# (heading, row key, width in mm for the A4 portrait .docx, width in characters for the .xlsx)
INTERNAL_COLUMNS = [
    ("STT", "stt", 11, 6),
    ("Mã hiệu", "code", 27, 16),
    ("Tên tài liệu", "title", 44, 48),
    ("Lần ban hành", "issue", 15, 10),
    ("Ngày hiệu lực", "effective_date", 22, 13),
    ("Đơn vị quản lý", "unit", 28, 26),
    ("Ghi chú", "note", 18, 16),
]
EXTERNAL_COLUMNS = [
    ("STT", "stt", 11, 6),
    ("Số/ký hiệu", "number", 25, 18),
    ("Tên văn bản", "title", 34, 44),
    ("Cơ quan ban hành", "issuer", 21, 22),
    ("Ngày ban hành", "issued_on", 22, 13),
    ("Ngày hiệu lực", "effective_on", 22, 13),
    ("Tình trạng", "legal_status_label", 15, 16),
    ("Tài liệu nội bộ áp dụng", "based_on_text", 15, 18),
]
CENTERED_KEYS = {"stt", "issue", "effective_date", "issued_on", "effective_on", "legal_status_label"}

_KIND_ORDER = {
    DocumentKind.policy: 0,
    DocumentKind.internal: 1,
    DocumentKind.procedure: 2,
    DocumentKind.instruction: 3,
    DocumentKind.form: 4,
    DocumentKind.external: 5,
}


# --- rows ----------------------------------------------------------------------------------------------


def natural_key(code: str):
    """Sort "QT-2" before "QT-10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", code)]


def master_list_rows(user, external: bool) -> list[dict]:
    """The rows of the user's commune's master list, numbered (stt) in the order they are printed.

    Internal: every active document of the commune that has an effective version, with that version;
    each procedure is followed by its own instructions and forms. External: every active document of
    external origin with its legal status and the codes of the active internal documents based on it
    that the user may see (a document still in draft is not named to staff).
    """
    return _external_rows(user) if external else _internal_rows(user.commune_id)


def _internal_rows(commune_id):
    pairs = db.session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            Document.commune_id == commune_id,
            Document.status == DocumentStatus.active,
            Document.kind != DocumentKind.external,
            DocumentVersion.status == VersionStatus.effective,
        )
        .options(selectinload(Document.owning_unit), selectinload(Document.parent))
    ).all()
    by_id = {document.id: (document, version) for document, version in pairs}
    children = {}
    for document, _version in pairs:
        if document.parent_id in by_id:
            children.setdefault(document.parent_id, []).append(document.id)

    def order(ids):
        return sorted(ids, key=lambda i: (_KIND_ORDER[by_id[i][0].kind], natural_key(by_id[i][0].code)))

    ordered = []
    for top in order([i for i, (d, _v) in by_id.items() if d.parent_id not in by_id]):
        ordered.append(top)
        ordered.extend(order(children.get(top, [])))
    rows = []
    for number, document_id in enumerate(ordered, start=1):
        document, version = by_id[document_id]
        rows.append(
            {
                "stt": number,
                "document_id": document.id,
                "version_id": version.id,
                "code": document.code,
                "title": document.title,
                "kind": document.kind.value,
                "issue_no": version.issue_no,
                "issue": version.issue_label,
                "imported": version.imported_id is not None,  # issued before qms (marked on the page)
                "effective_date": version.effective_date,
                "next_review_on": version.next_review_on,
                "unit": document.owning_unit.name if document.owning_unit else "",
                "parent_code": document.parent.code if document.parent else "",
                "note": f"Thuộc {document.parent.code}" if document.parent else "",
            }
        )
    return rows


def _external_rows(user):
    documents = db.session.scalars(
        select(Document)
        .where(
            Document.commune_id == user.commune_id,
            Document.status == DocumentStatus.active,
            Document.kind == DocumentKind.external,
        )
        .options(selectinload(Document.based_on_this).selectinload(Document.versions))
    ).all()
    documents.sort(key=lambda d: (d.issued_on is None, d.issued_on or dt.date.min, natural_key(d.number or d.code)))
    rows = []
    for number, document in enumerate(documents, start=1):
        based_on = sorted(
            (
                d.code
                for d in document.based_on_this
                if d.status is DocumentStatus.active and perm.can_view_document(user, d)
            ),
            key=natural_key,
        )
        rows.append(
            {
                "stt": number,
                "document_id": document.id,
                "code": document.code,
                "number": document.number or document.code,
                "title": document.title,
                "issuer": document.issuer,
                "issued_on": document.issued_on,
                "effective_on": document.effective_on,
                "legal_status": document.legal_status.value if document.legal_status else None,
                "legal_status_label": LEGAL_STATUS_LABELS.get(document.legal_status, ""),
                "based_on": based_on,
                "based_on_text": ", ".join(based_on),
            }
        )
    return rows


# --- master lists: .docx -------------------------------------------------------------------------------


def _columns(external):
    return EXTERNAL_COLUMNS if external else INTERNAL_COLUMNS


def _cell_text(row, key):
    value = row.get(key)
    if isinstance(value, dt.date):
        return format_date(value)
    return "" if value is None else str(value)


def master_list_docx(commune, rows, external: bool, today: dt.date) -> bytes:
    """The master list as an A4 portrait Word document (see master_list_rows for the rows)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = new_document()
    title = EXTERNAL_TITLE if external else INTERNAL_TITLE
    document.core_properties.title = title.capitalize()
    document.core_properties.language = "vi-VN"
    national_header(document, issuer_lines(commune.name), date_line(place_name(commune), today))
    paragraph(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True, before=18)
    paragraph(document, SUBTITLE, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=2)
    rule(document, 40, text_width_mm(document), before=4, after=12)

    columns = _columns(external)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_table_widths(table, [mm for _h, _k, mm, _c in columns])  # rows added later take the grid's widths
    set_cell_margins(table)
    header = table.rows[0]
    repeat_as_header(header)
    for cell, (heading, _key, _mm, _chars) in zip(header.cells, columns):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, bold=True, before=3, after=3)
    if not rows:
        row = table.add_row()
        keep_row_together(row)
        merged = row.cells[0].merge(row.cells[-1])
        cell_paragraph(
            merged,
            "Chưa có tài liệu nào trong danh mục.",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=TABLE_PT,
            italic=True,
            before=3,
            after=3,
        )
    for data in rows:
        row = table.add_row()
        keep_row_together(row)
        for cell, (_heading, key, _mm, _chars) in zip(row.cells, columns):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.CENTER if key in CENTERED_KEYS else WD_ALIGN_PARAGRAPH.LEFT
            cell_paragraph(cell, _cell_text(data, key), align=align, size=TABLE_PT, before=2, after=2)

    _signature_block(document)
    page_numbers_from_second_page(document)
    return to_bytes(document)


def _signature_block(document):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph(document, "", before=6)
    total = text_width_mm(document)
    table = document.add_table(rows=1, cols=2)
    remove_borders(table)
    set_table_widths(table, [total / 2, total / 2])
    for cell, heading in zip(table.rows[0].cells, ("NGƯỜI LẬP", "LÃNH ĐẠO PHÊ DUYỆT")):
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=6)
        paragraph(cell, "(Ký, ghi rõ họ tên)", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True, after=60)
    keep_row_together(table.rows[0])


# --- master lists: .xlsx -------------------------------------------------------------------------------


def master_list_xlsx(commune, rows, external: bool, today: dt.date) -> bytes:
    """The master list as an Excel workbook printed on A4 landscape, fitted to the page width, its
    heading row repeated on every printed page and frozen on screen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    columns = _columns(external)
    last = len(columns)
    title = EXTERNAL_TITLE if external else INTERNAL_TITLE
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục ngoài" if external else "Danh mục nội bộ"
    workbook.properties.title = title.capitalize()
    workbook.properties.language = "vi-VN"
    for index, (_h, _k, _mm, chars) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars

    xlsx_national_header(sheet, issuer_lines(commune.name), date_line(place_name(commune), today), last)
    xlsx_merged(sheet, 6, 1, last, title, xlsx_font(14, bold=True))
    xlsx_merged(sheet, 7, 1, last, SUBTITLE, xlsx_font(BODY_PT, bold=True))
    sheet.row_dimensions[6].height = 22

    header_row = 9
    for index, (heading, _k, _mm, _chars) in enumerate(columns, start=1):
        cell = xlsx_cell(sheet, header_row, index, heading)
        cell.font = xlsx_font(bold=True)
        cell.border = xlsx_box()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = max(wrapped_lines(h, c) for h, _k, _m, c in columns) * POINTS_PER_LINE
    if not rows:
        xlsx_merged(sheet, header_row + 1, 1, last, "Chưa có tài liệu nào trong danh mục.", xlsx_font(italic=True))
        for index in range(1, last + 1):
            sheet.cell(row=header_row + 1, column=index).border = xlsx_box()
    for offset, data in enumerate(rows, start=1):
        row_number = header_row + offset
        needed = 1
        for index, (_h, key, _mm, chars) in enumerate(columns, start=1):
            cell = xlsx_cell(sheet, row_number, index, data.get(key))
            cell.font = xlsx_font()
            cell.border = xlsx_box()
            cell.alignment = Alignment(
                horizontal="center" if key in CENTERED_KEYS else "left", vertical="center", wrap_text=True
            )
            needed = max(needed, wrapped_lines(_cell_text(data, key), chars))
        sheet.row_dimensions[row_number].height = needed * POINTS_PER_LINE + 4

    a4_print_setup(sheet, header_row)
    return workbook_bytes(workbook)
