"""Checks an uploaded document before anything is stored.

Office and PDF libraries trust their input far more than a public upload form can: python-docx parses
with huge_tree=True, zipfile believes the sizes a ZIP header claims, and python-docx and openpyxl open
without complaint files with VBA, remote templates, external workbook links or DOCTYPE declarations.
So a file is judged by its bytes rather than its name, the real inflated size of every ZIP entry is
measured before any XML parser sees it, every XML part goes through a parser that cannot fetch or
expand anything, and only then do the libraries open it, proving it readable and giving up its text for
full-text search. Each refusal carries a stable `code` for the API and a message telling the person
what to do next.
"""

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256

from flask_babel import lazy_gettext as _l

from qms.db import DomainError

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

_MESSAGES = {
    "empty": _l("The file is empty. Choose the right file and upload it again."),
    "bad_name": _l(
        "The file name contains / \\ or special characters. Rename the file without them and upload it again."
    ),
    "unsupported_type": _l(
        "Only .docx, .xlsx and .pdf files are accepted. Save the document in one of these formats and upload it again."
    ),
    "legacy_format": _l(
        "This is an old-format Word or Excel file (.doc or .xls). Open it in Word or Excel, "
        "save it as .docx or .xlsx, and upload the new file."
    ),
    "encrypted": _l("The file is protected by a password. Remove the password, save the file and upload it again."),
    "corrupt": _l("The file is damaged or incomplete. Open it, save it again, and upload the new file."),
    "zip_bomb": _l(
        "The file unpacks to far more data than an ordinary document, so it was refused for safety. "
        "Save it again in Word or Excel, or split it into smaller files, and upload again."
    ),
    "macros": _l(
        "Files with macros and templates are not accepted. Save it as a Word Document (.docx) or "
        "Excel Workbook (.xlsx) without macros and upload it again."
    ),
    "strict_ooxml": _l(
        'The file is saved in the "Strict Open XML" format. In Word or Excel choose Save As, '
        'pick "Word Document (.docx)" or "Excel Workbook (.xlsx)", and upload the new file.'
    ),
    "doctype": _l(
        "The file contains XML declarations (DOCTYPE) that Word and Excel never write, so it was "
        "refused for safety. Save it again in Word or Excel and upload the new file."
    ),
    "external_link": _l(
        "The file links to a template, workbook or object outside itself, which would be "
        "fetched when it is opened. Remove the link (detach the template or break the links "
        "to other workbooks), save the file and upload it again."
    ),
    "pdf_active_content": _l(
        "The PDF contains scripts, actions or attached files. Print it to a new PDF "
        "without scripts or attachments and upload that."
    ),
    # qms.files.services: a file to be served as a controlled copy that the stamp cannot be added to
    "unstampable": _l(
        "The controlled-copy stamp cannot be added to this file, so it cannot be issued. "
        "Open it in Word or Excel, save it again as a new file and upload that."
    ),
}

_MAX_NAME = 120
# Extensions a person may have left on a file whose content is another kind; they are replaced, any other
# suffix ("Báo cáo v1.2") is part of the name and kept.
_DOCUMENT_EXTENSIONS = frozenset(
    {
        "doc",
        "docx",
        "docm",
        "dot",
        "dotx",
        "dotm",
        "xls",
        "xlsx",
        "xlsm",
        "xlsb",
        "xlt",
        "xltx",
        "xltm",
        "pdf",
        "odt",
        "ods",
        "rtf",
    }
)
# Unicode control, format (bidi overrides that disguise an extension, zero-width) and surrogate characters.
_BAD_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_CENTRAL_RECORD = b"PK\x01\x02"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

_CHUNK = 64 * 1024
_RATIO_FLOOR = 1024 * 1024
_MAX_TEXT = 2 * 1024 * 1024
_MAX_XLSX_CELLS = 2_000_000
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_DEFAULT, _CT_OVERRIDE, _RELATIONSHIP = f"{_CT_NS}Default", f"{_CT_NS}Override", f"{_REL_NS}Relationship"
_STRICT_NS = "http://purl.oclc.org/ooxml/"
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_MACRO_OR_TEMPLATE_TYPES = frozenset(
    {
        "application/vnd.ms-word.document.macroenabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
        "application/vnd.ms-excel.sheet.macroenabled.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "application/vnd.ms-excel.template.macroenabled.main+xml",
        "application/vnd.ms-excel.sheet.binary.macroenabled.main",
    }
)
_MACRO_PART_NAMES = frozenset({"vbaproject.bin", "vbadata.xml"})
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)

_PDF_ACTIVE = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF"})

_OLE_MAX_SECTOR = 0xFFFFFFFA  # larger sector numbers are markers: free, end of chain, FAT, DIFAT


class UploadRefused(DomainError):
    """The uploaded file is not accepted; `code` names the reason for the API, `message` tells the person."""

    def __init__(self, message, *, code):
        super().__init__(message, code=code, status=413 if code == "too_large" else 400)


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: the bytes exactly as received, with what the checks learnt about them."""

    kind: str
    media_type: str
    display_name: str
    data: bytes
    sha256: str
    size: int
    text: str

    @property
    def stored_fields(self) -> dict:
        """What a record of the stored file keeps of it (an attachment's, a version's file's columns)."""
        return {"sha256": self.sha256, "filename": self.display_name, "media_type": self.media_type, "size": self.size}


def check_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    max_entries: int = 2000,
    max_uncompressed: int = 200 * 1024 * 1024,
    max_ratio: int = 200,
) -> CheckedFile:
    """Accept a .docx, .xlsx or .pdf upload or raise UploadRefused saying why.

    The size is checked before anything else so an oversized body costs nothing more; the name is
    checked next because it is cheap; the content decides the kind, and the display name gets the
    extension of that kind whatever the person called the file.
    """
    if len(data) > max_bytes:
        raise UploadRefused(
            _l(
                "The file is larger than %(mb)g MB. Make it smaller (for example compress its "
                "pictures or split it) and upload it again.",
                mb=round(max_bytes / 2**20, 1),
            ),
            code="too_large",
        )
    if not data:
        raise refusal("empty")
    if any(char in "/\\" or unicodedata.category(char) in _BAD_NAME_CATEGORIES for char in filename):
        raise refusal("bad_name")
    if data.startswith(_PDF_MAGIC):
        kind, text = "pdf", _check_pdf(data)
    elif data.startswith(_ZIP_MAGIC):
        kind, text = _check_ooxml(data, max_entries, max_uncompressed, max_ratio)
    elif data.startswith(_OLE_MAGIC):
        raise refusal(_judge_ole(data))
    else:
        raise refusal("unsupported_type")
    return CheckedFile(
        kind=kind,
        media_type=MEDIA_TYPES[kind],
        display_name=_display_name(filename, kind),
        data=data,
        sha256=sha256(data).hexdigest(),
        size=len(data),
        text=text,
    )


def refusal_message(code):
    """What a person reads for one of the checks' codes."""
    return _MESSAGES[code]


def refusal(code) -> UploadRefused:
    """The refusal of one of the checks' codes, with its message."""
    return UploadRefused(refusal_message(code), code=code)


@contextmanager
def _refuse_as_corrupt():
    """Turn any library failure into a "corrupt" refusal.

    On damaged input pypdf, python-docx and openpyxl raise anything from KeyError to lxml errors; every
    one of them means the file cannot be read, which is what the person needs to hear.
    """
    try:
        yield
    except UploadRefused:
        raise
    except Exception as exc:
        raise refusal("corrupt") from exc


def _display_name(filename, kind):
    """The name shown and offered on download: NFC (macOS sends decomposed Vietnamese), single spaces,
    no leading dots (hidden files) or trailing dots (dropped by Windows), at most 120 characters with
    the extension of the real content."""
    name = " ".join(unicodedata.normalize("NFC", filename).split())
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in _DOCUMENT_EXTENSIONS:
        name = stem
    name = name.strip(". ")[: _MAX_NAME - len(kind) - 1].rstrip(". ")
    return f"{name or 'document'}.{kind}"


# --- OLE2 compound files (.doc, .xls, password-protected .docx/.xlsx) ---------------------------------


def _judge_ole(data):
    """Say why an OLE2 compound file is refused.

    Office stores a password-protected .docx/.xlsx as an OLE2 file whose directory holds the streams
    "EncryptionInfo" and "EncryptedPackage" (MS-OFFCRYPTO); a Word 97-2003 file has a "WordDocument"
    stream and an Excel file a "Workbook" (or, before 97, "Book") stream. Anything else in OLE2 (.ppt,
    .msg, ...) is simply not a supported type.
    """
    try:
        names = _ole_directory_names(data)
    except (ValueError, IndexError, struct.error):
        return "corrupt"
    if names & {"EncryptionInfo", "EncryptedPackage"}:
        return "encrypted"
    if names & {"WordDocument", "Workbook", "Book"}:
        return "legacy_format"
    return "unsupported_type"


def _ole_directory_names(data):
    """Names of all storages and streams in an OLE2 file, read as MS-CFB lays them out.

    The header gives the sector size, the first directory sector and the FAT sector list (109 entries
    in the header, the rest in a DIFAT chain); the directory is a chain of sectors followed through the
    FAT, each holding 128-byte entries with a UTF-16LE name. Every entry is read, not only those the
    red-black tree links, and loops or sectors outside the file raise ValueError.
    """
    (shift,) = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        raise ValueError("unknown sector size")
    size = 1 << shift
    per_sector = size // 4

    def sector(number):
        start = (number + 1) * size
        if number > _OLE_MAX_SECTOR or start + size > len(data):
            raise ValueError("sector outside the file")
        return data[start : start + size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    (difat,) = struct.unpack_from("<I", data, 68)
    seen = set()
    while difat <= _OLE_MAX_SECTOR:
        if difat in seen:
            raise ValueError("DIFAT chain loops")
        seen.add(difat)
        entries = struct.unpack(f"<{per_sector}I", sector(difat))
        fat_sectors.extend(entries[:-1])
        difat = entries[-1]

    names = set()
    (current,) = struct.unpack_from("<I", data, 48)
    seen = set()
    while current <= _OLE_MAX_SECTOR:
        if current in seen:
            raise ValueError("directory chain loops")
        seen.add(current)
        block = sector(current)
        for offset in range(0, size, 128):
            length, entry_type = struct.unpack_from("<HB", block, offset + 64)
            if entry_type in (1, 2, 5) and 2 <= length <= 64:
                names.add(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
        fat = sector(fat_sectors[current // per_sector])
        (current,) = struct.unpack_from("<I", fat, (current % per_sector) * 4)
    return names


# --- OOXML packages ------------------------------------------------------------------------------------


def _check_ooxml(data, max_entries, max_uncompressed, max_ratio):
    """Check the archive, then the package, then let the library read it; returns (kind, text).

    Every central-directory record starts with PK\\x01\\x02, so counting that signature bounds the
    number of entries before zipfile builds an object for each of them (a small upload can declare
    hundreds of thousands); a genuine package only exceeds the bound when it is already near the limit.
    """
    if data.count(_ZIP_CENTRAL_RECORD) > max_entries:
        raise refusal("zip_bomb")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise refusal("corrupt") from exc
    with archive:
        parts = _check_archive(archive, data, max_uncompressed, max_ratio)
        kind = _check_package(archive, parts)
    # python-docx and openpyxl (like lxml and pypdf below) are imported on the first upload, not when
    # the application starts: a worker that never receives one does not carry them.
    with _refuse_as_corrupt():
        if kind == "docx":
            import docx

            document = docx.Document(io.BytesIO(data))
            try:
                return kind, _join_capped(_docx_pieces(document))
            finally:
                _release(document.part.package)
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return kind, _join_capped(_xlsx_pieces(workbook))
        finally:
            workbook.close()


def _check_archive(archive, data, max_uncompressed, max_ratio):
    """Refuse unsafe entry names and sizes before anything parses an entry; returns lower-cased name -> ZipInfo.

    Part names are case-insensitive in OOXML, so two entries differing only in case are as ambiguous as
    a duplicate: different readers would pick different ones.
    """
    parts = {}
    for info in archive.infolist():
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or re.match(r"[A-Za-z]:", name)
            or ".." in re.split(r"[/\\]", name)
            or name.lower() in parts
        ):
            raise refusal("corrupt")
        parts[name.lower()] = info
    if sum(info.file_size for info in parts.values()) > max_uncompressed:
        raise refusal("zip_bomb")
    for info in parts.values():
        _measure_entry(data, info, max_ratio)
    return parts


def _measure_entry(data, info, max_ratio):
    """Inflate one entry from its raw bytes, counting what really comes out, and check its CRC.

    zipfile stops reading where the central directory says the entry ends and then only reports a bad
    CRC, so a header understating the size would pass as mere damage; inflating the raw stream with zlib
    sees the true output and stops as soon as it exceeds the declared size or the ratio limit. Since no
    entry may yield more than it declares and the declared sizes already fit the total limit, the real
    total fits it too.
    """
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refusal("corrupt")  # Office never encrypts entries or uses other compression methods
    local_header = data[info.header_offset : info.header_offset + 30]
    if len(local_header) < 30 or not local_header.startswith(_ZIP_MAGIC):
        raise refusal("corrupt")
    name_length, extra_length = struct.unpack_from("<HH", local_header, 26)
    start = info.header_offset + 30 + name_length + extra_length
    end = start + info.compress_size
    if end > len(data):
        raise refusal("corrupt")
    produced = crc = 0
    try:
        for chunk in _entry_chunks(data, start, end, info.compress_type == zipfile.ZIP_DEFLATED):
            produced += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if produced > info.file_size or (produced > _RATIO_FLOOR and produced > max_ratio * info.compress_size):
                raise refusal("zip_bomb")
    except zlib.error as exc:
        raise refusal("corrupt") from exc
    if produced != info.file_size or crc != info.CRC:
        raise refusal("corrupt")


def _entry_chunks(data, start, end, deflated):
    """Yield an entry's uncompressed bytes at most _CHUNK at a time, feeding the inflater small slices so
    neither its input nor its output ever grows large."""
    if not deflated:
        for position in range(start, end, _CHUNK):
            yield data[position : min(position + _CHUNK, end)]
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for position in range(start, end, _CHUNK):
        pending = data[position : min(position + _CHUNK, end)]
        while pending:
            yield inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    yield inflater.flush()
    if not inflater.eof:
        raise refusal("corrupt")


def _check_package(archive, parts):
    """Find the main part through the package relationships, as Office does, and refuse what Office
    would run or fetch; every XML part is parsed, hardened, on the way. Returns "docx" or "xlsx"."""
    if "[content_types].xml" not in parts:
        raise refusal("unsupported_type")
    overrides, defaults = {}, {}
    for tag, attrib in _read_xml(archive, parts["[content_types].xml"], {_CT_DEFAULT, _CT_OVERRIDE}):
        if tag == _CT_DEFAULT:
            defaults[attrib.get("Extension", "").lower()] = attrib.get("ContentType", "").lower()
        else:
            overrides[attrib.get("PartName", "").lstrip("/").lower()] = attrib.get("ContentType", "").lower()

    def content_type(name):
        return overrides.get(name) or defaults.get(posixpath.splitext(name)[1][1:], "")

    relationships = []
    if "_rels/.rels" in parts:
        relationships = [attrib for _, attrib in _read_xml(archive, parts["_rels/.rels"], {_RELATIONSHIP})]
    main = next(
        (
            rel
            for rel in relationships
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External"
        ),
        None,
    )
    if main is None:
        raise refusal("unsupported_type")
    if main["Type"].startswith(_STRICT_NS):
        raise refusal("strict_ooxml")
    main_name = posixpath.normpath(main.get("Target", "")).lstrip("/").lower()
    if main_name not in parts:
        raise refusal("corrupt")
    main_type = content_type(main_name)
    if main_type in _MACRO_OR_TEMPLATE_TYPES:
        raise refusal("macros")
    kind = _MAIN_TYPES.get(main_type)
    if kind is None:
        raise refusal("unsupported_type")
    if any(
        posixpath.basename(name) in _MACRO_PART_NAMES
        or "vba" in content_type(name)
        or "macroenabled" in content_type(name)
        for name in parts
    ):
        raise refusal("macros")
    if kind == "xlsx" and any(name.startswith("xl/externallinks/") for name in parts):
        raise refusal("external_link")

    for name, info in parts.items():
        if name in ("[content_types].xml", "_rels/.rels"):
            continue
        if name.endswith(".rels"):
            relationships.extend(attrib for _, attrib in _read_xml(archive, info, {_RELATIONSHIP}))
        elif name.endswith(".xml") or content_type(name).endswith(("+xml", "/xml")):
            _read_xml(archive, info)
    # Office fetches every external target when the file opens, except hyperlinks, followed only on a click.
    if any(
        rel.get("TargetMode") == "External" and not rel.get("Type", "").endswith("/hyperlink") for rel in relationships
    ):
        raise refusal("external_link")
    return kind


class _XmlTarget:
    """lxml parser target that builds no tree, so a large part costs little memory, and that stops the
    parser the moment it meets a DOCTYPE, in any encoding, before any entity is declared or used."""

    def doctype(self, *_):
        raise refusal("doctype")

    def close(self):
        return []


class _Collector(_XmlTarget):
    """Also keeps (tag, attributes) of the elements asked for."""

    def __init__(self, wanted):
        self.wanted = wanted
        self.found = []

    def start(self, tag, attrib):
        if tag in self.wanted:
            self.found.append((tag, dict(attrib)))

    def close(self):
        return self.found


def _read_xml(archive, info, wanted=frozenset()):
    """Parse one part with entities, DTDs, network access and huge trees all off; returns the wanted
    elements. A DOCTYPE is refused by a byte search first and by the parser for encodings the search
    cannot see (UTF-16)."""
    from lxml import etree

    target = _Collector(wanted) if wanted else _XmlTarget()
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    tail = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                if _DOCTYPE.search(tail + chunk):
                    raise refusal("doctype")
                tail = chunk[-8:]
                parser.feed(chunk)
        return parser.close()
    except (etree.XMLSyntaxError, *_ZIP_ERRORS) as exc:
        raise refusal("corrupt") from exc


def _paragraph_texts(root):
    """Text of every w:p under root (body, table cells, text boxes, content controls), one piece per
    paragraph; deleted text is in w:delText and left out."""
    from docx.oxml.ns import qn

    current = []
    for element in root.iter(qn("w:p"), qn("w:t")):
        if element.tag == qn("w:p"):
            yield "".join(current)
            current = []
        else:
            current.append(element.text or "")
    yield "".join(current)


def _docx_pieces(document):
    """Body, then each header and footer part once (sections may share a part)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield from _paragraph_texts(document.element.body)
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            yield from _paragraph_texts(rel.target_part.element)


def _release(package):
    """Let go of a python-docx package's XML trees and pictures now. Its parts and the package refer
    to each other, so they wait for the cycle collector, whose full passes are rare in a long-lived
    worker: meanwhile each upload's trees (megabytes of native memory) would pile up on the last."""
    for part in package.iter_parts():
        vars(part).pop("_element", None)
        vars(part).pop("_blob", None)


def _xlsx_pieces(workbook):
    """Sheet names and cell values.

    Read-only openpyxl pads every row out to its last cell and fills missing rows, so a sheet with one
    cell in column XFD on each row would take hours; the walk ignores the declared dimensions and stops
    after a fixed number of cells, since the text only feeds search.
    """
    remaining = _MAX_XLSX_CELLS
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()
        yield sheet.title
        for row in sheet.iter_rows(values_only=True):
            remaining -= len(row) + 1
            if remaining < 0:
                return
            yield from (str(value) for value in row if value is not None)


# --- PDF -----------------------------------------------------------------------------------------------


def _check_pdf(data):
    """Open with pypdf, refuse encryption and active content, return the text of the pages."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    with _refuse_as_corrupt():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except DependencyError as exc:
            # pypdf needs an AES library only to try the empty password of an AES-256 encrypted file.
            raise refusal("encrypted") from exc
        if reader.is_encrypted:
            raise refusal("encrypted")
        if _pdf_has_active_content(reader):
            raise refusal("pdf_active_content")
        if not len(reader.pages):
            raise refusal("corrupt")
        return _join_capped(_pdf_pieces(reader))


def _pdf_has_active_content(reader):
    """Walk every object reachable from the trailer looking for scripts, launch actions and embedded
    files. The names may sit inside compressed object streams, where a search of the raw bytes would
    miss them."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    pending, seen = [reader.trailer], set()
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _PDF_ACTIVE or (isinstance(value, NameObject) and value in _PDF_ACTIVE):
                    return True
                pending.append(value)
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)
    return False


def _pdf_pieces(reader):
    for page in reader.pages:
        try:
            yield page.extract_text()
        except Exception:  # a page whose fonts pypdf cannot decode still displays; it just adds no text
            continue


def _join_capped(pieces):
    """Join text pieces with newlines up to about 2 million characters: the text only feeds the search
    index. NUL characters are dropped (PostgreSQL text cannot hold them) and the result is NFC."""
    kept, size = [], 0
    for piece in pieces:
        piece = piece.replace("\x00", "").strip()
        if piece:
            kept.append(piece)
            size += len(piece) + 1
            if size > _MAX_TEXT:
                break
    return unicodedata.normalize("NFC", "\n".join(kept)[:_MAX_TEXT])
