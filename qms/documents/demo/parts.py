"""The parts every QMS document of the demo set carries, on top of the Decree 30 page helpers of
qms/documents/exports.py (A4, margins, Times New Roman, the issuing body and the national motto).

A procedure, instruction, policy or objectives document has, in the page header of every page, the
identification block a certification auditor looks for first (the commune, the title, code, issue
number, date of issue and page), then on its first page the sign-off block (drafted / reviewed /
approved) and the change-history table (Theo dõi sửa đổi), and its content from the second page on.
A form is printed and filled in, so it keeps its own administrative layout (Circular 01/2018/TT-VPCP)
with a one-line identification in the page header; its sign-off block and change history are on a
last page that is not printed with the form. A register (.xlsx) has the same on a second sheet.

Content is described with a few block types (Heading, Para, Items, Grid) so that the documents in
catalogue.py read as text rather than as layout code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from qms.core.calendar import format_date
from qms.core.exports import (
    BODY_PT,
    MOTTO,
    NATIONAL_NAME,
    TABLE_PT,
    XLSX_BOX,
    add_field,
    add_run,
    cell_paragraph,
    issuer_lines,
    keep_row_together,
    new_document,
    paragraph,
    remove_borders,
    repeat_as_header,
    rule,
    set_cell_margins,
    set_table_widths,
    text_width_mm,
    to_bytes,
    xlsx_font,
    xlsx_merged,
)

HEADER_PT = 12
SMALL_PT = 11
INDENT_MM = 10
BLANK_DATE = "…/…/……"
BLANK_REVISION_ROWS = 2  # room left in the printed table for the next revisions


@dataclass(frozen=True)
class Person:
    name: str
    position: str


@dataclass(frozen=True)
class Revision:
    """One row of the change-history table."""

    issue_no: int
    date: dt.date | None
    where: str
    what: str


@dataclass(frozen=True)
class Control:
    """What identifies one issue of a document: the header block, sign-off block and change history."""

    commune: str  # "UBND xã Hòa Bình"
    code: str
    title: str
    issue_no: int
    issued_on: dt.date | None  # None while the issue is not approved yet
    drafted: Person
    reviewed: Person
    approved: Person
    revisions: tuple = ()

    @property
    def issue_label(self) -> str:
        return f"{self.issue_no:02d}"

    @property
    def date_text(self) -> str:
        return format_date(self.issued_on) if self.issued_on else BLANK_DATE


# --- content blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    italic: bool = False
    center: bool = False


@dataclass(frozen=True)
class Items:
    """A dashed list, the way Vietnamese administrative documents write one."""

    items: tuple
    marker: str = "-"


@dataclass(frozen=True)
class Grid:
    """A table: headings, widths in mm (summing to the text width), rows of cell texts ("\\n" starts
    a new line in the cell); `centered` holds the indexes of centred columns."""

    headings: tuple
    widths: tuple
    rows: tuple
    centered: frozenset = frozenset()
    size: int = TABLE_PT


def H1(text):
    return Heading(text, 1)


def H2(text):
    return Heading(text, 2)


def P(text, **kw):
    return Para(text, **kw)


def L(*items):
    return Items(tuple(items))


def render(document, blocks):
    """Write the blocks into the document, in order."""
    for block in blocks:
        if isinstance(block, Heading):
            para = paragraph(
                document,
                block.text,
                bold=True,
                italic=block.level > 2,
                size=BODY_PT,
                before=8 if block.level == 1 else 4,
                after=3,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            )
            para.paragraph_format.keep_with_next = True
        elif isinstance(block, Para):
            para = paragraph(
                document,
                block.text,
                bold=block.bold or None,
                italic=block.italic or None,
                size=BODY_PT,
                after=4,
                indent_first=None if block.center else INDENT_MM,
                align=WD_ALIGN_PARAGRAPH.CENTER if block.center else WD_ALIGN_PARAGRAPH.JUSTIFY,
            )
            para.paragraph_format.line_spacing = 1.15
        elif isinstance(block, Items):
            for item in block.items:
                para = paragraph(
                    document,
                    f"{block.marker} {item}",
                    size=BODY_PT,
                    after=3,
                    indent_first=INDENT_MM,
                    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                )
                para.paragraph_format.line_spacing = 1.15
        elif isinstance(block, Grid):
            grid(document, block)
            paragraph(document, "", size=6)
        else:
            raise TypeError(f"unknown block {block!r}")


def grid(container, spec: Grid):
    """A bordered table with a heading row repeated on every page."""
    table = container.add_table(rows=1, cols=len(spec.headings))
    table.style = container.part.document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_table_widths(table, spec.widths)
    set_cell_margins(table, side_mm=1.2, vertical_mm=0.3)
    repeat_as_header(table.rows[0])
    for cell, heading in zip(table.rows[0].cells, spec.headings):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=spec.size, bold=True, before=2, after=2)
    for values in spec.rows:
        row = table.add_row()
        keep_row_together(row)
        for index, (cell, value) in enumerate(zip(row.cells, values)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.CENTER if index in spec.centered else WD_ALIGN_PARAGRAPH.LEFT
            for number, line in enumerate(str(value).split("\n")):
                writer = cell_paragraph if number == 0 else paragraph
                writer(cell, line, align=align, size=spec.size, before=1, after=1)
    return table


# --- the QMS parts -------------------------------------------------------------------------------


def header_block(document, control: Control, title_lines):
    """The identification block in the page header of every page: the commune, the title, and code,
    issue, date of issue and "Trang x/y" (Word and LibreOffice fill in the page numbers)."""
    widths = (45, 70, 50)
    header = document.sections[0].header
    table = header.add_table(rows=1, cols=3, width=Mm(sum(widths)))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_table_widths(table, widths)
    set_cell_margins(table, side_mm=1.2, vertical_mm=0.5)
    # python-docx appends the table after the header's empty paragraph; that paragraph now follows it
    # as the gap between the block and the text.
    header._element.insert(0, table._tbl)
    gap = header.paragraphs[-1]
    add_run(gap, "", size=6)
    left, middle, right = table.rows[0].cells
    for cell in (left, middle, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for line, _bold in issuer_lines(control.commune):
        cell_paragraph(left, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_PT, bold=True)
    for line in title_lines:
        cell_paragraph(middle, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_PT, bold=True)
    for label, value in (
        ("Mã hiệu: ", control.code),
        ("Lần ban hành: ", control.issue_label),
        ("Ngày ban hành: ", control.date_text),
    ):
        para = cell_paragraph(right, "", size=HEADER_PT)
        add_run(para, label, size=HEADER_PT)
        add_run(para, value, size=HEADER_PT, bold=True)
    para = cell_paragraph(right, "", size=HEADER_PT)
    add_run(para, "Trang: ", size=HEADER_PT)
    add_field(para, "PAGE", "1", size=HEADER_PT)
    add_run(para, "/", size=HEADER_PT)
    add_field(para, "NUMPAGES", "1", size=HEADER_PT)
    return table


def form_header_line(document, control: Control, origin=""):
    """The identification of a form in its page header, right-aligned: code, issue and date, then
    the form it reproduces (e.g. "Mẫu số 01, Thông tư số 01/2018/TT-VPCP"). The form keeps the page."""
    header = document.sections[0].header
    para = header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_run(para, control.code, size=SMALL_PT, bold=True)
    add_run(para, f" – Lần ban hành: {control.issue_label} – Ngày ban hành: {control.date_text}", size=SMALL_PT)
    if origin:
        paragraph(header, origin, align=WD_ALIGN_PARAGRAPH.RIGHT, size=SMALL_PT, italic=True)
    return para


def signoff_table(document, control: Control):
    """Drafted / reviewed / approved, with names and positions and room for the handwritten signatures
    of the printed copy (the electronic signatures are the system's own record)."""
    widths = (31, 44.7, 44.7, 44.6)
    table = document.add_table(rows=4, cols=4)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_table_widths(table, widths)
    set_cell_margins(table, side_mm=1.2, vertical_mm=0.5)
    people = (control.drafted, control.reviewed, control.approved)
    rows = [
        ("", "NGƯỜI SOẠN THẢO", "NGƯỜI XEM XÉT", "NGƯỜI PHÊ DUYỆT"),
        ("Họ và tên", *(p.name for p in people)),
        ("Chức vụ", *(p.position for p in people)),
        ("Chữ ký", "", "", ""),
    ]
    for row_index, (row, values) in enumerate(zip(table.rows, rows)):
        keep_row_together(row)
        for col_index, (cell, value) in enumerate(zip(row.cells, values)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cell_paragraph(
                cell,
                value,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                size=TABLE_PT,
                bold=row_index == 0 or col_index == 0,
                before=2,
                after=2,
            )
    table.rows[3].height = Mm(20)
    return table


def revision_table(document, control: Control):
    """The change-history table: every issue so far, then blank rows for the next ones."""
    paragraph(
        document,
        "THEO DÕI SỬA ĐỔI TÀI LIỆU",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=BODY_PT,
        bold=True,
        before=14,
        after=6,
    )
    rows = tuple(
        (str(i), format_date(r.date) if r.date else BLANK_DATE, r.where, r.what, f"{r.issue_no:02d}")
        for i, r in enumerate(control.revisions, start=1)
    )
    rows += tuple(("", "", "", "", "") for _i in range(BLANK_REVISION_ROWS))
    return grid(
        document,
        Grid(
            ("STT", "Ngày sửa đổi", "Vị trí sửa đổi", "Nội dung sửa đổi", "Lần ban hành"),
            (11, 25, 30, 76, 23),
            rows,
            centered=frozenset({0, 1, 4}),
        ),
    )


def _properties(document, control: Control):
    document.core_properties.title = control.title
    document.core_properties.author = control.drafted.name
    document.core_properties.language = "vi-VN"
    document.core_properties.keywords = f"{control.code}; lần ban hành {control.issue_label}"


def qms_document(control: Control, title_lines, blocks, *, header_lines=None, cover_note="") -> bytes:
    """A procedure, instruction, policy or objectives document: header block on every page (with
    `header_lines`, when the title is too long for it); title, sign-off block and change history on
    the first page; the content from the second page."""
    document = new_document()
    _properties(document, control)
    header_block(document, control, header_lines or title_lines)
    paragraph(document, "", before=24)
    for index, line in enumerate(title_lines):
        paragraph(
            document,
            line,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=16 if index else 14,
            bold=True,
            before=6 if index else 0,
        )
    if cover_note:
        paragraph(document, cover_note, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True, before=6)
    rule(document, 40, text_width_mm(document), before=8, after=30)
    signoff_table(document, control)
    revision_table(document, control)
    first = len(document.paragraphs)
    render(document, blocks)
    if len(document.paragraphs) > first:
        document.paragraphs[first].paragraph_format.page_break_before = True
    return to_bytes(document)


def motto(container, *, before=0):
    """The national name and motto centred over their rule (forms without an issuing body, such as a
    citizen's declaration)."""
    paragraph(container, NATIONAL_NAME, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=before)
    paragraph(container, MOTTO, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True)
    rule(container, 62, text_width_mm(container), before=1, after=6)


def dotted(label="", *, length=None, total=None):
    """A line to fill in by hand: the label followed by dots to the end of the line."""
    dots = "." * (length if length is not None else max((total or 95) - len(label), 8))
    return f"{label}{dots}"


def form_document(control: Control, write_body, *, origin="", landscape=False) -> bytes:
    """A form: its own layout, written by `write_body(document)`, the identification line in the page
    header, and its sign-off block and change history on a last page not printed with the form."""
    document = new_document(landscape=landscape)
    _properties(document, control)
    form_header_line(document, control, origin)
    write_body(document)
    note = paragraph(document, "THÔNG TIN KIỂM SOÁT BIỂU MẪU", align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True)
    note.paragraph_format.page_break_before = True
    paragraph(
        document,
        f"{control.code} – {control.title}",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=BODY_PT,
        bold=True,
        before=4,
    )
    paragraph(
        document,
        "(Trang này phục vụ kiểm soát tài liệu theo TCVN ISO 9001:2015, không in kèm khi sử dụng biểu mẫu)",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=BODY_PT,
        italic=True,
        before=4,
        after=14,
    )
    signoff_table(document, control)
    revision_table(document, control)
    return to_bytes(document)


def signature_pair(document, left: tuple, right: tuple, *, space_mm=22):
    """Two signature blocks side by side, borderless: (heading, note) or (heading, note, name); an
    empty heading leaves that side blank."""
    total = text_width_mm(document)
    table = document.add_table(rows=1, cols=2)
    remove_borders(table)
    set_table_widths(table, (total / 2, total / 2))
    for cell, (heading, note, *name) in zip(table.rows[0].cells, (left, right)):
        if heading:
            cell_paragraph(cell, heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True, before=6)
            for line in note.split("\n"):
                paragraph(cell, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, italic=True)
            paragraph(cell, "", size=BODY_PT, after=round(space_mm * 72 / 25.4))
            if name:
                paragraph(cell, name[0], align=WD_ALIGN_PARAGRAPH.CENTER, size=BODY_PT, bold=True)
    keep_row_together(table.rows[0])
    return table


# --- registers (.xlsx) --------------------------------------------------------------------------------


def xlsx_control_sheet(workbook, control: Control):
    """A second sheet with the register's identification, sign-off block and change history."""
    sheet = workbook.create_sheet("Kiểm soát biểu mẫu")
    widths = (8, 16, 30, 30, 30, 12)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    xlsx_merged(sheet, 1, 1, 6, "THÔNG TIN KIỂM SOÁT BIỂU MẪU", xlsx_font(14, bold=True))
    xlsx_merged(sheet, 2, 1, 6, f"{control.code} – {control.title}", xlsx_font(BODY_PT, bold=True))
    xlsx_merged(
        sheet,
        3,
        1,
        6,
        f"Lần ban hành: {control.issue_label} – Ngày ban hành: {control.date_text}",
        xlsx_font(BODY_PT, italic=True),
    )
    people = (control.drafted, control.reviewed, control.approved)
    rows = [
        ("", "NGƯỜI SOẠN THẢO", "NGƯỜI XEM XÉT", "NGƯỜI PHÊ DUYỆT"),
        ("Họ và tên", *(p.name for p in people)),
        ("Chức vụ", *(p.position for p in people)),
        ("Chữ ký", "", "", ""),
    ]
    for offset, values in enumerate(rows):
        row = 5 + offset
        for col, value in zip((1, 3, 4, 5), values):
            if col == 1:
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            cell = sheet.cell(row=row, column=col, value=value)
            cell.font = xlsx_font(bold=offset == 0 or col == 1)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            for c in (1, 2) if col == 1 else (col,):
                sheet.cell(row=row, column=c).border = XLSX_BOX
        sheet.row_dimensions[row].height = 48 if offset == 3 else 32
    start = 11
    xlsx_merged(sheet, start, 1, 6, "THEO DÕI SỬA ĐỔI TÀI LIỆU", xlsx_font(BODY_PT, bold=True))
    headings = ("STT", "Ngày sửa đổi", "Vị trí sửa đổi", "Nội dung sửa đổi", "", "Lần ban hành")
    revisions = [
        (str(i), format_date(r.date) if r.date else BLANK_DATE, r.where, r.what, "", f"{r.issue_no:02d}")
        for i, r in enumerate(control.revisions, start=1)
    ]
    revisions += [("",) * 6] * BLANK_REVISION_ROWS
    for offset, values in enumerate([headings, *revisions]):
        row = start + 1 + offset
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value if col != 5 else None)
            cell.font = xlsx_font(bold=offset == 0)
            cell.border = XLSX_BOX
            cell.alignment = Alignment(
                horizontal="left" if col in (3, 4) and offset else "center", vertical="center", wrap_text=True
            )
        sheet.row_dimensions[row].height = 20 if offset == 0 else max(20, 15.75 * (1 + len(values[3]) // 55))
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet
