"""The master lists of internal and external documents (danh mục tài liệu nội bộ / có nguồn gốc bên
ngoài) as .docx and .xlsx, laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP).

Auditors ask for these lists on paper, so the files are Vietnamese documents whatever the language of
the person who downloads them: their text is the document itself, not the interface, and is not
translated. The page layout helpers here (A4, margins, Times New Roman, the national motto, the date
line) are the one place that lays out such a page; the demo document set uses them too.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.db import db
from qms.documents.models import (Document, DocumentKind, DocumentStatus, DocumentVersion, LegalStatus,
                                  VersionStatus)

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 12
# Decree 30/2020, appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

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

_KIND_ORDER = {DocumentKind.policy: 0, DocumentKind.internal: 1, DocumentKind.procedure: 2,
               DocumentKind.instruction: 3, DocumentKind.form: 4, DocumentKind.external: 5}


# --- rows ----------------------------------------------------------------------------------------------

def natural_key(code: str):
    """Sort "QT-2" before "QT-10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", code)]


def master_list_rows(commune_id: int, external: bool) -> list[dict]:
    """The rows of a master list, numbered (stt) in the order they are printed.

    Internal: every active document of the commune that has an effective version, with that version;
    each procedure is followed by its own instructions and forms. External: every active document of
    external origin with its legal status and the codes of the active internal documents based on it.
    """
    return _external_rows(commune_id) if external else _internal_rows(commune_id)


def _internal_rows(commune_id):
    pairs = db.session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Document.commune_id == commune_id, Document.status == DocumentStatus.active,
               Document.kind != DocumentKind.external, DocumentVersion.status == VersionStatus.effective)
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
        rows.append({
            "stt": number,
            "document_id": document.id,
            "version_id": version.id,
            "code": document.code,
            "title": document.title,
            "kind": document.kind.value,
            "issue_no": version.issue_no,
            "issue": version.issue_label,
            "effective_date": version.effective_date,
            "next_review_on": version.next_review_on,
            "unit": document.owning_unit.name if document.owning_unit else "",
            "parent_code": document.parent.code if document.parent else "",
            "note": f"Thuộc {document.parent.code}" if document.parent else "",
        })
    return rows


def _external_rows(commune_id):
    documents = db.session.scalars(
        select(Document)
        .where(Document.commune_id == commune_id, Document.status == DocumentStatus.active,
               Document.kind == DocumentKind.external)
        .options(selectinload(Document.based_on_this))
    ).all()
    documents.sort(key=lambda d: (d.issued_on is None, d.issued_on or dt.date.min, natural_key(d.number or d.code)))
    rows = []
    for number, document in enumerate(documents, start=1):
        based_on = sorted((d.code for d in document.based_on_this if d.status is DocumentStatus.active),
                          key=natural_key)
        rows.append({
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
        })
    return rows


# --- Decree 30 page elements ---------------------------------------------------------------------------

def place_name(commune) -> str:
    """The place in the date line: the commune setting "place_name", else the commune's name without
    "UBND xã" ("UBND xã Hòa Bình" -> "Hòa Bình")."""
    return commune.setting("place_name") or place_from_name(commune.name)


def place_from_name(name: str) -> str:
    bare = re.sub(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", name.strip(), flags=re.IGNORECASE)
    bare = re.sub(r"^(xã|phường|thị trấn|đặc khu)\s+", "", bare, flags=re.IGNORECASE)
    return bare or name.strip()


def issuer_lines(name: str, unit: str = "") -> list[tuple[str, bool]]:
    """The issuing body, top left, in capitals, as (line, bold): "UBND xã Hòa Bình" -> ỦY BAN NHÂN DÂN /
    XÃ HÒA BÌNH, both bold. With a unit, the commune is the parent body (regular) over the unit (bold)."""
    name = name.strip()
    if unit:
        return [(name.upper(), False), (unit.upper(), True)]
    match = re.match(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(.+)$", name, flags=re.IGNORECASE)
    if match:
        return [("ỦY BAN NHÂN DÂN", True), (match.group(2).upper(), True)]
    return [(name.upper(), True)]


def date_line(place: str, day: dt.date) -> str:
    """"Hòa Bình, ngày 05 tháng 02 năm 2026": Decree 30 writes days below 10 and the months January
    and February with a leading zero, other months without."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def format_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def new_document(*, landscape=False) -> docx.Document:
    """An empty A4 Word document with Decree 30 margins, Times New Roman 13 pt, Vietnamese language."""
    document = docx.Document()
    section = document.sections[0]
    width, height = Mm(A4_MM[0]), Mm(A4_MM[1])
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    for style_name in ("Normal", "Table Grid"):
        style = document.styles[style_name]
        set_font(style.font, size=BODY_PT if style_name == "Normal" else None)
    normal = document.styles["Normal"]
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    lang = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(lang)
    lang.set(qn("w:val"), "vi-VN")
    return document


def set_font(font, *, size=None, bold=None, italic=None):
    """Times New Roman for every script slot, so Word does not fall back to another font."""
    font.name = FONT
    r_fonts = font._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attr), FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def add_run(paragraph, text, *, size=None, bold=None, italic=None, underline=None):
    run = paragraph.add_run(text)
    set_font(run.font, size=size, bold=bold, italic=italic)
    if underline is not None:
        run.font.underline = underline
    return run


def paragraph(container, text="", *, align=WD_ALIGN_PARAGRAPH.LEFT, size=None, bold=None, italic=None,
              before=0, after=0, indent_first=None):
    """A paragraph with one run; `container` is the document or a table cell."""
    para = container.add_paragraph()
    para.alignment = align
    para.paragraph_format.space_before = Pt(before)
    para.paragraph_format.space_after = Pt(after)
    if indent_first is not None:
        para.paragraph_format.first_line_indent = Mm(indent_first)
    if text:
        add_run(para, text, size=size, bold=bold, italic=italic)
    return para


def cell_paragraph(cell, text="", **kw):
    """Write into a table cell, reusing its first (empty) paragraph."""
    para = cell.paragraphs[0] if len(cell.paragraphs) == 1 and not cell.paragraphs[0].text else None
    if para is None:
        return paragraph(cell, text, **kw)
    para.alignment = kw.get("align", WD_ALIGN_PARAGRAPH.LEFT)
    para.paragraph_format.space_before = Pt(kw.get("before", 0))
    para.paragraph_format.space_after = Pt(kw.get("after", 0))
    if text:
        add_run(para, text, size=kw.get("size"), bold=kw.get("bold"), italic=kw.get("italic"))
    return para


def rule(container, length_mm: float, available_mm: float, *, before=0, after=0):
    """A short horizontal line, centred: the rule Decree 30 draws under the issuing body, the motto and
    the subject line. Drawn as the top border of an empty one-point paragraph indented to that length."""
    para = container.add_paragraph()
    fmt = para.paragraph_format
    side = max((available_mm - length_mm) / 2, 0)
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = Pt(1)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    para._p.get_or_add_pPr().append(borders)
    add_run(para, "", size=1)
    return para


def set_table_widths(table, widths_mm):
    """Fixed column widths, written both to the grid (LibreOffice) and to every cell (Word)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def set_cell_margins(table, side_mm=1.0, vertical_mm=0.0):
    """Narrow cell margins, so that a date fits on one line in a narrow column."""
    margins = OxmlElement("w:tblCellMar")
    for edge, mm in (("top", vertical_mm), ("left", side_mm), ("bottom", vertical_mm), ("right", side_mm)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(mm * 1440 / 25.4)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def remove_borders(table):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def repeat_as_header(row):
    """Word and LibreOffice repeat this row at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        tr_pr.append(element)


def keep_row_together(row):
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def text_width_mm(document) -> float:
    section = document.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


def national_header(document, issuer: list[tuple[str, bool]], date_text: str, *, left_mm=62):
    """The Decree 30 header block: the issuing body top left (see issuer_lines) over a short rule,
    the national name and motto top right over their rule, and the place and date line under them."""
    total = text_width_mm(document)
    right_mm = total - left_mm
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    remove_borders(table)
    set_table_widths(table, [left_mm, right_mm])
    left, right = table.rows[0].cells
    for line, bold in issuer:
        cell_paragraph(left, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT - (0 if bold else 1), bold=bold)
    rule(left, min(24, left_mm - 10), left_mm - 4, before=1)
    cell_paragraph(right, NATIONAL_NAME, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT - 1, bold=True)
    paragraph(right, MOTTO, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True)
    rule(right, 62, right_mm - 4, before=1)
    if date_text:
        paragraph(right, date_text, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True, before=6)
    return table


def add_field(paragraph_, instruction: str, placeholder: str = "1", *, size=None, bold=None):
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice compute when they lay the page out."""
    run = add_run(paragraph_, "", size=size, bold=bold)
    for tag, attrs in (("w:fldChar", {"w:fldCharType": "begin"}), ("w:instrText", {}),
                       ("w:fldChar", {"w:fldCharType": "separate"}), ("w:t", {}),
                       ("w:fldChar", {"w:fldCharType": "end"})):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if tag == "w:instrText":
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        elif tag == "w:t":
            element.text = placeholder
        run._r.append(element)
    return run


def page_numbers_from_second_page(document):
    """Decree 30: page numbers centred in the top margin, not shown on the first page."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(para, "PAGE", "2", size=BODY_PT)


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, bold=True,
                       before=3, after=3)
    if not rows:
        row = table.add_row()
        keep_row_together(row)
        merged = row.cells[0].merge(row.cells[-1])
        cell_paragraph(merged, "Chưa có tài liệu nào trong danh mục.", align=WD_ALIGN_PARAGRAPH.CENTER,
                       size=TABLE_PT, italic=True, before=3, after=3)
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
    paragraph(document, "", before=6)
    total = text_width_mm(document)
    table = document.add_table(rows=1, cols=2)
    remove_borders(table)
    set_table_widths(table, [total / 2, total / 2])
    for cell, heading in zip(table.rows[0].cells, ("NGƯỜI LẬP", "LÃNH ĐẠO PHÊ DUYỆT")):
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=6)
        paragraph(cell, "(Ký, ghi rõ họ tên)", align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True,
                  after=60)
    keep_row_together(table.rows[0])


# --- master lists: .xlsx -------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
XLSX_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_POINTS_PER_LINE = 15.75
_INCH_MM = 25.4


def xlsx_font(size=TABLE_PT, bold=False, italic=False, underline=None):
    return Font(name=FONT, size=size, bold=bold, italic=italic, underline=underline)


def xlsx_merged(sheet, row, first_col, last_col, value, font, align="center"):
    sheet.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
    cell = sheet.cell(row=row, column=first_col, value=value)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    return cell


def wrapped_lines(text, chars):
    """Lines a wrapped cell takes, to size its row: Excel and LibreOffice do not grow rows that a
    program wrote, so a row with a long title would otherwise print cut off."""
    # Times New Roman 12 pt fits about 1.1 characters per unit of Excel column width.
    per_line = max(int(chars * 1.1) - 1, 1)
    lines = 0
    for part in str(text).split("\n"):
        count, length = 1, 0
        for word in part.split():
            if length and length + 1 + len(word) > per_line:
                count, length = count + 1, 0
            length += (1 if length else 0) + len(word)
            while length > per_line:
                count, length = count + 1, length - per_line
        lines += count
    return max(lines, 1)


def master_list_xlsx(commune, rows, external: bool, today: dt.date) -> bytes:
    """The master list as an Excel workbook printed on A4 landscape, fitted to the page width, its
    heading row repeated on every printed page and frozen on screen."""
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

    split = 3 if last <= 7 else 4  # the issuing body over the first columns, the motto over the rest
    lines = issuer_lines(commune.name)
    for row, (line, bold) in enumerate(lines, start=1):
        last_line = row == len(lines)
        xlsx_merged(sheet, row, 1, split, line, xlsx_font(BODY_PT - (0 if bold else 1), bold=bold,
                                                   underline="single" if last_line else None))
    xlsx_merged(sheet, 1, split + 1, last, NATIONAL_NAME, xlsx_font(BODY_PT - 1, bold=True))
    xlsx_merged(sheet, 2, split + 1, last, MOTTO, xlsx_font(BODY_PT, bold=True, underline="single"))
    xlsx_merged(sheet, 4, split + 1, last, date_line(place_name(commune), today), xlsx_font(BODY_PT, italic=True))
    xlsx_merged(sheet, 6, 1, last, title, xlsx_font(14, bold=True))
    xlsx_merged(sheet, 7, 1, last, SUBTITLE, xlsx_font(BODY_PT, bold=True))
    sheet.row_dimensions[6].height = 22

    header_row = 9
    for index, (heading, _k, _mm, chars) in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=heading)
        cell.font = xlsx_font(bold=True)
        cell.border = XLSX_BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = max(wrapped_lines(h, c) for h, _k, _m, c in columns) * _POINTS_PER_LINE
    if not rows:
        xlsx_merged(sheet, header_row + 1, 1, last, "Chưa có tài liệu nào trong danh mục.", xlsx_font(italic=True))
        for index in range(1, last + 1):
            sheet.cell(row=header_row + 1, column=index).border = XLSX_BOX
    for offset, data in enumerate(rows, start=1):
        row_number = header_row + offset
        needed = 1
        for index, (_h, key, _mm, chars) in enumerate(columns, start=1):
            value = data.get(key)
            cell = sheet.cell(row=row_number, column=index, value=value if value is not None else "")
            cell.font = xlsx_font()
            cell.border = XLSX_BOX
            cell.alignment = Alignment(horizontal="center" if key in CENTERED_KEYS else "left",
                                       vertical="center", wrap_text=True)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            needed = max(needed, wrapped_lines(_cell_text(data, key), chars))
        sheet.row_dimensions[row_number].height = needed * _POINTS_PER_LINE + 4

    a4_print_setup(sheet, header_row)
    return workbook_bytes(workbook)


def a4_print_setup(sheet, header_row: int, *, landscape=True):
    """Print on A4 fitted to the page width with Decree 30 margins, the heading row repeated on every
    page and frozen on screen, and "Trang x/y" in the footer."""
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=MARGINS_MM["left"] / _INCH_MM, right=MARGINS_MM["right"] / _INCH_MM,
                                     top=MARGINS_MM["top"] / _INCH_MM, bottom=MARGINS_MM["bottom"] / _INCH_MM,
                                     header=10 / _INCH_MM, footer=10 / _INCH_MM)
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = FONT
    sheet.oddFooter.center.size = 11


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
