"""Word and Excel output laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP): A4,
Times New Roman 13 pt, the margins, the issuing body and the national name and motto at the top, the
place and date line, page numbers from the second page; and spreadsheet cells that show user text as
text. The one place that lays out such a page: the master lists use it now, and the records of
nonconformities, audits and the one-stop shop later.

These files are Vietnamese documents whatever the language of the person who downloads them: their
text is the document itself, not the interface, and is not translated.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from typing import TYPE_CHECKING

from flask_babel import force_locale

# python-docx and openpyxl are imported by the functions that use them, when a file is first made:
# they are large, and most requests never make one (no worker carries them from the start).
if TYPE_CHECKING:
    import docx

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 12
# Decree 30/2020, appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


# --- Word -----------------------------------------------------------------------------------------------


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
    """ "Hòa Bình, ngày 05 tháng 02 năm 2026": Decree 30 writes days below 10 and the months January
    and February with a leading zero, other months without."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def new_document(*, landscape=False) -> docx.Document:
    """An empty A4 Word document with Decree 30 margins, Times New Roman 13 pt, Vietnamese language."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

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
    from docx.oxml.ns import qn
    from docx.shared import Pt

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


def paragraph(
    container,
    text="",
    *,
    align=None,
    size=None,
    bold=None,
    italic=None,
    before=0,
    after=0,
    indent_first=None,
):
    """A paragraph with one run (aligned left unless `align` says otherwise); `container` is the
    document or a table cell."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    para = container.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.LEFT if align is None else align
    para.paragraph_format.space_before = Pt(before)
    para.paragraph_format.space_after = Pt(after)
    if indent_first is not None:
        para.paragraph_format.first_line_indent = Mm(indent_first)
    if text:
        add_run(para, text, size=size, bold=bold, italic=italic)
    return para


def cell_paragraph(cell, text="", **kw):
    """Write into a table cell, reusing its first (empty) paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

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
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

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
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

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
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for edge, mm in (("top", vertical_mm), ("left", side_mm), ("bottom", vertical_mm), ("right", side_mm)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(mm * 1440 / 25.4)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def remove_borders(table):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def repeat_as_header(row):
    """Word and LibreOffice repeat this row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        tr_pr.append(element)


def keep_row_together(row):
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def text_width_mm(document) -> float:
    from docx.shared import Mm

    section = document.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


def national_header(document, issuer: list[tuple[str, bool]], date_text: str, *, left_mm=62):
    """The Decree 30 header block: the issuing body top left (see issuer_lines) over a short rule,
    the national name and motto top right over their rule, and the place and date line under them."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

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
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = add_run(paragraph_, "", size=size, bold=bold)
    for tag, attrs in (
        ("w:fldChar", {"w:fldCharType": "begin"}),
        ("w:instrText", {}),
        ("w:fldChar", {"w:fldCharType": "separate"}),
        ("w:t", {}),
        ("w:fldChar", {"w:fldCharType": "end"}),
    ):
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
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = document.sections[0]
    section.different_first_page_header_footer = True
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(para, "PAGE", "2", size=BODY_PT)


def section_heading(document, text):
    """A numbered section's heading in the body of a record ("I. THÔNG TIN CHUNG"), kept on the page
    of what follows it."""
    para = paragraph(document, text, size=BODY_PT, bold=True, before=12, after=4)
    para.paragraph_format.keep_with_next = True
    return para


def subheading(document, text):
    para = paragraph(document, text, size=BODY_PT, bold=True, italic=True, before=6, after=3)
    para.paragraph_format.keep_with_next = True
    return para


def multiline_cell(cell, value):
    """A cell holding text someone typed, a paragraph for each of its lines."""
    lines = str(value or "").split("\n") or [""]
    cell_paragraph(cell, lines[0], size=TABLE_PT, before=2, after=0 if len(lines) > 1 else 2)
    for index, line in enumerate(lines[1:], start=1):
        paragraph(cell, line, size=TABLE_PT, after=2 if index == len(lines) - 1 else 0)


def field_table(document, rows, *, label_mm=52):
    """A two-column table of a record's fields: rows of (what, in bold; its value)."""
    width = text_width_mm(document)
    table = document.add_table(rows=0, cols=2)
    table.style = document.styles["Table Grid"]
    set_table_widths(table, [label_mm, width - label_mm])
    set_cell_margins(table, side_mm=1.5)
    for label, value in rows:
        row = table.add_row()
        keep_row_together(row)
        cell_paragraph(row.cells[0], label, size=TABLE_PT, bold=True, before=2, after=2)
        multiline_cell(row.cells[1], value)
    set_table_widths(table, [label_mm, width - label_mm])
    return table


def grid_table(document, columns, rows, empty):
    """A table with a heading row repeated on each page; columns: [(heading, key, width mm, centred)],
    rows: dicts by key; `empty` (italic, across the table) when there are no rows."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    set_cell_margins(table)
    header = table.rows[0]
    repeat_as_header(header)
    for cell, (heading, _key, _mm, _centred) in zip(header.cells, columns):
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, bold=True, before=2, after=2)
    if not rows:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        cell_paragraph(merged, empty, align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, italic=True, before=2, after=2)
    for data in rows:
        row = table.add_row()
        keep_row_together(row)
        for cell, (_heading, key, _mm, centred) in zip(row.cells, columns):
            align = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            cell_paragraph(cell, str(data.get(key, "")), align=align, size=TABLE_PT, before=2, after=2)
    set_table_widths(table, [mm for _h, _k, mm, _c in columns])
    return table


def vietnamese(labels, key) -> str:
    """The Vietnamese label of a coded value, whatever the reader's language: these documents are
    Vietnamese documents."""
    if key is None:
        return ""
    with force_locale("vi"):
        return str(labels[key])


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Excel ----------------------------------------------------------------------------------------------

# A cell Excel or LibreOffice would take for a formula (OWASP "CSV injection"): text someone typed
# (a title, a name) must never run on the computer of the person who opens the file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cell(sheet, row, column, value):
    """Write `value` into a cell: dates as dates (dd/mm/yyyy), numbers as numbers, and text always
    as text, marked so (quotePrefix) even when it starts like a formula."""
    return _safe_value(sheet.cell(row=row, column=column), value)


def xlsx_stream_cell(sheet, value, *, font=None, border=None, alignment=None):
    """A cell of a sheet written row by row (Workbook(write_only=True): a long list in constant
    memory), holding `value` as xlsx_cell writes it; append it in a row with sheet.append()."""
    from openpyxl.cell import WriteOnlyCell

    cell = _safe_value(WriteOnlyCell(sheet), value)
    if font is not None:
        cell.font = font
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _safe_value(cell, value):
    if value is None:
        value = ""
    cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


@functools.cache
def xlsx_box():
    """A thin black border on every side of a cell (made on first use: openpyxl loads then)."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def __getattr__(name):
    # XLSX_BOX, as the demo documents import it, without importing openpyxl with this module
    if name == "XLSX_BOX":
        return xlsx_box()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


POINTS_PER_LINE = 15.75
_INCH_MM = 25.4


def xlsx_font(size=TABLE_PT, bold=False, italic=False, underline=None):
    from openpyxl.styles import Font

    return Font(name=FONT, size=size, bold=bold, italic=italic, underline=underline)


def xlsx_merged(sheet, row, first_col, last_col, value, font, align="center"):
    from openpyxl.styles import Alignment

    sheet.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
    cell = xlsx_cell(sheet, row, first_col, value)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    return cell


def national_heading_lines(issuer, date_text, last_column):
    """The Decree 30 heading of a sheet as (row, first column, last column, text, font), rows 1 to
    4: the issuing body (issuer_lines) over the first columns, the national name and motto over the
    rest, the place and date line under them."""
    split = 3 if last_column <= 7 else 4
    lines = [
        (
            row,
            1,
            split,
            line,
            xlsx_font(BODY_PT - (0 if bold else 1), bold=bold, underline="single" if row == len(issuer) else None),
        )
        for row, (line, bold) in enumerate(issuer, start=1)
    ]
    lines.append((1, split + 1, last_column, NATIONAL_NAME, xlsx_font(BODY_PT - 1, bold=True)))
    lines.append((2, split + 1, last_column, MOTTO, xlsx_font(BODY_PT, bold=True, underline="single")))
    lines.append((4, split + 1, last_column, date_text, xlsx_font(BODY_PT, italic=True)))
    return lines


def xlsx_national_header(sheet, issuer, date_text, last_column):
    """The Decree 30 heading of a sheet, in rows 1 to 4 (national_heading_lines)."""
    for row, first, last, text, font in national_heading_lines(issuer, date_text, last_column):
        xlsx_merged(sheet, row, first, last, text, font)


def xlsx_stream_merged_rows(sheet, lines, *, first_row=1, last_row=None, heights=None):
    """Rows first_row..last_row of a sheet written row by row (see xlsx_stream_cell), each line of
    `lines` (row, first column, last column, text, font) a merged, centred, wrapped cell; rows with
    no line are left empty. `heights`: {row: points}."""
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.cell_range import CellRange

    last_row = last_row or max((line[0] for line in lines), default=first_row)
    for row in range(first_row, last_row + 1):
        on_row = sorted((line for line in lines if line[0] == row), key=lambda line: line[1])
        cells, column = [], 1
        for _row, first, last, text, font in on_row:
            cells.extend([None] * (first - column))
            cells.append(
                xlsx_stream_cell(
                    sheet, text, font=font, alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)
                )
            )
            column = first + 1
            if last > first:
                cells.extend([None] * (last - first))
                column = last + 1
                sheet.merged_cells.add(CellRange(min_col=first, min_row=row, max_col=last, max_row=row))
        if heights and row in heights:
            sheet.row_dimensions[row].height = heights[row]
        sheet.append(cells)


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


def a4_print_setup(sheet, header_row: int, *, landscape=True):
    """Print on A4 fitted to the page width with Decree 30 margins, the heading row repeated on every
    page and frozen on screen, and "Trang x/y" in the footer."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.worksheet import Worksheet

    # by coordinates and the class's constants: a sheet written row by row has neither cells to
    # point at nor the constants
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=MARGINS_MM["left"] / _INCH_MM,
        right=MARGINS_MM["right"] / _INCH_MM,
        top=MARGINS_MM["top"] / _INCH_MM,
        bottom=MARGINS_MM["bottom"] / _INCH_MM,
        header=10 / _INCH_MM,
        footer=10 / _INCH_MM,
    )
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = FONT
    sheet.oddFooter.center.size = 11


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
