"""Controlled-copy stamps for downloaded .docx, .xlsx and .pdf files.

A controlled copy is the stored file with one line added to the header of every printed page
(who downloaded which issue, and whether it is still in force). Nothing else in the file may
change: staff compare copies with the original, and an auditor must be able to trust that a
controlled copy *is* the approved document. Every function therefore rewrites only the parts
of the file that carry the stamp and copies the rest of the package as it was uploaded.

The functions expect files that passed the upload checks (archive size, DOCTYPE, macros, Strict
OOXML are refused there). Any file they still cannot stamp raises ``ValueError`` so that the
caller can decide what to serve instead.
"""
from __future__ import annotations

import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Pt
from lxml import etree
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, RectangleObject

SEPARATOR = " – "
STAMP_FONT = "Times New Roman"
STAMP_SIZE_PT = 8

# Libxml2 keeps its size limits and never resolves entities or fetches anything.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Stamp:
    """What a controlled copy says about itself."""

    code: str            # "BM-01-QT-01"
    issue_no: int        # printed as two digits: "Lần ban hành: 02"
    effective_date: str  # already formatted dd/mm/yyyy
    label: str           # "BẢN KIỂM SOÁT" or "HẾT HIỆU LỰC"
    downloaded_by: str   # full name
    downloaded_at: str   # "25/11/2026 14:05", Vietnam time, already formatted
    # The sign-off block of the version: "Soạn thảo: A – Xem xét: B (20/11/2026) – Phê duyệt: C
    # (21/11/2026)" (empty for a file that has none, e.g. a document of external origin).
    signed: str = ""

    def control_text(self) -> str:
        """The part that identifies the document and its status."""
        return SEPARATOR.join(
            (self.label, self.code, f"Lần ban hành: {self.issue_no:02d}", f"Hiệu lực: {self.effective_date}")
        )

    def download_text(self) -> str:
        """The part that identifies the copy."""
        return f"Tải xuống bởi {self.downloaded_by} lúc {self.downloaded_at}"

    def text(self) -> str:
        """The whole stamp line, e.g. "BẢN KIỂM SOÁT – BM-01-QT-01 – Lần ban hành: 02 – ..."."""
        return self.control_text() + SEPARATOR + self.download_text()


def stamp_file(kind: str, data: bytes, stamp: Stamp) -> bytes:
    """Stamp a file of the given kind ("docx", "xlsx" or "pdf")."""
    stampers = {"docx": stamp_docx, "xlsx": stamp_xlsx, "pdf": stamp_pdf}
    if kind not in stampers:
        raise ValueError(f"no controlled-copy stamp for .{kind} files")
    return stampers[kind](data, stamp)


# --------------------------------------------------------------------------------------------
# Zip packages
# --------------------------------------------------------------------------------------------


def _rewrite_zip(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """Copy a zip archive entry by entry, in order, with each entry's name, date, attributes and
    compression method, replacing the content of the entries named in `replacements`; names that
    are not in the archive yet are appended."""
    pending = dict(replacements)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            payload = pending.pop(info.filename, None)
            if payload is None:
                payload = source.read(info)
            clone = zipfile.ZipInfo(info.filename, info.date_time)
            clone.compress_type = info.compress_type
            clone.create_system = info.create_system
            clone.external_attr = info.external_attr
            clone.comment = info.comment
            target.writestr(clone, payload)
        for name, payload in pending.items():
            target.writestr(zipfile.ZipInfo(name), payload, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _parse_xml(data: bytes) -> etree._ElementTree:
    tree = etree.parse(io.BytesIO(data), _XML_PARSER)
    if tree.docinfo.doctype:
        raise ValueError("XML parts with a DOCTYPE are not stamped")
    return tree


def _serialize_xml(tree: etree._ElementTree) -> bytes:
    return etree.tostring(
        tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone
    )


def _unstampable(kind: str, exc: Exception) -> ValueError:
    return ValueError(f"this .{kind} file cannot be stamped: {exc}")


# --------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------

# Section properties giving each header Word may display; first-page and even-page headers are
# shown only when the section (titlePg) or the document settings (evenAndOddHeaders) enable them.
_PRIMARY, _FIRST_PAGE, _EVEN_PAGE = "header", "first_page_header", "even_page_header"


def stamp_docx(data: bytes, stamp: Stamp) -> bytes:
    """Add the stamp as a new first paragraph of every header part Word displays.

    Headers linked to the previous section are resolved to the part they really use, so each
    part is stamped once. A displayed header that no section defines is created on the first
    section (the only place python-docx can create one), which every later section inherits.

    python-docx re-serialises every XML part it loaded, so the result is spliced: the stamped
    header parts (and, when a header had to be created, document.xml with its relationships and
    the new part's content type) come from python-docx, every other entry from the upload.
    """
    try:
        return _stamp_docx(data, stamp)
    except ValueError:
        raise
    except Exception as exc:  # python-docx raises many kinds of errors on malformed packages
        raise _unstampable("docx", exc) from exc


def _stamp_docx(data: bytes, stamp: Stamp) -> bytes:
    document = docx.Document(io.BytesIO(data))
    sections = list(document.sections)
    kinds = [_PRIMARY, _EVEN_PAGE] if _even_and_odd_headers(document) else [_PRIMARY]
    stamped = set()  # partnames: a part shared by several sections is stamped once
    created = []
    for index, section in enumerate(sections):
        first_page = [_FIRST_PAGE] if section.different_first_page_header_footer else []
        for kind in kinds + first_page:
            header, is_new = _defining_header(sections, index, kind)
            if header.part.partname in stamped:
                continue
            _insert_stamp_paragraph(header, stamp)
            stamped.add(header.part.partname)
            if is_new:
                created.append(header.part)

    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as saved:
        replacements = {partname.membername: saved.read(partname.membername) for partname in stamped}
        if created:
            document_part = document.part.partname
            for partname in (document_part, document_part.rels_uri):
                replacements[partname.membername] = saved.read(partname.membername)
            with zipfile.ZipFile(io.BytesIO(data)) as source:
                content_types = source.read("[Content_Types].xml")
            replacements["[Content_Types].xml"] = _with_overrides(content_types, created)
    return _rewrite_zip(data, replacements)


def _even_and_odd_headers(document) -> bool:
    """Whether the settings enable even-page headers, without creating a settings part (as
    `document.settings` would) in a package that has none."""
    try:
        settings_part = document.part.part_related_by(RT.SETTINGS)
    except KeyError:
        return False
    return settings_part.settings.odd_and_even_pages_header_footer


def _defining_header(sections, index: int, kind: str):
    """Return (header, created): the header object that holds the definition section `index`
    displays for `kind`, walking back through linked sections; when no section defines one, a
    definition is added to the first section so that every section inheriting it shows it."""
    for section in reversed(sections[: index + 1]):
        header = getattr(section, kind)
        if not header.is_linked_to_previous:
            return header, False
    header = getattr(sections[0], kind)
    header.is_linked_to_previous = False
    return header, True


def _insert_stamp_paragraph(header, stamp: Stamp) -> None:
    """The stamp line (and the sign-off line under it) above the existing header content."""
    lines = [((stamp.label, True), (stamp.text()[len(stamp.label):], False))]
    if stamp.signed:
        lines.append(((stamp.signed, False),))
    for position, runs in enumerate(lines):
        paragraph = header.add_paragraph()
        # python-docx only appends: move the new paragraph above the existing header content.
        header.part.element.insert(position, paragraph._p)
        layout = paragraph.paragraph_format
        layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.space_before = layout.space_after = Pt(0)
        for text, bold in runs:
            run = paragraph.add_run(text)
            run.bold = bold
            run.font.name = STAMP_FONT
            run.font.size = Pt(STAMP_SIZE_PT)


def _with_overrides(content_types: bytes, parts) -> bytes:
    """[Content_Types].xml as uploaded plus an Override for each new part."""
    tree = _parse_xml(content_types)
    root = tree.getroot()
    override = etree.QName(etree.QName(root).namespace, "Override").text
    for part in parts:
        etree.SubElement(root, override, PartName=str(part.partname), ContentType=part.content_type)
    return _serialize_xml(tree)


# --------------------------------------------------------------------------------------------
# .xlsx
# --------------------------------------------------------------------------------------------

# Excel refuses a workbook whose header or footer string is longer than this.
XLSX_HEADER_MAX = 255

# Children of CT_Worksheet that precede <headerFooter> in the schema sequence.
_BEFORE_HEADER_FOOTER = {
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
}
# Children of CT_HeaderFooter, in schema order.
_HEADER_FOOTER_CHILDREN = (
    "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter",
)


def stamp_xlsx(data: bytes, stamp: Stamp) -> bytes:
    """Put the stamp in the header of every worksheet; change nothing else.

    openpyxl's load-and-save loses drawings, comments, precision and more, so the package is
    edited at the zip level: only <headerFooter> of each worksheet part changes, every other
    entry is copied as uploaded. The stamp goes in the right-hand header section, keeping any
    existing header text, in each header Excel shows (odd, and even/first when enabled), as
    two lines: the document's identity and status, then who downloaded it when. When the
    result would exceed Excel's 255-character limit, the "Tải xuống bởi ..." line moves to the
    left-hand footer section; if even that does not fit, ValueError. The sign-off line goes in
    the right-hand footer section, where it fits; the header is what makes the copy controlled.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            replacements = {
                name: _stamp_worksheet(package.read(name), stamp)
                for name in _worksheet_names(package)
            }
        return _rewrite_zip(data, replacements)
    except ValueError:
        raise
    except Exception as exc:  # zipfile and lxml raise several kinds of errors on bad packages
        raise _unstampable("xlsx", exc) from exc


def _worksheet_names(package: zipfile.ZipFile) -> list[str]:
    """Zip names of the worksheets listed in the workbook (chart, dialog and macro sheets
    are skipped)."""
    workbook = _related_targets(package, "", "/officeDocument")
    if len(workbook) != 1:
        raise ValueError("the package has no single workbook part")
    workbook_name = next(iter(workbook.values()))
    worksheets = _related_targets(package, workbook_name, "/worksheet")
    root = _parse_xml(package.read(workbook_name)).getroot()
    names = []
    for sheet in root.iter(etree.QName(etree.QName(root).namespace, "sheet").text):
        rel_id = next((v for k, v in sheet.attrib.items() if etree.QName(k).localname == "id"), None)
        if rel_id in worksheets:
            names.append(worksheets[rel_id])
    return names


def _related_targets(package: zipfile.ZipFile, source: str, type_suffix: str) -> dict[str, str]:
    """{relationship id: zip name} of the internal relationships of `source` ("" for the
    package) whose type ends with `type_suffix` (transitional and strict types both match)."""
    folder, base = posixpath.split(source)
    rels = _parse_xml(package.read(posixpath.join(folder, "_rels", base + ".rels"))).getroot()
    names = set(package.namelist())
    targets = {}
    for rel in rels:
        if not rel.get("Type", "").endswith(type_suffix) or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if name not in names:
            raise ValueError(f"missing package part {name}")
        targets[rel.get("Id")] = name
    return targets


def _stamp_worksheet(xml: bytes, stamp: Stamp) -> bytes:
    tree = _parse_xml(xml)
    root = tree.getroot()
    ns = etree.QName(root).namespace
    header_footer = root.find(f"{{{ns}}}headerFooter")
    if header_footer is None:
        header_footer = etree.Element(f"{{{ns}}}headerFooter")
        predecessors = [c for c in root if etree.QName(c).localname in _BEFORE_HEADER_FOOTER]
        predecessors[-1].addnext(header_footer)
    pages = ["odd"]
    if header_footer.get("differentOddEven") in ("1", "true"):
        pages.append("even")
    if header_footer.get("differentFirst") in ("1", "true"):
        pages.append("first")

    def current(name: str) -> str:
        element = header_footer.find(f"{{{ns}}}{name}")
        return "" if element is None or element.text is None else element.text

    # Two short lines rather than one long one: a long line in one section runs over the
    # text of the other sections.
    whole = _excel_stamp(stamp.label, stamp.control_text() + "\n" + stamp.download_text())
    strings = {f"{page}Header": _add_to_section(current(f"{page}Header"), whole, "R") for page in pages}
    if any(len(s) > XLSX_HEADER_MAX for s in strings.values()):
        control = _excel_stamp(stamp.label, stamp.control_text())
        download = _excel_stamp("", stamp.download_text())
        strings = {}
        for page in pages:
            strings[f"{page}Header"] = _add_to_section(current(f"{page}Header"), control, "R")
            strings[f"{page}Footer"] = _add_to_section(current(f"{page}Footer"), download, "L")
        if any(len(s) > XLSX_HEADER_MAX for s in strings.values()):
            raise ValueError(f"the stamp does not fit in {XLSX_HEADER_MAX} header characters")
    if stamp.signed:
        signed = _excel_stamp("", stamp.signed)
        for page in pages:
            name = f"{page}Footer"
            footer = _add_to_section(strings.get(name, current(name)), signed, "R")
            if len(footer) <= XLSX_HEADER_MAX:
                strings[name] = footer
    for name, value in strings.items():
        _set_header_footer_child(header_footer, ns, name, value)
    return _serialize_xml(tree)


def _excel_stamp(label: str, text: str) -> str:
    """Header/footer codes for `text` in the stamp font and size, with `label` (its start) bold.

    The size code comes before the font code because "&8" directly followed by text starting
    with a digit would be read as a larger size. Bold is toggled with &B after a font code that
    resets the style to Regular, so it does not depend on text already in the section; one font
    code per stamp also keeps openpyxl's simple header parser reading it correctly.
    """
    def escaped(value: str) -> str:
        return value.replace("&", "&&")

    codes = f'&{STAMP_SIZE_PT}&"{STAMP_FONT},Regular"'
    if label:
        codes += f"&B{escaped(label)}&B"
    return codes + escaped(text[len(label):])


def _add_to_section(existing: str, addition: str, preferred: str) -> str:
    """Add `addition` to a header/footer string: into the `preferred` section ("L" or "R") if it
    is empty, else into the opposite one if that is empty, else on a new line of `preferred`."""
    sections = _split_sections(existing)
    opposite = "L" if preferred == "R" else "R"
    if not sections[preferred]:
        sections[preferred] = addition
    elif not sections[opposite]:
        sections[opposite] = addition
    else:
        sections[preferred] += "\n" + addition
    return "".join(f"&{key}{sections[key]}" for key in "LCR" if sections[key])


def _split_sections(value: str) -> dict[str, str]:
    """Split a header/footer string into its &L, &C and &R sections (text before any section
    code is centred); "&&" is a literal ampersand and &"font" names are kept whole."""
    sections = {"L": "", "C": "", "R": ""}
    current = "C"
    i = 0
    while i < len(value):
        char = value[i]
        code = value[i + 1] if char == "&" and i + 1 < len(value) else ""
        if code in ("L", "C", "R"):
            current = code
            i += 2
        elif code == '"':
            end = value.find('"', i + 2)
            end = len(value) if end < 0 else end + 1
            sections[current] += value[i:end]
            i = end
        else:
            sections[current] += char + code
            i += 1 + len(code)
    return sections


def _set_header_footer_child(header_footer, ns: str, name: str, value: str) -> None:
    element = header_footer.find(f"{{{ns}}}{name}")
    if element is None:
        element = etree.Element(f"{{{ns}}}{name}")
        later = _HEADER_FOOTER_CHILDREN[_HEADER_FOOTER_CHILDREN.index(name) + 1:]
        following = next((c for c in header_footer if etree.QName(c).localname in later), None)
        if following is None:
            header_footer.append(element)
        else:
            following.addprevious(element)
    element.text = value


# --------------------------------------------------------------------------------------------
# .pdf
# --------------------------------------------------------------------------------------------

PDF_FONT_SIZE = 7
PDF_MARGIN = 28  # points from the left and top edges of the visible page
_PDF_REGULAR, _PDF_BOLD = "/QmsStampRegular", "/QmsStampBold"


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """Write the stamp in small lines (identity and status, the download, the sign-off) at the
    top-left corner of every page, as displayed (page rotation and crop box are honoured).

    The overlay is drawn with pypdf alone in the standard Helvetica fonts, which every reader
    has, so nothing is embedded. Those fonts cannot show Vietnamese diacritics, so the PDF
    stamp is ASCII-folded ("BAN KIEM SOAT – ... Tai xuong boi Nguyen Van A ..."); embedding a
    Vietnamese TrueType font would need a font subsetter this project does not ship.
    Encrypted or unreadable PDFs raise ValueError.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValueError("encrypted PDFs are not stamped")
        writer = PdfWriter(clone_from=reader)
        lines = tuple(_fold(line) for line in (stamp.control_text(), stamp.download_text(), stamp.signed) if line)
        label = _fold(stamp.label)
        for page in writer.pages:
            page.merge_page(_overlay(page, label, lines))
        out = io.BytesIO()
        writer.write(out)
    except ValueError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on malformed files
        raise _unstampable("pdf", exc) from exc
    return out.getvalue()


def _fold(text: str) -> str:
    """Vietnamese without diacritics ("Tải xuống bởi" -> "Tai xuong boi")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _pdf_string(text: str) -> bytes:
    encoded = text.encode("cp1252", errors="replace")  # WinAnsiEncoding
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _overlay(page: PageObject, label: str, lines: tuple[str, ...]) -> PageObject:
    """A page with the same visible box as `page` carrying the stamp text."""
    box = page.cropbox
    rotation = page.rotation % 360
    width, height = float(box.width), float(box.height)
    if rotation in (90, 270):
        width, height = height, width
    # Map upright display coordinates to the page's own user space.
    left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    matrix = {
        0: (1, 0, 0, 1, left, bottom),
        90: (0, 1, -1, 0, right, bottom),
        180: (-1, 0, 0, -1, right, top),
        270: (0, -1, 1, 0, left, top),
    }.get(rotation, (1, 0, 0, 1, left, bottom))
    # Helvetica averages well under 0.6 em per character: shrink only on very narrow pages.
    longest = max(len(line) for line in lines)
    size = min(PDF_FONT_SIZE, (width - 2 * PDF_MARGIN) / (0.6 * longest))
    first, *others = lines
    commands = [
        b"q %s cm" % b" ".join(b"%.4f" % v for v in matrix),
        b"BT 0 g",
        b"%s %.2f Tf %.2f %.2f Td" % (_PDF_BOLD.encode(), size, PDF_MARGIN, height - PDF_MARGIN / 2 - size),
        _pdf_string(label) + b" Tj",
        b"%s %.2f Tf" % (_PDF_REGULAR.encode(), size),
        _pdf_string(first[len(label):]) + b" Tj",
    ]
    for line in others:
        commands += [b"0 %.2f Td" % (-1.3 * size), _pdf_string(line) + b" Tj"]
    content = b"\n".join(commands + [b"ET Q"])
    stream = DecodedStreamObject()
    stream.set_data(content)
    overlay = PageObject.create_blank_page(width=float(box.width), height=float(box.height))
    overlay.mediabox = RectangleObject((left, bottom, right, top))
    overlay[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({
            NameObject(_PDF_REGULAR): _standard_font("/Helvetica"),
            NameObject(_PDF_BOLD): _standard_font("/Helvetica-Bold"),
        })
    })
    overlay[NameObject("/Contents")] = stream
    return overlay


def _standard_font(base_font: str) -> DictionaryObject:
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject(base_font),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })
