"""Controlled-copy stamps: the stamp shows on every printed page and nothing else changes."""

import io
import re
import shutil
import struct
import subprocess
import unicodedata
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import docx
import openpyxl
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.shared import Cm, Pt
from lxml import etree
from openpyxl.chart import BarChart, Reference
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject, DictionaryObject, NameObject, RectangleObject
from reportlab.pdfbase import pdfmetrics

from qms.files import stamping
from qms.files.stamping import (
    XLSX_HEADER_MAX,
    Stamp,
    stamp_docx,
    stamp_file,
    stamp_pdf,
    stamp_xlsx,
)
from tests.files.samples import docx_bytes, xlsx_bytes

STAMP = Stamp(
    code="BM-01-QT-01",
    issue_no=2,
    effective_date="01/12/2026",
    label="BẢN KIỂM SOÁT",
    downloaded_by="Nguyễn Văn A",
    downloaded_at="25/11/2026 14:05",
)
OBSOLETE = Stamp(
    code="QT-07",
    issue_no=11,
    effective_date="02/01/2025",
    label="HẾT HIỆU LỰC",
    downloaded_by="Trần Thị Bích & Đỗ",
    downloaded_at="03/03/2026 08:00",
)
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_stamp_text():
    assert STAMP.text() == (
        "BẢN KIỂM SOÁT – BM-01-QT-01 – Lần ban hành: 02 – Hiệu lực: 01/12/2026"
        " – Người tải về: Nguyễn Văn A, lúc 25/11/2026 14:05"
    )


# ----------------------------------------------------------------------------------- helpers


def _png() -> bytes:
    """A 4x4 red PNG, built by hand."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _header_names(entries) -> set[str]:
    return {name for name in entries if name.startswith("word/header")}


def _displayed_headers(document):
    """Every (section index, kind, header) Word displays, resolved through linked sections
    without creating anything."""
    even = document.settings.odd_and_even_pages_header_footer
    sections = list(document.sections)
    shown = []
    for index, section in enumerate(sections):
        kinds = ["header"] + (["even_page_header"] if even else [])
        if section.different_first_page_header_footer:
            kinds.append("first_page_header")
        for kind in kinds:
            owner = next(
                (
                    getattr(s, kind)
                    for s in reversed(sections[: index + 1])
                    if not getattr(s, kind).is_linked_to_previous
                ),
                None,
            )
            assert owner is not None, f"section {index} shows no {kind}"
            shown.append((index, kind, owner))
    return shown


def _header_text(header) -> str:
    return "\n".join(p.text for p in header.paragraphs)


def _assert_stamped_once(document, stamp) -> set[str]:
    parts = set()
    for _index, _kind, header in _displayed_headers(document):
        assert _header_text(header).count(stamp.text()) == 1
        first = header.paragraphs[0]
        assert first.text == stamp.text()
        assert first.runs[0].text == stamp.label and first.runs[0].bold
        parts.add(str(header.part.partname))
    return parts


def _body(document):
    return (
        [p.text for p in document.paragraphs],
        [[cell.text for row in table.rows for cell in row.cells] for table in document.tables],
    )


def _image_blobs(document):
    blobs = []
    for shape in document.inline_shapes:
        rel_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blobs.append(document.part.related_parts[rel_id].blob)
    return blobs


# -------------------------------------------------------------------------------------- docx


def _docx_with_headers() -> bytes:
    document = docx.Document()
    document.add_paragraph("Quy trình tiếp nhận và trả kết quả hồ sơ")
    table = document.add_table(rows=2, cols=2)
    for i, cell in enumerate(c for row in table.rows for c in row.cells):
        cell.text = f"Ô {i}"
    document.add_picture(io.BytesIO(_png()), width=Cm(2))
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Phần 2: biểu mẫu")
    first, second = document.sections
    first.header.paragraphs[0].text = "UBND xã An Bình – Sổ tay chất lượng"
    first.different_first_page_header_footer = True
    first.first_page_header.paragraphs[0].text = "Trang bìa"
    second.different_first_page_header_footer = True  # linked: shows the first section's parts
    return _save(document)


def test_docx_stamps_each_displayed_header_part_once_and_changes_nothing_else():
    original = _docx_with_headers()
    stamped = stamp_docx(original, STAMP)

    before, after = docx.Document(io.BytesIO(original)), docx.Document(io.BytesIO(stamped))
    assert len(after.sections) == len(before.sections) == 2
    assert all(s.header.is_linked_to_previous for s in after.sections[1:])
    parts = _assert_stamped_once(after, STAMP)
    assert parts == {"/word/header1.xml", "/word/header2.xml"}
    assert "UBND xã An Bình – Sổ tay chất lượng" in _header_text(after.sections[0].header)
    assert "Trang bìa" in _header_text(after.sections[0].first_page_header)
    assert _body(after) == _body(before)
    assert _image_blobs(after) == _image_blobs(before) == [_png()]

    old, new = _entries(original), _entries(stamped)
    assert list(new) == list(old)
    headers = _header_names(old)
    assert headers == {"word/header1.xml", "word/header2.xml"}
    assert {name: new[name] for name in new if name not in headers} == {
        name: old[name] for name in old if name not in headers
    }


def test_docx_keeps_entries_byte_identical_even_when_python_docx_would_reserialise_them():
    """A Word-style XML declaration differs from lxml's: untouched parts keep the uploaded one."""
    entries = _entries(_docx_with_headers())
    word_style = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    for name in ("word/styles.xml", "word/settings.xml", "word/document.xml"):
        entries[name] = word_style + entries[name].split(b"?>", 1)[1].lstrip()
    stamped = _entries(stamp_docx(_zip(entries), STAMP))
    for name in ("word/styles.xml", "word/settings.xml", "word/document.xml"):
        assert stamped[name] == entries[name]


def test_docx_without_header_gets_one_that_later_sections_inherit():
    document = docx.Document()
    document.add_paragraph("Mục đích")
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Phạm vi")
    original = _save(document)
    old = _entries(original)
    assert not _header_names(old)

    stamped = stamp_docx(original, STAMP)
    after = docx.Document(io.BytesIO(stamped))
    assert not after.sections[0].header.is_linked_to_previous
    assert after.sections[1].header.is_linked_to_previous
    assert _assert_stamped_once(after, STAMP) == {"/word/header1.xml"}
    assert _body(after) == _body(document)

    new = _entries(stamped)
    assert _header_names(new) == {"word/header1.xml"}
    assert b'PartName="/word/header1.xml"' in new["[Content_Types].xml"]
    changed = {"[Content_Types].xml", "word/document.xml", "word/_rels/document.xml.rels"}
    assert {n: old[n] for n in old if n not in changed} == {
        n: new[n] for n in new if n not in changed | {"word/header1.xml"}
    }


def test_docx_even_page_and_inherited_first_page_headers():
    document = docx.Document()
    document.settings.odd_and_even_pages_header_footer = True
    document.add_paragraph("Trang 1")
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Trang 2")
    first, second = document.sections
    first.header.paragraphs[0].text = "Trang lẻ"
    first.even_page_header.paragraphs[0].text = "Trang chẵn"
    second.different_first_page_header_footer = True  # no section defines a first-page header
    original = _save(document)

    after = docx.Document(io.BytesIO(stamp_docx(original, STAMP)))
    parts = _assert_stamped_once(after, STAMP)
    assert len(parts) == 3
    assert not after.sections[0].first_page_header.is_linked_to_previous
    assert "Trang lẻ" in _header_text(after.sections[1].header)
    assert "Trang chẵn" in _header_text(after.sections[1].even_page_header)
    assert _body(after) == _body(document)


def test_docx_header_starting_with_a_table_gets_the_stamp_on_top():
    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = "dưới bảng"
    header.add_table(1, 2, Cm(10)).cell(0, 0).text = "Logo"
    header.part.element.insert(0, header.part.element[-1])  # the table first
    after = docx.Document(io.BytesIO(stamp_docx(_save(document), STAMP)))
    hdr = after.sections[0].header.part.element
    assert etree.QName(hdr[0]).localname == "p" and etree.QName(hdr[1]).localname == "tbl"
    _assert_stamped_once(after, STAMP)
    assert after.sections[0].header.tables[0].cell(0, 0).text == "Logo"


# -------------------------------------------------------------------------------------- xlsx


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu"
    sheet["A1"] = 0.30000000000000004
    sheet["A2"] = 1234.5678901234567
    sheet["A3"] = "=SUM(A1:A2)"
    sheet["B1"] = "Tiếp nhận & trả kết quả"
    sheet["A5"] = "Ô gộp"
    sheet.merge_cells("A5:C5")
    sheet.oddHeader.left.text = "UBND xã An Bình"
    sheet.oddHeader.right.text = "Trang &P"
    sheet.oddFooter.center.text = "Mẫu && biểu"
    appendix = workbook.create_sheet("Phụ lục")
    appendix["A1"] = 42
    out = io.BytesIO()
    workbook.save(out)
    # openpyxl itself writes 16 significant digits; Excel writes 17.
    entries = _entries(out.getvalue())
    entries["xl/worksheets/sheet1.xml"] = (
        entries["xl/worksheets/sheet1.xml"]
        .replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>")
        .replace(b"<v>1234.567890123457</v>", b"<v>1234.5678901234567</v>")
    )
    return _zip(entries)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, payload in entries.items():
            package.writestr(name, payload)
    return out.getvalue()


def _sheet_xml(entries, name):
    return etree.fromstring(entries[name])


def _values(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets}


def test_xlsx_stamps_worksheet_headers_only():
    original = _xlsx()
    stamped = stamp_xlsx(original, STAMP)
    old, new = _entries(original), _entries(stamped)
    sheets = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    assert list(new) == list(old)
    assert {n: new[n] for n in new if n not in sheets} == {n: old[n] for n in old if n not in sheets}
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(stamped)) as b:
        assert [i.compress_type for i in a.infolist()] == [i.compress_type for i in b.infolist()]

    for name in sheets:
        before, after = _sheet_xml(old, name), _sheet_xml(new, name)
        for tag in ("sheetData", "mergeCells", "pageMargins"):
            assert (before.find(SHEET_NS + tag) is None) == (after.find(SHEET_NS + tag) is None)
            if before.find(SHEET_NS + tag) is not None:
                assert etree.tostring(after.find(SHEET_NS + tag)) == etree.tostring(before.find(SHEET_NS + tag))
        tags = [etree.QName(child).localname for child in after]
        assert tags.index("headerFooter") == tags.index("pageMargins") + 1
        header = after.find(f"{SHEET_NS}headerFooter/{SHEET_NS}oddHeader").text
        assert STAMP.label in header and STAMP.code in header and STAMP.downloaded_by in header
        assert len(header) <= XLSX_HEADER_MAX

    assert _values(stamped) == _values(original)
    workbook = openpyxl.load_workbook(io.BytesIO(stamped))
    first = workbook["Số liệu"]
    assert first["A1"].value == 0.30000000000000004 and first["A2"].value == 1234.5678901234567
    assert first["A3"].value == "=SUM(A1:A2)"
    assert {str(cells) for cells in first.merged_cells.ranges} == {"A5:C5"}
    assert first.oddHeader.left.text == "UBND xã An Bình"
    assert first.oddHeader.right.text.startswith("Trang &P\n")
    assert STAMP.code in first.oddHeader.right.text and "Nguyễn Văn A" in first.oddHeader.right.text
    assert first.oddFooter.center.text == "Mẫu && biểu"
    assert STAMP.code in workbook["Phụ lục"].oddHeader.right.text


def test_xlsx_first_and_even_headers_are_stamped_when_enabled():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.HeaderFooter.differentFirst = True
    sheet.HeaderFooter.differentOddEven = True
    sheet.firstHeader.center.text = "Bìa"
    sheet.evenHeader.right.text = "Chẵn"
    out = io.BytesIO()
    workbook.save(out)

    header_footer = _sheet_xml(_entries(stamp_xlsx(out.getvalue(), STAMP)), "xl/worksheets/sheet1.xml").find(
        SHEET_NS + "headerFooter"
    )
    texts = {etree.QName(child).localname: child.text or "" for child in header_footer}
    for name in ("oddHeader", "evenHeader", "firstHeader"):
        assert texts[name].count(STAMP.code) == 1
    assert not any(texts[name] for name in ("oddFooter", "evenFooter", "firstFooter"))
    assert texts["firstHeader"].startswith("&CBìa&R&10")
    assert texts["evenHeader"].startswith("&L&10") and texts["evenHeader"].endswith("&RChẵn")


def test_xlsx_long_stamp_moves_the_download_line_to_the_footer():
    workbook = openpyxl.Workbook()
    workbook.active.oddHeader.left.text = "Ủy ban nhân dân xã An Bình " * 3
    out = io.BytesIO()
    workbook.save(out)
    stamp = Stamp("BM-01-QT-01", 2, "01/12/2026", "BẢN KIỂM SOÁT", "Nguyễn " * 8 + "A", "25/11/2026 14:05")

    header_footer = _sheet_xml(_entries(stamp_xlsx(out.getvalue(), stamp)), "xl/worksheets/sheet1.xml").find(
        SHEET_NS + "headerFooter"
    )
    header = header_footer.find(SHEET_NS + "oddHeader").text
    footer = header_footer.find(SHEET_NS + "oddFooter").text
    assert "Ủy ban nhân dân" in header and stamp.code in header and "Người tải về" not in header
    assert footer.startswith("&L&8") and stamp.download_text() in footer
    assert len(header) <= XLSX_HEADER_MAX and len(footer) <= XLSX_HEADER_MAX


def test_xlsx_header_with_no_room_left_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.oddHeader.left.text = "x" * 240
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ValueError):
        stamp_xlsx(out.getvalue(), STAMP)


def test_xlsx_chartsheet_is_skipped():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 1
    chart_sheet = workbook.create_chartsheet("Biểu đồ")
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, min_row=1, max_row=1))
    chart_sheet.add_chart(chart)
    out = io.BytesIO()
    workbook.save(out)
    old = _entries(out.getvalue())
    new = _entries(stamp_xlsx(out.getvalue(), STAMP))
    assert new["xl/chartsheets/sheet1.xml"] == old["xl/chartsheets/sheet1.xml"]
    assert STAMP.code.encode() in new["xl/worksheets/sheet1.xml"]


# --------------------------------------------------------------------------------------- pdf


def _pdf(
    rotations=(0, 90), *, width=595, height=842, cropbox=None, content=b"BT /F1 12 Tf 72 700 Td (Noi dung goc) Tj ET"
) -> bytes:
    writer = PdfWriter()
    for rotation in rotations:
        page = PageObject.create_blank_page(width=width, height=height)
        stream = DecodedStreamObject()
        stream.set_data(content)
        page[NameObject("/Contents")] = stream
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject(
                    {
                        NameObject("/F1"): DictionaryObject(
                            {
                                NameObject("/Type"): NameObject("/Font"),
                                NameObject("/Subtype"): NameObject("/Type1"),
                                NameObject("/BaseFont"): NameObject("/Helvetica"),
                            }
                        )
                    }
                )
            }
        )
        if cropbox:
            page.cropbox = RectangleObject(cropbox)
        writer.add_page(page).rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_stamp_on_every_page_in_vietnamese():
    stamped = PdfReader(io.BytesIO(stamp_pdf(_pdf(), STAMP)))
    assert len(stamped.pages) == 2
    for page in stamped.pages:
        text = page.extract_text()
        assert "Noi dung goc" in text
        assert "BẢN KIỂM SOÁT – BM-01-QT-01 – Lần ban hành: 02 – Hiệu lực: 01/12/2026" in text
        assert "Người tải về: Nguyễn Văn A, lúc 25/11/2026 14:05" in text
        assert unicodedata.normalize("NFC", text) == text
    assert stamped.pages[1].rotation == 90


def _fonts(page) -> dict:
    """BaseFont -> font dictionary of every font the page uses."""
    fonts = page["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]): font.get_object() for font in fonts.values()}


def test_pdf_stamp_embeds_a_subset_of_a_vietnamese_truetype_font_once():
    data = stamp_pdf(_pdf((0, 90, 0)), SIGNED)
    reader = PdfReader(io.BytesIO(data))
    font_files = set()
    for page in reader.pages:
        embedded = {name: font for name, font in _fonts(page).items() if "/FontDescriptor" in font}
        # a subset of each face (prefix "XXXXXX+"), regular for the text and bold for the label
        assert {name.split("+", 1)[1] for name in embedded} == {"LiberationSerif", "LiberationSerif-Bold"}
        for font in embedded.values():
            assert font["/Subtype"] == "/TrueType" and "/ToUnicode" in font
            font_file = font["/FontDescriptor"]["/FontFile2"]
            font_files.add(font_file.indirect_reference.idnum)
            assert 0 < len(font_file.get_object().get_data()) < 100_000  # a subset, not the whole font
        assert "/Helvetica" in _fonts(page)  # the page's own font is still there
    assert len(font_files) == 2  # each face stored once for all pages


def _stamp_runs(page) -> list:
    """(text, x, y of its origin in user space) of each text run the page draws."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4], tm[5]
            runs.append((text, cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


def _shown(page, x, y):
    """A point in user space as displayed: (from the left, from the top) of the visible page."""
    box = page.cropbox
    left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    return {
        0: (x - left, top - y),
        90: (y - bottom, x - left),
        180: (right - x, y - bottom),
        270: (top - y, right - x),
    }[page.rotation % 360]


def test_pdf_stamp_sits_at_the_top_left_of_rotated_and_cropped_pages():
    crop = (40, 60, 540, 800)
    reader = PdfReader(io.BytesIO(stamp_pdf(_pdf((0, 90, 180, 270), cropbox=crop, content=b""), SIGNED)))
    for page in reader.pages:
        assert [float(v) for v in page.cropbox] == list(crop)
        runs = [(text, *_shown(page, x, y)) for text, x, y in _stamp_runs(page)]
        label = next(run for run in runs if run[0].startswith(SIGNED.label))
        rest = next(run for run in runs if run[0].startswith("– BM-01-QT-01"))
        download = next(run for run in runs if run[0].startswith("Người tải về"))
        signed = next(run for run in runs if run[0].startswith("Soạn thảo"))
        # the label in a frame that starts at the left margin, its baseline in the top margin
        [(left, top, right, bottom)] = _ctm_rectangles(page)
        assert abs(left - stamping.PDF_MARGIN) < 0.5 and left < label[1] < left + 3, page.rotation
        assert stamping.PDF_MARGIN / 2 - 2 < top < label[2] < bottom < stamping.PDF_MARGIN, page.rotation
        # the first line goes on after the frame, on the label's baseline
        assert right < rest[1] < right + 3 and abs(rest[2] - label[2]) < 0.5, page.rotation
        # upright: each further line starts below the one before, under the first line's text
        assert abs(download[1] - rest[1]) < 0.5 and abs(signed[1] - rest[1]) < 0.5, page.rotation
        assert label[2] + 5 < download[2] < signed[2] - 5, page.rotation


needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")


def _ink(pdf: bytes, page: int, tmp_path):
    """(left, top, right, bottom) in points of what poppler draws on a page, as displayed."""
    source = tmp_path / "stamped.pdf"
    source.write_bytes(pdf)
    command = ["pdftoppm", "-gray", "-cropbox", "-r", "72", "-f", str(page), "-l", str(page), str(source)]
    image = subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", image)
    width, height, pixels = int(header[1]), int(header[2]), image[header.end() :]
    dark = [(i % width, i // width) for i, value in enumerate(pixels[: width * height]) if value < 128]
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return (min(xs), min(ys), max(xs) + 1, max(ys) + 1), (width, height)


@needs_pdftoppm
def test_poppler_shows_the_stamp_within_narrow_rotated_pages(tmp_path):
    """A page narrower than the stamp line: the stamp shrinks so that it stays on the page."""
    pdf = stamp_pdf(_pdf((0, 90), width=300, height=260, cropbox=(10, 20, 290, 250), content=b""), SIGNED)
    for number, (shown_width, shown_height) in ((1, (280, 230)), (2, (230, 280))):
        (left, top, right, bottom), size = _ink(pdf, number, tmp_path)
        assert size == (shown_width, shown_height)
        assert stamping.PDF_MARGIN - 2 <= left <= stamping.PDF_MARGIN + 2
        assert right <= shown_width - stamping.PDF_MARGIN + 2
        assert 0 < top and bottom < 50


def test_pdf_stamps_made_at_the_same_time_keep_their_own_text():
    """reportlab keeps a font's subset per document, but reads the shared font file through one
    cursor: concurrent downloads must neither mix their text nor fail (they did, now and then)."""
    names = ["Nguyễn Văn Ánh", "Trần Thị Ỷ", "Lê Đức Thọ", "Phạm Ngọc Ẩn", "Đỗ Quỳnh Hương", "Vũ Ưng Ơn"]
    data = _pdf()

    def stamped_name(index):
        name = f"{names[index % len(names)]} {index}"
        copy = stamp_pdf(data, Stamp("BM-01-QT-01", 2, "01/12/2026", "BẢN KIỂM SOÁT", name, "25/11/2026 14:05"))
        return name, [page.extract_text() for page in PdfReader(io.BytesIO(copy)).pages]

    with ThreadPoolExecutor(8) as pool:
        for name, texts in pool.map(stamped_name, range(120)):
            assert all(f"Người tải về: {name}, lúc" in text for text in texts)


def test_encrypted_or_broken_pdfs_raise_value_error():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt("mật khẩu")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    for data in (encrypted.getvalue(), _pdf()[:300], b"%PDF-1.7\n" + b"\x00" * 200):
        with pytest.raises(ValueError):
            stamp_pdf(data, STAMP)


def test_unreadable_files_raise_value_error():
    for kind in ("docx", "xlsx", "pdf"):
        with pytest.raises(ValueError):
            stamp_file(kind, b"not a document", STAMP)
    with pytest.raises(ValueError):
        stamp_file("doc", b"", STAMP)


def test_obsolete_label_appears_in_every_format():
    document = docx.Document()
    document.add_paragraph("Nội dung")
    after = docx.Document(io.BytesIO(stamp_file("docx", _save(document), OBSOLETE)))
    _assert_stamped_once(after, OBSOLETE)
    assert "HẾT HIỆU LỰC – QT-07 – Lần ban hành: 11" in after.sections[0].header.paragraphs[0].text

    sheet = _sheet_xml(_entries(stamp_file("xlsx", _xlsx(), OBSOLETE)), "xl/worksheets/sheet2.xml")
    header = sheet.find(f"{SHEET_NS}headerFooter/{SHEET_NS}oddHeader").text
    assert "&BHẾT HIỆU LỰC&8&B" in header and "Trần Thị Bích && Đỗ" in header

    text = PdfReader(io.BytesIO(stamp_file("pdf", _pdf(), OBSOLETE))).pages[0].extract_text()
    assert "HẾT HIỆU LỰC – QT-07 – Lần ban hành: 11" in text and "Trần Thị Bích & Đỗ" in text


# ------------------------------------------------------------------------------- LibreOffice


def _to_pdf(tmp_path, name: str, data: bytes):
    """Convert with a headless LibreOffice using a profile of its own; the PDF path, or None."""
    source = tmp_path / name
    source.write_bytes(data)
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = source.with_suffix(".pdf")
    return pdf if pdf.exists() else None


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.mark.slow
@needs_soffice
def test_libreoffice_prints_the_docx_stamp(tmp_path):
    pdf = _to_pdf(tmp_path, "quy-trinh.docx", stamp_docx(_docx_with_headers(), STAMP))
    assert pdf is not None
    text = _pdf_text(pdf)
    assert "BẢN KIỂM SOÁT" in text or STAMP.code in text
    assert "Trang bìa" in text  # both sections start with the first-page header


@pytest.mark.slow
@needs_soffice
def test_libreoffice_prints_the_xlsx_stamp(tmp_path):
    if _to_pdf(tmp_path, "goc.xlsx", _xlsx()) is None:
        pytest.skip("this LibreOffice cannot open workbooks (no Calc)")
    pdf = _to_pdf(tmp_path, "bieu-mau.xlsx", stamp_xlsx(_xlsx(), STAMP))
    assert pdf is not None
    text = _pdf_text(pdf)
    assert "BẢN KIỂM SOÁT" in text or STAMP.code in text


# ------------------------------------------------------------------------------- sign-off line

SIGNED = Stamp(
    "BM-01-QT-01",
    2,
    "01/12/2026",
    "BẢN KIỂM SOÁT",
    "Nguyễn Văn A",
    "25/11/2026 14:05",
    signed="Soạn thảo: Trần Thị B – Xem xét: Lê Văn C (20/11/2026) – Phê duyệt: Phạm Thị D (21/11/2026)",
)


def test_the_sign_off_line_follows_the_stamp_in_every_format():
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Tiêu đề cũ"
    document.add_paragraph("Nội dung")
    header = docx.Document(io.BytesIO(stamp_file("docx", _save(document), SIGNED))).sections[0].header
    assert [p.text for p in header.paragraphs] == [SIGNED.text(), SIGNED.signed, "Tiêu đề cũ"]

    sheet = _sheet_xml(_entries(stamp_file("xlsx", _xlsx(), SIGNED)), "xl/worksheets/sheet2.xml")
    footer = sheet.find(f"{SHEET_NS}headerFooter/{SHEET_NS}oddFooter").text
    assert "&R" in footer and SIGNED.signed in footer
    header_text = sheet.find(f"{SHEET_NS}headerFooter/{SHEET_NS}oddHeader").text
    assert SIGNED.download_text() in header_text

    text = PdfReader(io.BytesIO(stamp_file("pdf", _pdf(), SIGNED))).pages[0].extract_text()
    assert SIGNED.signed in text


# ----------------------------------------------------------------- the package around the stamp
#
# Entries that carry no stamp are copied compressed, byte for byte; the stamped parts are exactly
# what python-docx's load-and-save (the former implementation) or a whole parse and serialise of
# the worksheet gives; the plan cache changes nothing in the result.

WEIRD = Stamp(
    "BM-01-QT-01",
    3,
    "01/12/2026",
    "BẢN KIỂM SOÁT",
    " Nguyễn\tVăn\nA & <B> ",
    "25/11/2026 14:05",
    signed="  Soạn thảo: Trần Thị B\r\nC  ",
)


def _raw_entries(data: bytes) -> dict:
    """Each entry as stored: (method, CRC, compressed bytes, date, attributes, central extra fields
    but ZIP64's, which hold sizes and offsets of this archive), read from its local header
    independently of the stamping code."""

    def without_zip64(extra):
        fields, position = [], 0
        while position + 4 <= len(extra):
            field_id, length = struct.unpack_from("<HH", extra, position)
            if field_id != 1:
                fields.append(extra[position : position + 4 + length])
            position += 4 + length
        return b"".join(fields)

    raw = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            raw[info.filename] = (
                info.compress_type,
                info.CRC,
                data[start : start + info.compress_size],
                info.date_time,
                info.external_attr,
                info.create_system,
                without_zip64(info.extra),
            )
    return raw


def _assert_copied_raw(original: bytes, stamped: bytes, changed: set):
    """Every entry but `changed` keeps its compressed bytes, CRC, method, date and attributes, and
    so its uncompressed bytes; the archive is valid."""
    old, new = _raw_entries(original), _raw_entries(stamped)
    assert list(new)[: len(old)] == list(old)
    assert {n: new[n] for n in old if n not in changed} == {n: old[n] for n in old if n not in changed}
    before, after = _entries(original), _entries(stamped)
    assert {n: after[n] for n in before if n not in changed} == {n: before[n] for n in before if n not in changed}
    with zipfile.ZipFile(io.BytesIO(stamped)) as package:
        assert package.testzip() is None
        assert not any(info.flag_bits & 0x8 for info in package.infolist())


def test_docx_entries_without_a_stamp_are_copied_compressed_byte_for_byte():
    # compressed at another level than zlib's default: deflating again would give other bytes
    original = _rezip(_docx_with_headers(), level=1)
    stamped = stamp_docx(original, SIGNED)
    _assert_copied_raw(original, stamped, {"word/header1.xml", "word/header2.xml"})

    document = docx.Document()
    document.add_paragraph("Không có tiêu đề")
    original = _rezip(_save(document), level=9)
    stamped = stamp_docx(original, SIGNED)
    changed = {"word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"}
    _assert_copied_raw(original, stamped, changed)
    assert list(_entries(stamped))[-1] == "word/header1.xml"


def test_xlsx_entries_without_a_stamp_are_copied_compressed_byte_for_byte():
    original = _rezip(_xlsx(), level=1)
    sheets = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    _assert_copied_raw(original, stamp_xlsx(original, SIGNED), sheets)


def _python_docx_stamp(data: bytes, stamp: Stamp) -> dict:
    """The entries of the copy as python-docx's own load-and-save stamps it (the former
    implementation): the upload's entries with the stamped headers, and, when a header had to be
    created, document.xml, its relationships and [Content_Types].xml, taken from document.save()."""
    document = docx.Document(io.BytesIO(data))
    try:
        even = document.part.part_related_by(RT.SETTINGS).settings.odd_and_even_pages_header_footer
    except KeyError:
        even = False
    sections = list(document.sections)
    stamped, created = set(), []
    for index, section in enumerate(sections):
        kinds = ["header"] + (["even_page_header"] if even else [])
        for kind in kinds + (["first_page_header"] if section.different_first_page_header_footer else []):
            header = next(
                (
                    getattr(s, kind)
                    for s in reversed(sections[: index + 1])
                    if not getattr(s, kind).is_linked_to_previous
                ),
                None,
            )
            if header is None:
                header = getattr(sections[0], kind)
                header.is_linked_to_previous = False
                created.append(str(header.part.partname))
            if header.part.partname in stamped:
                continue
            stamped.add(header.part.partname)
            lines = [((stamp.label, True), (stamp.text()[len(stamp.label) :], False))]
            if stamp.signed:
                lines.append(((stamp.signed, False),))
            for position, runs in enumerate(lines):
                paragraph = header.add_paragraph()
                header.part.element.insert(position, paragraph._p)
                paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.space_before = Pt(0)
                paragraph.paragraph_format.space_after = Pt(4 if position == len(lines) - 1 else 0)
                paragraph.paragraph_format.line_spacing = 1.0
                for text, label in runs:
                    run = paragraph.add_run(text)
                    run.bold = label
                    run.font.name = "Times New Roman"
                    run.font.size = Pt(10 if label else 8)
                    if label:  # framed
                        border = OxmlElement("w:bdr", {qn(f"w:{k}"): v for k, v in _LABEL_BORDER.items()})
                        run._r.get_or_add_rPr().append(border)
    saved = _entries(_save(document))
    expected = _entries(data)
    expected.update({partname.membername: saved[partname.membername] for partname in stamped})
    if created:
        for name in ("word/document.xml", "word/_rels/document.xml.rels"):
            expected[name] = saved[name]
        tree = etree.parse(io.BytesIO(expected["[Content_Types].xml"]))
        header_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
        for partname in created:
            etree.SubElement(
                tree.getroot(), f"{{{tree.getroot().nsmap[None]}}}Override", PartName=partname, ContentType=header_type
            )
        expected["[Content_Types].xml"] = etree.tostring(
            tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone
        )
    return expected


_LABEL_BORDER = {"val": "single", "sz": "6", "space": "2", "color": "auto"}


def _docx_variants() -> dict:
    """Documents that take every path of the .docx stamp."""
    variants = {"two sections, first-page headers": _docx_with_headers()}
    document = docx.Document()
    document.add_paragraph("Mục đích")
    document.add_section(WD_SECTION.NEW_PAGE)
    variants["no header, two sections"] = _save(document)
    document = docx.Document()
    document.settings.odd_and_even_pages_header_footer = True
    document.sections[0].different_first_page_header_footer = True
    variants["three headers created"] = _save(document)
    document = docx.Document()
    document.add_section()
    document.add_section()
    document.sections[1].header.is_linked_to_previous = False
    document.sections[1].header.paragraphs[0].text = "Phần 2"
    variants["first section without, second with a header"] = _save(document)
    entries = _entries(_docx_with_headers())
    for name in ("word/header1.xml", "word/document.xml"):
        entries[name] = etree.tostring(
            etree.fromstring(entries[name]), pretty_print=True, xml_declaration=True, encoding="UTF-8", standalone=True
        )
    variants["indented XML"] = _zip(entries)
    entries = _entries(_docx_with_headers())
    header = entries["word/header1.xml"]
    entries["word/header1.xml"] = (
        header.replace(b"xmlns:w=", b"xmlns:ns0=")
        .replace(b"<w:", b"<ns0:")
        .replace(b"</w:", b"</ns0:")
        .replace(b" w:", b" ns0:")
    )
    variants["another prefix"] = _zip(entries)
    entries = _entries(_save(docx.Document()))
    entries["word/_rels/document.xml.rels"] = (
        entries["word/_rels/document.xml.rels"]
        .replace(b'Target="styles.xml"', b'Target="/word/styles.xml"')
        .replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/hyperlink" Target="https://example.com/'
            b'?a=1&amp;b=2" TargetMode="External"/></Relationships>',
        )
    )
    variants["header created, absolute and external relationships"] = _zip(entries)
    return variants


@pytest.mark.parametrize("stamp", [STAMP, SIGNED, OBSOLETE, WEIRD], ids=["plain", "signed", "obsolete", "odd"])
def test_docx_copy_is_what_python_docx_load_and_save_would_stamp(stamp):
    for name, original in _docx_variants().items():
        copy = stamp_docx(original, stamp)
        stamped, entries = _entries(copy), _entries(original)
        assert stamped == _python_docx_stamp(original, stamp), name
        assert list(stamped)[: len(entries)] == list(entries), name
        docx.Document(io.BytesIO(copy))  # reopens


def _sheet_variants() -> dict:
    """Worksheet XML (sheet1.xml of a package otherwise as openpyxl writes it) for every path of
    the .xlsx stamp, and which one it takes."""
    plain = _entries(xlsx_bytes(1))["xl/worksheets/sheet1.xml"]
    assert plain.endswith(
        b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )
    rows = _entries(_xlsx())["xl/worksheets/sheet1.xml"]

    def before_end(extra: bytes, xml: bytes = plain) -> bytes:
        return xml.replace(b"</worksheet>", extra + b"</worksheet>")

    ns = etree.fromstring(plain).nsmap[None].encode()
    prefixed = (
        plain.replace(b'xmlns="' + ns, b'xmlns:x="' + ns)
        .replace(b"<", b"<x:")
        .replace(b"<x:/", b"</x:")
        .replace(b"<x:?", b"<?")
    )
    return {
        "header and footer set": ("spliced", rows),
        "no header": ("spliced", plain),
        "indented": (
            "spliced",
            etree.tostring(
                etree.fromstring(rows), pretty_print=True, xml_declaration=True, encoding="UTF-8", standalone=True
            ),
        ),
        "declaration and BOM": ("spliced", b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\r\n' + plain),
        "x: prefix": ("spliced", prefixed),
        "x: prefix, header": (
            "spliced",
            prefixed.replace(
                b"</x:worksheet>", b"<x:headerFooter><x:oddHeader>&amp;CA</x:oddHeader></x:headerFooter></x:worksheet>"
            ),
        ),
        "empty header element": ("spliced", before_end(b'<headerFooter differentFirst="1" />')),
        "children indented, escaped, self-closing": (
            "spliced",
            before_end(
                b"<headerFooter>\n  <oddFooter>&amp;Cch\xc3\xa2n &gt; x&#13;y</oddFooter>\n  <evenHeader/>\n"
                b"</headerFooter>\n"
            ),
        ),
        "children out of order, repeated": (
            "spliced",
            before_end(
                b'<headerFooter differentOddEven="true"><firstFooter>f</firstFooter><oddHeader>&amp;La</oddHeader>'
                b"<oddHeader>b</oddHeader></headerFooter>"
            ),
        ),
        "elements after the header": (
            "spliced",
            before_end(
                b"<headerFooter><oddHeader>&amp;CX</oddHeader></headerFooter>"
                b'<rowBreaks count="1" manualBreakCount="1"><brk id="5" max="16383" man="1"/></rowBreaks>'
                b'<legacyDrawingHF xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
                b' r:id="rId9"/>'
            ),
        ),
        "no header, elements after its place": (
            "spliced",
            before_end(b'\n<rowBreaks count="1" manualBreakCount="1"><brk id="5" max="16383" man="1"/></rowBreaks>\n'),
        ),
        "'>' in an attribute": (
            "spliced",
            plain.replace(b"<pageMargins ", b'<pageMargins q:a="1&gt;2>3" xmlns:q="urn:q" '),
        ),
        "empty sheetData": (
            "spliced",
            plain.replace(b'<sheetData><row r="1"><c r="A1" t="n"><v>1</v></c></row></sheetData>', b"<sheetData />"),
        ),
        "comment in sheetData naming its end tag": (
            "spliced",
            plain.replace(b"<sheetData>", b"<sheetData><!-- </sheetData> -->"),
        ),
        "comment after sheetData": ("whole", before_end(b"<!-- c -->")),
        "header before sheetData": (
            "whole",
            plain.replace(b"<sheetData>", b"<headerFooter><oddHeader>early</oddHeader></headerFooter><sheetData>"),
        ),
        "attribute on a header child": (
            "whole",
            before_end(b'<headerFooter><oddHeader a="1">X</oddHeader></headerFooter>'),
        ),
        "sheetData named again in an extension": (
            "whole",
            before_end(b'<extLst><ext uri="u"><sheetData xmlns="urn:other"></sheetData></ext></extLst>'),
        ),
        "UTF-16": ("whole", etree.tostring(etree.fromstring(rows), encoding="UTF-16", xml_declaration=True)),
    }


def _without_header_footer(xml: bytes) -> bytes:
    return re.sub(rb"<(\w+:)?headerFooter\b[^>]*?(/>|>.*?</(\w+:)?headerFooter>)", b"", xml, flags=re.S)


@pytest.mark.filterwarnings("ignore:Cannot parse header or footer", "ignore:Unknown extension")  # openpyxl, on
@pytest.mark.parametrize("stamp", [STAMP, SIGNED, OBSOLETE, WEIRD], ids=["plain", "signed", "obsolete", "odd"])
def test_xlsx_copy_changes_only_the_header_footer_element_as_a_whole_parse_would(stamp):
    base = _entries(_xlsx())
    for name, (path, sheet) in _sheet_variants().items():
        original = _zip({**base, "xl/worksheets/sheet1.xml": sheet})
        stamping._plans.clear()
        stamped = _entries(stamp_xlsx(original, stamp))
        plan = stamping._plans.get("xlsx", original, None)
        kind = {stamping._SplicedSheet: "spliced", stamping._WholeSheet: "whole"}[type(plan.sheets[0])]
        assert kind == path, name
        after = stamped["xl/worksheets/sheet1.xml"]
        # the same XML as parsing the sheet and serialising it whole ...
        whole = stamping._stamp_worksheet(sheet, stamp)
        assert etree.tostring(etree.fromstring(after), method="c14n") == etree.tostring(
            etree.fromstring(whole), method="c14n"
        ), name
        # ... and, when spliced, the uploaded bytes outside <headerFooter>
        if path == "spliced":
            assert _without_header_footer(after) == _without_header_footer(sheet), name
        assert {n: v for n, v in stamped.items() if not n.startswith("xl/worksheets/")} == {
            n: v for n, v in base.items() if not n.startswith("xl/worksheets/")
        }
        openpyxl.load_workbook(io.BytesIO(_zip(stamped)))  # reopens


def test_the_plan_cache_changes_nothing_and_stays_within_its_budget(monkeypatch):
    monkeypatch.setattr(stamping, "_plans", stamping._PlanCache(60_000))
    for kind, original in (("docx", _docx_with_headers()), ("xlsx", _xlsx())):
        cold = stamp_file(kind, original, STAMP)
        assert len(stamping._plans) == 1
        assert stamp_file(kind, original, STAMP) == cold  # from the cache
        other = stamp_file(kind, original, OBSOLETE)  # another downloader, the same plan
        stamping._plans.clear()
        assert stamp_file(kind, original, OBSOLETE) == other
        # a plan keeps offsets into the file, never the file
        plan = stamping._plans.get(kind, original, None)
        assert not any(value is original or isinstance(value, memoryview) for value in _walk(plan))
        stamping._plans.clear()

    for n in range(12):
        stamp_docx(docx_bytes(f"Biểu mẫu {n}"), STAMP)
        assert stamping._plans.bytes <= 60_000
    assert 1 < len(stamping._plans) < 12  # the oldest plans made room for the newest


def _walk(value, seen=None):
    """Every object reachable from a plan through its fields and containers."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if hasattr(value, "__dataclass_fields__"):
        children = [getattr(value, f) for f in value.__dataclass_fields__]
    elif isinstance(value, stamping._Package):
        children = list(vars(value).values())
    elif isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, (tuple, list, set, frozenset)):
        children = list(value)
    else:
        children = []
    for child in children:
        yield from _walk(child, seen)


# ------------------------------------------------------------------------------- zip details


def _rezip(data: bytes, *, method=zipfile.ZIP_DEFLATED, level=None, extra=b"", streamed=False, zip64=False) -> bytes:
    """The same entries written again: another compression method or level, an extra field on
    each entry, streamed (sizes in data descriptors after the data, flag bit 3), ZIP64 local
    headers."""

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buffer = bytearray()

        def writable(self):
            return True

        def write(self, chunk):
            self.buffer += chunk
            return len(chunk)

    target = Unseekable() if streamed else io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(target, "w", method) as package:
        for info in source.infolist():
            clone = zipfile.ZipInfo(info.filename, info.date_time)
            clone.compress_type, clone.extra, clone.external_attr = method, extra, 0o644 << 16
            if zip64:
                with package.open(clone, "w", force_zip64=True) as entry:
                    entry.write(source.read(info))
            else:
                package.writestr(clone, source.read(info), compresslevel=level)
    return bytes(target.buffer) if streamed else target.getvalue()


def _local_extra(data: bytes, info: zipfile.ZipInfo) -> bytes:
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length
    return data[start : start + extra_length]


# An "extended timestamp" extra field (0x5455) such as Info-ZIP writes.
TIMESTAMP_EXTRA = struct.pack("<HHBL", 0x5455, 5, 1, 1_764_000_000)


@pytest.mark.parametrize(
    "variant", ["data descriptors", "ZIP64 local headers", "stored", "extra fields", "leading bytes"]
)
def test_packages_written_in_other_ways_are_copied_faithfully(variant):
    for kind, stamper, base, stamped_parts in (
        ("docx", stamp_docx, _docx_with_headers(), {"word/header1.xml", "word/header2.xml"}),
        ("xlsx", stamp_xlsx, _xlsx(), {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}),
    ):
        original = {
            "data descriptors": lambda: _rezip(base, streamed=True),
            "ZIP64 local headers": lambda: _rezip(base, zip64=True),
            "stored": lambda: _rezip(base, method=zipfile.ZIP_STORED),
            "extra fields": lambda: _rezip(base, extra=TIMESTAMP_EXTRA),
            "leading bytes": lambda: b"MZ self-extractor stub " * 10 + base,
        }[variant]()
        with zipfile.ZipFile(io.BytesIO(original)) as package:
            flags = {info.flag_bits & 0x8 for info in package.infolist()}
            assert flags == ({0x8} if variant == "data descriptors" else {0})
        stamped = stamper(original, STAMP)
        _assert_copied_raw(original, stamped, stamped_parts)
        with zipfile.ZipFile(io.BytesIO(stamped)) as package:
            infos = package.infolist()
            if variant == "stored":
                assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}
            if variant == "extra fields":
                assert all(info.extra == TIMESTAMP_EXTRA for info in infos)
            if variant == "ZIP64 local headers":  # nothing here needs ZIP64 any more
                with zipfile.ZipFile(io.BytesIO(original)) as uploaded:
                    assert all(_local_extra(original, info) for info in uploaded.infolist())
                assert not any(_local_extra(stamped, info) for info in infos)
        if kind == "docx":
            _assert_stamped_once(docx.Document(io.BytesIO(stamped)), STAMP)
        else:
            assert STAMP.code in openpyxl.load_workbook(io.BytesIO(stamped)).active.oddHeader.right.text


def test_a_copy_large_enough_for_zip64_gets_zip64_records(monkeypatch):
    """Sizes, offsets and the entry count past the classic fields' limits are written in ZIP64
    records (the limits are lowered here; the format is the same at 2 GiB or 65,535 entries)."""
    monkeypatch.setattr(stamping, "_ZIP64_LIMIT", 1000)
    monkeypatch.setattr(stamping, "_ZIP_MAX_ENTRIES", 5)
    original = _docx_with_headers()
    stamped = stamp_docx(original, STAMP)
    assert b"PK\x06\x06" in stamped[-200:] and b"PK\x06\x07" in stamped[-200:]
    _assert_copied_raw(original, stamped, {"word/header1.xml", "word/header2.xml"})
    with zipfile.ZipFile(io.BytesIO(stamped)) as package:
        assert any(info.header_offset > 1000 and info.extra[:2] == b"\x01\x00" for info in package.infolist())
    _assert_stamped_once(docx.Document(io.BytesIO(stamped)), STAMP)


def _with_flag(data: bytes, name: str, flag: int) -> bytes:
    """The archive with `flag` set on entry `name`, in its local header and its central record."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        local = package.getinfo(name).header_offset
    central = next(
        match.start()
        for match in re.finditer(rb"PK\x01\x02", data)
        if data[match.start() + 46 :].startswith(name.encode())
    )
    for position in (local + 6, central + 8):
        struct.pack_into("<H", out, position, struct.unpack_from("<H", out, position)[0] | flag)
    return bytes(out)


def test_packages_that_cannot_be_copied_faithfully_are_refused_with_value_error():
    for kind, base, inner in (("docx", _docx_with_headers(), "word/styles.xml"), ("xlsx", _xlsx(), "xl/styles.xml")):
        duplicated = io.BytesIO(base)
        with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(duplicated, "a") as package:
            package.writestr(inner, b"<x/>")
        refused = {
            "duplicate name": duplicated.getvalue(),
            "names differing in case only": _zip({**_entries(base), inner.replace("styles", "Styles"): b"<x/>"}),
            "encrypted entry": _with_flag(base, inner, 0x1),
            "truncated": base[: len(base) // 2],
            "not a zip": b"PK\x03\x04" + b"\x00" * 100,
        }
        for _case, data in refused.items():
            with pytest.raises(ValueError):
                stamp_file(kind, data, STAMP)
        assert stamp_file(kind, base, STAMP)  # the same package without the defect is stamped


@pytest.mark.slow
@needs_soffice
def test_libreoffice_prints_the_stamp_of_a_created_header(tmp_path):
    document = docx.Document()
    document.add_paragraph("Biểu mẫu không có tiêu đề trang")
    pdf = _to_pdf(tmp_path, "khong-tieu-de.docx", stamp_docx(_rezip(_save(document), streamed=True), SIGNED))
    assert pdf is not None
    text = _pdf_text(pdf)
    assert "BẢN KIỂM SOÁT" in text or STAMP.code in text
    assert "Biểu mẫu không có tiêu đề trang" in text


def _docx_without_sections() -> bytes:
    """A Word file with no section properties at all (some generators write none)."""
    document = docx.Document()
    document.add_paragraph("Nội dung")
    body = document.element.body
    body.remove(body.sectPr)
    return _save(document)


def test_a_docx_without_any_section_gets_one_to_carry_the_stamp():
    """Without section properties Word shows no header: the stamp adds an empty body-level section
    (the page keeps Word's defaults) with a header carrying the stamp, and changes nothing else."""
    original = _docx_without_sections()
    stamped = docx.Document(io.BytesIO(stamp_docx(original, STAMP)))
    assert len(stamped.sections) == 1
    _assert_stamped_once(stamped, STAMP)
    assert _body(stamped) == _body(docx.Document(io.BytesIO(original)))


@pytest.mark.slow
@needs_soffice
def test_libreoffice_prints_the_stamp_of_a_docx_that_had_no_section(tmp_path):
    pdf = _to_pdf(tmp_path, "khong-section.docx", stamp_docx(_docx_without_sections(), STAMP))
    assert pdf is not None
    text = _pdf_text(pdf)
    assert "BẢN KIỂM SOÁT" in text and "Nội dung" in text


# ------------------------------------------------------------------- a stamp that reads on paper
#
# Issue #14: on a printed page the label (BẢN KIỂM SOÁT, HẾT HIỆU LỰC, DỰ THẢO) stands out, bold,
# framed and at least 9 pt, and the stamp does not touch the content under it.

DRAFT = Stamp("BM-02-QT-03", 1, "", "DỰ THẢO", "Lê Thị Ự", "05/12/2026 09:30", signed="Soạn thảo: Lê Thị Ự")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_with_header_table() -> bytes:
    """A document whose page header starts with a bordered identification table, as the commune's
    documents do (qms/documents/demo/parts.py): commune, title, code and issue; single-spaced with
    no space after paragraphs, as their Normal style is (python-docx's template adds both)."""
    document = docx.Document()
    normal = document.styles["Normal"].paragraph_format
    normal.line_spacing, normal.space_after = 1.0, Pt(0)
    header = document.sections[0].header
    table = header.add_table(rows=1, cols=3, width=Cm(16))
    table.style = document.styles["Table Grid"]
    for cell, text in zip(
        table.rows[0].cells, ("ỦY BAN NHÂN DÂN\nXÃ AN BÌNH", "QUY TRÌNH\nTIẾP NHẬN HỒ SƠ", "Mã hiệu: QT-01")
    ):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold, run.font.size = True, Pt(12)
    header.part.element.insert(0, table._tbl)  # the table first, the header's empty paragraph after it
    document.add_paragraph("Nội dung của quy trình")
    return _save(document)


@pytest.mark.parametrize("stamp", [STAMP, SIGNED, OBSOLETE, DRAFT], ids=["plain", "signed", "obsolete", "draft"])
def test_docx_label_is_bold_framed_and_at_least_9_pt_and_the_stamp_keeps_its_distance(stamp):
    header = docx.Document(io.BytesIO(stamp_docx(_docx_with_header_table(), stamp))).sections[0].header
    lines = 2 if stamp.signed else 1
    paragraphs = header.paragraphs[:lines]
    assert [p.text for p in paragraphs] == [stamp.text(), stamp.signed][:lines]
    label, rest = paragraphs[0].runs
    assert label.text == stamp.label and label.bold and label.font.size >= Pt(9)
    assert label.font.name == "Times New Roman"
    border = label._r.rPr.find(W + "bdr")  # a frame around the label
    assert border is not None and border.get(W + "val") not in (None, "none", "nil")
    assert int(border.get(W + "sz")) >= 4  # at least half a point
    assert not rest.bold and rest.font.size == Pt(8) and rest._r.rPr.find(W + "bdr") is None
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in paragraphs)
    # single spacing of their own, whatever the document's (an exact line height would clip the frame)
    assert all(p.paragraph_format.line_spacing == 1.0 for p in paragraphs)
    # the stamp block is set apart from the header's own content, which follows it as uploaded
    spacing = [p.paragraph_format.space_after or 0 for p in paragraphs]
    assert spacing[:-1] == [0] * (lines - 1) and spacing[-1] >= Pt(3)
    assert etree.QName(header._element[lines]).localname == "tbl"
    assert header.tables[0].cell(0, 2).text == "Mã hiệu: QT-01"


def _excel_characters(value: str) -> list:
    """(character, size, bold) of each character an Excel header or footer string prints, reading
    its &-codes (sections, sizes, fonts, bold toggles; "&&" is an ampersand)."""
    printed, size, bold, i = [], None, False, 0
    while i < len(value):
        if value[i] != "&":
            printed.append((value[i], size, bold))
            i += 1
            continue
        code = value[i + 1]
        if code == "&":
            printed.append(("&", size, bold))
            i += 2
        elif code.isdigit():
            digits = re.match(r"\d+", value[i + 1 :])[0]
            size, i = int(digits), i + 1 + len(digits)
        elif code == '"':
            end = value.index('"', i + 2)
            bold = "bold" in value[i + 2 : end].split(",")[-1].lower()
            i = end + 1
        elif code == "B":
            bold, i = not bold, i + 2
        else:  # a section (&L, &C, &R) or a field (&P, &N, ...)
            i += 2
    return printed


def _excel_style_of(value: str, text: str):
    """{(size, bold)} of the characters of `text` where it is printed in `value`."""
    printed = _excel_characters(value)
    plain = "".join(character for character, _, _ in printed)
    start = plain.index(text)
    return {(size, bold) for _, size, bold in printed[start : start + len(text)]}


@pytest.mark.parametrize("stamp", [STAMP, SIGNED, OBSOLETE, DRAFT], ids=["plain", "signed", "obsolete", "draft"])
def test_xlsx_label_is_bold_and_at_least_9_pt(stamp):
    header_footer = _sheet_xml(_entries(stamp_xlsx(_xlsx(), stamp)), "xl/worksheets/sheet1.xml").find(
        SHEET_NS + "headerFooter"
    )
    header = header_footer.find(SHEET_NS + "oddHeader").text
    assert len(header) <= XLSX_HEADER_MAX
    [(size, bold)] = _excel_style_of(header, stamp.label)
    assert bold and size >= 9
    assert f'&"{stamping.STAMP_FONT},Regular"' in header
    assert _excel_style_of(header, stamp.control_text()[len(stamp.label) :]) == {(8, False)}
    assert _excel_style_of(header, stamp.download_text()) == {(8, False)}
    # the sections the workbook had keep their text
    assert _excel_characters(header)[:15] == [(c, None, False) for c in "UBND xã An Bình"]
    workbook = openpyxl.load_workbook(io.BytesIO(stamp_xlsx(_xlsx(), stamp)))
    right = workbook["Số liệu"].oddHeader.right.text  # openpyxl still reads the section
    assert right.startswith("Trang &P\n") and stamp.code in right


def test_xlsx_long_stamp_keeps_the_label_bold_and_large_in_the_header():
    workbook = openpyxl.Workbook()
    workbook.active.oddHeader.left.text = "Ủy ban nhân dân xã An Bình " * 3
    out = io.BytesIO()
    workbook.save(out)
    stamp = Stamp("BM-01-QT-01", 2, "01/12/2026", "HẾT HIỆU LỰC", "Nguyễn " * 8 + "A", "25/11/2026 14:05")
    header_footer = _sheet_xml(_entries(stamp_xlsx(out.getvalue(), stamp)), "xl/worksheets/sheet1.xml").find(
        SHEET_NS + "headerFooter"
    )
    header, footer = (header_footer.find(SHEET_NS + name).text for name in ("oddHeader", "oddFooter"))
    assert len(header) <= XLSX_HEADER_MAX and len(footer) <= XLSX_HEADER_MAX
    [(size, bold)] = _excel_style_of(header, stamp.label)
    assert bold and size >= 9
    assert _excel_style_of(footer, stamp.download_text()) == {(8, False)}


def _painted(page) -> list:
    """(operator, [points as displayed (_shown)]) of each subpath the page strokes or fills, "re"
    with its four corners, "l" with the points of a line, through the q/Q and cm of its content
    (clipping paths are left out)."""

    def multiply(a, b):
        return (
            a[0] * b[0] + a[1] * b[2],
            a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4],
            a[4] * b[1] + a[5] * b[3] + b[5],
        )

    def shown(ctm, x, y):
        return _shown(page, ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])

    ctm, stack, path, painted = (1, 0, 0, 1, 0, 0), [], [], []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        values = [float(v) for v in operands] if operator in (b"cm", b"re", b"m", b"l") else []
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = multiply(values, ctm)
        elif operator == b"re":
            x, y, w, h = values
            path.append(("re", [shown(ctm, a, b) for a in (x, x + w) for b in (y, y + h)]))
        elif operator == b"m":
            path.append(("l", [shown(ctm, *values)]))
        elif operator == b"l" and path:
            path[-1][1].append(shown(ctm, *values))
        elif operator in (b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            painted.extend(path)
            path = []
        elif operator == b"n":
            path = []
    return painted


def _ctm_rectangles(page) -> list:
    """(left, top, right, bottom) as displayed of each rectangle ("re") the page paints."""
    boxes = []
    for operator, points in _painted(page):
        if operator == "re":
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _segments(page) -> list:
    """((x0, y0), (x1, y1)) as displayed of each straight line the page paints, rectangles' edges
    included."""
    segments = []
    for operator, points in _painted(page):
        if operator == "re":
            (a, b), (c, d) = points[0], points[3]
            points = [(a, b), (a, d), (c, d), (c, b), (a, b)]
        segments.extend(zip(points, points[1:]))
    return segments


def _sized_runs(page) -> list:
    """(text, BaseFont, size as drawn, x, y as displayed) of each text run the page draws."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            x, y = tm[4], tm[5]
            point = (cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5])
            runs.append((text, str(font.get("/BaseFont", "")), size * (a * a + b * b) ** 0.5, *_shown(page, *point)))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("stamp", [STAMP, SIGNED, OBSOLETE, DRAFT], ids=["plain", "signed", "obsolete", "draft"])
def test_pdf_label_is_bold_at_least_9_pt_and_framed_on_rotated_and_cropped_pages(stamp):
    reader = PdfReader(io.BytesIO(stamp_pdf(_pdf((0, 90, 180, 270), cropbox=(40, 60, 540, 800)), stamp)))
    for page in reader.pages:
        runs = _sized_runs(page)
        [label] = [run for run in runs if run[0].strip() == stamp.label]
        text, font, size, x, y = label
        assert font.endswith("+LiberationSerif-Bold") and size >= 9, page.rotation
        others = [run for run in runs if run is not label and "LiberationSerif" in run[1]]
        assert others and all(run[2] < size and not run[1].endswith("Bold") for run in others), page.rotation
        # a thin frame around the label, from the left margin, clear of the text after it
        [(left, top, right, bottom)] = _ctm_rectangles(page)
        rest = next(run for run in others if run[0].startswith("– "))
        assert abs(left - stamping.PDF_MARGIN) < 0.5, page.rotation
        assert left < x and x + _bold_width(stamp.label, size) < right <= rest[3] + 0.5, page.rotation
        assert top < y - 0.85 * size and bottom > y + 0.2 * size, page.rotation
        assert abs(rest[4] - y) < 0.5, page.rotation
        assert "Noi dung goc" in page.extract_text()


def _bold_width(text: str, size: float) -> float:
    """The width of `text` in the stamp's bold face."""
    stamping._register_pdf_fonts()
    return pdfmetrics.stringWidth(text, stamping._PDF_BOLD, size)


@needs_pdftoppm
@pytest.mark.parametrize("rotation", [0, 90])
def test_pdf_stamp_stays_in_the_top_margin_as_before(rotation, tmp_path):
    """The larger, framed label takes no more of the page than the small stamp did: on an A4 page
    the ink lies between 12 and 39 points from the top (it was 15 to 39)."""
    for stamp, lines in ((SIGNED, 3), (STAMP, 2)):
        (left, top, right, bottom), _ = _ink(stamp_pdf(_pdf((rotation,), content=b""), stamp), 1, tmp_path)
        assert stamping.PDF_MARGIN - 1 <= left <= stamping.PDF_MARGIN + 1
        assert 12 <= top and bottom <= {3: 39, 2: 31}[lines]


@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("stamp", [SIGNED, OBSOLETE], ids=["signed", "obsolete"])
def test_libreoffice_prints_a_label_that_stands_out_above_the_header_table(tmp_path, stamp):
    """Converted with LibreOffice, page 1 shows the whole stamp; its label is bold, at least 9 pt and
    framed; and there is clear space between the stamp and the header's table (it touched it)."""
    pdf = _to_pdf(tmp_path, "bang.docx", stamp_docx(_docx_with_header_table(), stamp))
    assert pdf is not None
    first = PdfReader(pdf).pages[0]
    text = first.extract_text()
    words = " ".join(text.split())  # a long stamp line wraps
    assert " ".join(stamp.text().split()) in words and stamp.signed in words
    assert "XÃ AN BÌNH" in text and "Nội dung của quy trình" in text

    runs = _sized_runs(first)  # (text, font, size, x, baseline from the top)
    label = next(run for run in runs if run[0].strip().startswith(stamp.label))
    _, font, size, x, baseline = label
    assert "Bold" in font and size >= 9
    body = [run for run in runs if stamp.downloaded_by in run[0]]
    assert body and all(run[2] < 9 for run in body)

    segments = _segments(first)
    # the frame: lines above and below the label's letters across their width, and at either side
    right = x + _bold_width(stamp.label, size) * 0.95  # LibreOffice's bold Times is a little narrower
    across = [
        min(a[1], b[1])
        for a, b in segments
        if abs(a[1] - b[1]) < 0.1 and min(a[0], b[0]) <= x and max(a[0], b[0]) >= right
    ]
    assert any(baseline - 1.3 * size < y < baseline - 0.85 * size for y in across), "no line above the label"
    assert any(baseline + 0.2 * size < y < baseline + 0.6 * size for y in across), "no line below the label"
    sides = [a[0] for a, b in segments if abs(a[0] - b[0]) < 0.1 and min(a[1], b[1]) < baseline < max(a[1], b[1])]
    assert any(x - 5 < side <= x for side in sides) and any(right <= side < right + 10 for side in sides)

    # the table's top: its first line longer than 200 pt, or its side lines, which start a little higher
    table = min(min(a[1], b[1]) for a, b in segments if abs(a[1] - b[1]) < 0.1 and abs(a[0] - b[0]) > 200)
    table = min([table] + [min(a[1], b[1]) for a, b in segments if abs(a[0] - b[0]) < 0.1 and max(a[1], b[1]) > table])
    # the stamp's lowest letters: its last line's baseline and the font's descent
    stamp_runs = [run for run in runs if run[4] < table]
    lowest = max(run[4] + 0.22 * run[2] for run in stamp_runs)
    assert any(stamp.label in run[0] for run in stamp_runs)
    assert table - lowest >= 2, f"the stamp ends {table - lowest:.1f} pt above the table"
