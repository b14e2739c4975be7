"""Controlled-copy stamps for downloaded .docx, .xlsx and .pdf files.

A controlled copy is the stored file with one line added to the header of every printed page
(who downloaded which issue, and whether it is still in force). Nothing else in the file may
change: staff compare copies with the original, and an auditor must be able to trust that a
controlled copy *is* the approved document. Every function therefore rewrites only the parts
of the file that carry the stamp and copies the rest of the package as it was uploaded, entry
by entry, still compressed (_rewrite_zip, for both formats).

What a stamp needs from a file apart from the stamp itself (its zip directory, which parts to
stamp, a worksheet's XML around its header) is worked out once per file content and kept in a
bounded cache (_plans): a current form is downloaded many times, and stored files never change.

The stamp must read on a printed page: its label ("BẢN KIỂM SOÁT", "HẾT HIỆU LỰC", "DỰ THẢO") is
bold, at least 9 pt and, where the format can draw one, framed (a character border in .docx, a
thin rectangle in PDF; Excel's header codes have no border, so there it is bold and larger), while
the rest stays small. In .docx a little space after the stamp keeps it off the header's own
content (the commune's documents start their header with a table).

The functions expect files that passed the upload checks (archive size, DOCTYPE, macros, Strict
OOXML are refused there). Any file they still cannot stamp raises ``ValueError`` so that the
caller can decide what to serve instead.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import itertools
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

# python-docx (the .docx stamp), pypdf and reportlab (the PDF stamp) are imported by the functions
# that use them, on the first stamp of that kind: a worker that never stamps a PDF never loads them,
# and none of them is loaded when the application starts.
if TYPE_CHECKING:
    from docx.opc.packuri import PackURI
    from pypdf import PageObject

SEPARATOR = " – "
STAMP_FONT = "Times New Roman"
STAMP_SIZE_PT = 8
LABEL_SIZE_PT = 10  # the label, bold (and framed in .docx): it must stand out on paper
LABEL_BORDER_EIGHTHS = 6  # the .docx label's frame: a single line of 0.75 pt (in eighths of a point)
STAMP_SPACE_AFTER_PT = 4  # .docx: between the stamp and the header's own content

# Libxml2 keeps its size limits and never resolves entities or fetches anything.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Stamp:
    """What a controlled copy says about itself."""

    code: str  # "BM-01-QT-01"
    issue_no: int  # printed as two digits: "Lần ban hành: 02"
    effective_date: str  # already formatted dd/mm/yyyy
    label: str  # "BẢN KIỂM SOÁT" or "HẾT HIỆU LỰC"
    downloaded_by: str  # full name
    downloaded_at: str  # "25/11/2026 14:05", Vietnam time, already formatted
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
        return f"Người tải về: {self.downloaded_by}, lúc {self.downloaded_at}"

    def text(self) -> str:
        """The whole stamp line, e.g. "BẢN KIỂM SOÁT – BM-01-QT-01 – Lần ban hành: 02 – ..."."""
        return self.control_text() + SEPARATOR + self.download_text()


def stamp_file(kind: str, data: bytes, stamp: Stamp, *, sha256: str | None = None) -> bytes:
    """Stamp a file of the given kind ("docx", "xlsx" or "pdf"). sha256: the hex SHA-256 of `data`
    when the caller has just verified it (storage.read_bytes does), so that the stamp cache need
    not hash the file again; a wrong one would apply another file's plan, so never pass a guess."""
    stampers = {"docx": stamp_docx, "xlsx": stamp_xlsx, "pdf": stamp_pdf}
    if kind not in stampers:
        raise ValueError(f"no controlled-copy stamp for .{kind} files")
    if kind == "pdf":
        return stamp_pdf(data, stamp)
    return stampers[kind](data, stamp, sha256=sha256)


# --------------------------------------------------------------------------------------------
# Zip packages
# --------------------------------------------------------------------------------------------

# Entries that are not stamped are copied as they were uploaded, still compressed: inflating and
# deflating every part again cost more than the stamp itself, and copying the compressed bytes
# is the surest way of keeping them identical. The local headers are written afresh from the
# central directory (the record readers trust) with the sizes in them, so data descriptors are
# dropped and ZIP64 fields appear only where a size or an offset needs them.

_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_ENCRYPTED, _DATA_DESCRIPTOR, _STRONG_ENCRYPTION, _UTF8_NAME, _MASKED_HEADERS = 0x1, 0x8, 0x40, 0x800, 0x2000
_ZIP64_EXTRA = 0x0001
# Like zipfile, ZIP64 fields are written from 2 GiB on, for readers that take sizes as signed.
_ZIP64_LIMIT = (1 << 31) - 1
_ZIP_MAX_ENTRIES = 0xFFFF
_ZIP64_VERSION = 45

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_LOCAL_SIGNATURE, _CENTRAL_SIGNATURE = b"PK\x03\x04", b"PK\x01\x02"
_END_SIGNATURE, _ZIP64_END_SIGNATURE, _ZIP64_LOCATOR_SIGNATURE = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"


@dataclass(frozen=True)
class _Entry:
    """One entry of an uploaded archive: its central-directory record and where its compressed
    bytes lie in the archive (offsets only, so that a cached plan does not keep the file)."""

    name: str
    raw_name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed_size: int
    size: int
    local_extra: bytes  # extra fields without ZIP64, which is rewritten to fit the copy
    central_extra: bytes
    comment: bytes
    create_version: int
    create_system: int
    extract_version: int
    internal_attr: int
    external_attr: int
    data_offset: int = 0

    @classmethod
    def new(cls, name: str) -> _Entry:
        """An entry for a part the stamp adds, with zipfile's defaults."""
        utf8 = not name.isascii()
        return cls(
            name=name,
            raw_name=name.encode("utf-8" if utf8 else "ascii"),
            flags=_UTF8_NAME if utf8 else 0,
            method=_DEFLATED,
            dos_time=0,
            dos_date=(1 << 5) | 1,
            crc=0,
            compressed_size=0,
            size=0,
            local_extra=b"",
            central_extra=b"",
            comment=b"",
            create_version=zipfile.DEFAULT_VERSION,
            create_system=3,
            extract_version=zipfile.DEFAULT_VERSION,
            internal_attr=0,
            external_attr=0,
        )


@dataclass(frozen=True)
class _Content:
    """An entry's compressed bytes (possibly in several chunks) with what its headers say."""

    method: int
    crc: int
    size: int
    compressed_size: int
    chunks: tuple


class _Package:
    """The directory of a zip archive, read once; the archive's bytes are passed to each call."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos, self.comment = archive.infolist(), archive.comment
        entries, seen = [], set()
        for info in infos:
            # Part names are case-insensitive in OOXML: a second "Word/Document.xml" is as
            # ambiguous as a second "word/document.xml", readers would pick different ones.
            if info.filename.lower() in seen:
                raise ValueError(f"the package holds {info.filename} twice")
            seen.add(info.filename.lower())
            entries.append(self._entry(data, info))
        self.entries = tuple(entries)
        self._by_name = {entry.name: entry for entry in entries}
        self.names = frozenset(self._by_name)
        self.lower_names = frozenset(seen)

    @staticmethod
    def _entry(data: bytes, info: zipfile.ZipInfo) -> _Entry:
        if info.flag_bits & (_ENCRYPTED | _STRONG_ENCRYPTION | _MASKED_HEADERS):
            raise ValueError(f"the package entry {info.filename} is encrypted")
        if info.compress_type not in (_STORED, _DEFLATED):
            raise ValueError(f"the package entry {info.filename} uses compression method {info.compress_type}")
        raw_name = info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8_NAME else "cp437")
        header = data[info.header_offset : info.header_offset + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or not header.startswith(_LOCAL_SIGNATURE):
            raise ValueError(f"the local header of {info.filename} is missing")
        name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
        name_start = info.header_offset + _LOCAL_HEADER.size
        if data[name_start : name_start + name_length] != raw_name:
            raise ValueError(f"the local header of {info.filename} names another file")
        data_offset = name_start + name_length + extra_length
        if data_offset + info.compress_size > len(data):
            raise ValueError(f"the package entry {info.filename} is truncated")
        year, month, day, hour, minute, second = info.date_time
        return _Entry(
            name=info.filename,
            raw_name=raw_name,
            flags=info.flag_bits,
            method=info.compress_type,
            dos_time=(hour << 11) | (minute << 5) | (second // 2),
            dos_date=((year - 1980) << 9) | (month << 5) | day,
            crc=info.CRC,
            compressed_size=info.compress_size,
            size=info.file_size,
            local_extra=_without_zip64(data[name_start + name_length : data_offset]),
            central_extra=_without_zip64(info.extra),
            comment=info.comment,
            create_version=info.create_version,
            create_system=info.create_system,
            extract_version=info.extract_version,
            internal_attr=info.internal_attr,
            external_attr=info.external_attr,
            data_offset=data_offset,
        )

    def entry(self, name: str) -> _Entry:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"missing package part {name}") from None

    def read(self, data: bytes, name: str) -> bytes:
        """The uncompressed bytes of an entry, checked against its size and CRC (inflating no
        more than the size it declares)."""
        entry = self.entry(name)
        raw = data[entry.data_offset : entry.data_offset + entry.compressed_size]
        if entry.method == _STORED:
            payload = raw
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            payload = inflater.decompress(raw, entry.size + 1)
            if not inflater.eof:
                raise ValueError(f"the package entry {name} is truncated or larger than it says")
        if len(payload) != entry.size or zlib.crc32(payload) != entry.crc:
            raise ValueError(f"the package entry {name} is damaged")
        return payload

    def compress(self, name: str, payload: bytes) -> _Content:
        """New content for entry `name`, stored if the uploaded entry was stored, else deflated
        (as zipfile does, at zlib's default level)."""
        method = self._by_name[name].method if name in self._by_name else _DEFLATED
        return _content(method, (payload,))

    def size(self) -> int:
        """Roughly what this directory holds in memory, for the plan cache."""
        return sum(200 + len(e.raw_name) + len(e.local_extra) + len(e.central_extra) for e in self.entries)


def _deflater():
    """A raw deflate stream at zlib's default level, as zipfile writes."""
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)


def _content(method: int, pieces, *, head: tuple[bytes, int, int] | None = None) -> _Content:
    """Compress `pieces` (uncompressed byte strings, concatenated) into one entry's content;
    `head` = (compressed bytes, crc, size) of a part compressed earlier that comes first, ended by
    a sync flush (byte-aligned, not final), so that the two deflate streams join into one."""
    chunks, crc, size = ((head[0],), head[1], head[2]) if head else ((), 0, 0)
    for piece in pieces:
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    if method == _STORED:
        chunks += tuple(pieces)
    else:
        compressor = _deflater()
        chunks += tuple(compressor.compress(piece) for piece in pieces) + (compressor.flush(),)
    return _Content(method, crc, size, sum(len(chunk) for chunk in chunks), chunks)


def _head(method: int, payload: bytes) -> tuple[bytes, int, int]:
    """The first part of an entry compressed on its own, for _content(head=...)."""
    if method == _STORED:
        return payload, zlib.crc32(payload), len(payload)
    compressor = _deflater()
    return compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(payload), len(payload)


def _without_zip64(extra: bytes) -> bytes:
    """Extra fields minus ZIP64's (sizes and offsets change in the copy); a malformed extra
    field is dropped whole, as zipfile's writer always did."""
    kept, position = [], 0
    while position + 4 <= len(extra):
        field_id, length = struct.unpack_from("<HH", extra, position)
        end = position + 4 + length
        if end > len(extra):
            return b""
        if field_id != _ZIP64_EXTRA:
            kept.append(extra[position:end])
        position = end
    return b"".join(kept) if position == len(extra) else b""


def _rewrite_zip(package: _Package, data: bytes, replacements: dict[str, _Content]) -> bytes:
    """Copy a zip archive entry by entry, in order, with each entry's name, date, attributes,
    extra fields and comment, replacing the content of the entries named in `replacements`;
    names that are not in the archive yet are appended. Entries not replaced are copied
    compressed, byte for byte."""
    view = memoryview(data)
    out, central, offset = [], [], 0
    entries = list(package.entries) + [_Entry.new(name) for name in replacements if name not in package.names]
    for entry in entries:
        content = replacements.get(entry.name)
        if content is None:
            end = entry.data_offset + entry.compressed_size
            content = _Content(
                entry.method, entry.crc, entry.size, entry.compressed_size, (view[entry.data_offset : end],)
            )
            flags = entry.flags & ~_DATA_DESCRIPTOR
        else:
            flags = entry.flags & _UTF8_NAME
        local, record = _headers(entry, flags, content, offset)
        out.append(local)
        out.extend(content.chunks)
        central.append(record)
        offset += len(local) + content.compressed_size
    out.extend(central)
    out.append(_end_records(len(entries), sum(len(record) for record in central), offset, package.comment))
    return b"".join(out)


def _headers(entry: _Entry, flags: int, content: _Content, offset: int) -> tuple[bytes, bytes]:
    """The local header and the central-directory record of an entry written at `offset`."""
    size, compressed_size = content.size, content.compressed_size
    large = size > _ZIP64_LIMIT or compressed_size > _ZIP64_LIMIT
    local_extra, local_sizes = entry.local_extra, (compressed_size, size)
    if large:
        # The local header's ZIP64 field holds both sizes, the central one only what overflows.
        local_extra = struct.pack("<HHQQ", _ZIP64_EXTRA, 16, size, compressed_size) + local_extra
        local_sizes = (0xFFFFFFFF, 0xFFFFFFFF)
    overflowing = [value for value in (size, compressed_size, offset) if value > _ZIP64_LIMIT]
    central_extra = entry.central_extra
    if overflowing:
        central_extra = (
            struct.pack(f"<HH{len(overflowing)}Q", _ZIP64_EXTRA, 8 * len(overflowing), *overflowing) + central_extra
        )
    needed = _ZIP64_VERSION if overflowing else 20 if content.method == _DEFLATED else 10
    version = max(entry.extract_version, needed)
    create_version = max(entry.create_version, needed) if overflowing else entry.create_version

    def field(value):
        return 0xFFFFFFFF if value > _ZIP64_LIMIT else value

    local = (
        _LOCAL_HEADER.pack(
            _LOCAL_SIGNATURE,
            version,
            0,
            flags,
            content.method,
            entry.dos_time,
            entry.dos_date,
            content.crc,
            *local_sizes,
            len(entry.raw_name),
            len(local_extra),
        )
        + entry.raw_name
        + local_extra
    )
    record = (
        _CENTRAL_HEADER.pack(
            _CENTRAL_SIGNATURE,
            create_version,
            entry.create_system,
            version,
            0,
            flags,
            content.method,
            entry.dos_time,
            entry.dos_date,
            content.crc,
            field(compressed_size),
            field(size),
            len(entry.raw_name),
            len(central_extra),
            len(entry.comment),
            0,
            entry.internal_attr,
            entry.external_attr,
            field(offset),
        )
        + entry.raw_name
        + central_extra
        + entry.comment
    )
    return local, record


def _end_records(count: int, directory_size: int, directory_offset: int, comment: bytes) -> bytes:
    """The end-of-central-directory record, preceded by the ZIP64 ones when a value overflows."""
    records = b""
    if count > _ZIP_MAX_ENTRIES or directory_size > _ZIP64_LIMIT or directory_offset > _ZIP64_LIMIT:
        zip64_offset = directory_offset + directory_size
        records = _ZIP64_END_RECORD.pack(
            _ZIP64_END_SIGNATURE,
            _ZIP64_END_RECORD.size - 12,
            _ZIP64_VERSION,
            _ZIP64_VERSION,
            0,
            0,
            count,
            count,
            directory_size,
            directory_offset,
        ) + _ZIP64_LOCATOR.pack(_ZIP64_LOCATOR_SIGNATURE, 0, zip64_offset, 1)
        count, directory_size, directory_offset = (
            min(count, _ZIP_MAX_ENTRIES),
            min(directory_size, 0xFFFFFFFF),
            0xFFFFFFFF,
        )
    return (
        records
        + _END_RECORD.pack(_END_SIGNATURE, 0, 0, count, count, directory_size, directory_offset, len(comment))
        + comment
    )


# --------------------------------------------------------------------------------------------
# Work that does not depend on who downloads
# --------------------------------------------------------------------------------------------

# Stored files never change (they are addressed by their SHA-256), and the same current form
# is downloaded again and again: what a stamp needs from a file besides the stamp itself (its
# zip directory, which header parts to stamp, the worksheet XML before the header, compressed)
# is kept per file content, least recently used first out, within a memory budget.
PLAN_CACHE_BYTES = 32 * 2**20


class _PlanCache:
    """Plans keyed by (kind, SHA-256 of the file), least recently used evicted first; safe to share
    between threads (a plan is never changed once built)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._plans: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, kind: str, data: bytes, build, *, sha256: str | None = None):
        """The plan of `data`, built with build(data) when it is not cached (keyed by `sha256`, the
        verified digest of `data`, when given). A plan must not refer to `data` (only to offsets in
        it) and must report its size."""
        key = (kind, sha256 or hashlib.sha256(data).hexdigest())
        with self._lock:
            cached = self._plans.get(key)
            if cached is not None:
                self._plans.move_to_end(key)
                return cached[0]
        plan = build(data)
        size = plan.size()
        # A plan bigger than a quarter of the budget would push out many others for one file.
        if size <= self.max_bytes // 4:
            with self._lock:
                if key not in self._plans:
                    self._plans[key] = (plan, size)
                    self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (_, evicted) = self._plans.popitem(last=False)
                    self._bytes -= evicted
        return plan

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._plans)

    @property
    def bytes(self) -> int:
        return self._bytes


_plans = _PlanCache(PLAN_CACHE_BYTES)


# --------------------------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> etree._ElementTree:
    tree = etree.parse(io.BytesIO(data), _XML_PARSER)
    if tree.docinfo.doctype:
        raise ValueError("XML parts with a DOCTYPE are not stamped")
    return tree


def _serialize_xml(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)


def _unstampable(kind: str, exc: Exception) -> ValueError:
    return ValueError(f"this .{kind} file cannot be stamped: {exc}")


# --------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------


# Section properties giving each header Word may display; first-page and even-page headers are
# shown only when the section (titlePg) or the document settings (evenAndOddHeaders) enable them.
def _header_kinds():
    """(primary, first page, even page): python-docx's WD_HEADER_FOOTER members."""
    from docx.enum.section import WD_HEADER_FOOTER

    return WD_HEADER_FOOTER.PRIMARY, WD_HEADER_FOOTER.FIRST_PAGE, WD_HEADER_FOOTER.EVEN_PAGE


# The header python-docx creates ("/word/header%d.xml", one empty "Header" paragraph).
_NEW_HEADER_TEMPLATE = "word/header%d.xml"


@functools.cache
def _new_header_xml() -> bytes:
    from docx.parts.hdrftr import HeaderPart

    return HeaderPart._default_header_xml()


def stamp_docx(data: bytes, stamp: Stamp, *, sha256: str | None = None) -> bytes:
    """Add the stamp as a new first paragraph of every header part Word displays.

    Headers linked to the previous section are resolved to the part they really use, so each
    part is stamped once. A displayed header that no section defines is created on the first
    section (where python-docx creates one), which every later section inherits.

    Only the stamped header parts (and, when a header had to be created, document.xml with its
    relationships and [Content_Types].xml) are rewritten, with python-docx's XML classes and
    serialisation, so they read exactly as python-docx would have saved them; every other entry
    is copied from the upload, still compressed. Which parts to stamp, and the rewritten
    document parts, do not depend on the stamp and are kept per file (_plans).
    """
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml as parse_docx_xml

    try:
        plan = _plans.get("docx", data, _DocxPlan.build, sha256=sha256)
        replacements = dict(plan.changed)
        paragraphs = _stamp_paragraphs(stamp)
        for name, xml in plan.headers:
            header = parse_docx_xml(xml)
            _insert_stamp_paragraphs(header, paragraphs)
            replacements[name] = plan.package.compress(name, serialize_part_xml(header))
        return _rewrite_zip(plan.package, data, replacements)
    except ValueError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx's classes raise many kinds of errors
        raise _unstampable("docx", exc) from exc


@dataclass(frozen=True)
class _Relationship:
    """One relationship of the main document part, as python-docx loads it and writes it back."""

    reltype: str
    target_ref: str  # as python-docx writes it back: relative to the source part when internal
    is_external: bool
    name: str = ""  # the target's zip entry name, when internal


@dataclass(frozen=True)
class _DocxPlan:
    """What stamping a .docx needs besides the stamp."""

    package: _Package
    # (entry name, XML) of each header part Word displays, once; a part created for the stamp
    # starts as python-docx's default header and is appended to the package.
    headers: tuple
    # entry name -> new content of document.xml, its relationships and [Content_Types].xml,
    # when headers were created (empty otherwise).
    changed: dict

    def size(self) -> int:
        return (
            self.package.size()
            + sum(len(xml) for _, xml in self.headers)
            + sum(content.compressed_size for content in self.changed.values())
        )

    @classmethod
    def build(cls, data: bytes) -> _DocxPlan:
        """The same walk through the sections as python-docx's Document.sections / header API,
        on the parts it needs only: the package and document relationships, document.xml,
        settings.xml and the header parts."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.oxml import CT_Relationships, serialize_part_xml
        from docx.opc.packuri import PackURI
        from docx.oxml.parser import parse_xml as parse_docx_xml

        primary, first, even = _header_kinds()

        package = _Package(data)
        document_uri, content_types = _main_document(package, data)
        document = parse_docx_xml(package.read(data, document_uri.membername))
        relationships = _docx_relationships(package, data, document_uri)
        kinds = [primary, even] if _even_and_odd_headers(package, data, relationships) else [primary]
        if not document.sectPr_lst:
            # A document without section properties (Word writes them, some generators do not) is
            # laid out with the defaults; an empty body-level sectPr keeps those defaults and
            # gives the stamp's header a section to belong to.
            document.body.get_or_add_sectPr()
        sections = document.sectPr_lst
        headers, created = {}, []

        def new_header(sectPr, kind) -> str:
            taken = package.lower_names | {name.lower() for name in created}
            name = next(
                _NEW_HEADER_TEMPLATE % n for n in itertools.count(1) if (_NEW_HEADER_TEMPLATE % n).lower() not in taken
            )
            rId = next(f"rId{n}" for n in itertools.count(1) if f"rId{n}" not in relationships)
            relationships[rId] = _Relationship(
                RT.HEADER, PackURI("/" + name).relative_ref(document_uri.baseURI), False, name
            )
            sectPr.add_headerReference(kind, rId)
            created.append(name)
            return name

        for index, sectPr in enumerate(sections):
            first_page = [first] if sectPr.titlePg_val else []
            for kind in kinds + first_page:
                name = _defining_header(sections, index, kind, relationships, new_header)
                if name not in headers:  # a part shared by several sections is stamped once
                    headers[name] = _new_header_xml() if name in created else package.read(data, name)

        changed = {}
        if created:
            rels_name = document_uri.rels_uri.membername
            rels = CT_Relationships.new()
            for rId, rel in relationships.items():
                rels.add_rel(rId, rel.reltype, rel.target_ref, rel.is_external)
            changed = {
                document_uri.membername: package.compress(document_uri.membername, serialize_part_xml(document)),
                rels_name: package.compress(rels_name, rels.xml),
                "[Content_Types].xml": package.compress("[Content_Types].xml", _with_overrides(content_types, created)),
            }
        return cls(package, tuple(headers.items()), changed)


def _main_document(package: _Package, data: bytes) -> tuple[PackURI, bytes]:
    """The main document part, found and checked as docx.Document() does."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.oxml import parse_xml as parse_opc_xml
    from docx.opc.packuri import PackURI

    rels = parse_opc_xml(package.read(data, "_rels/.rels")).Relationship_lst
    main = [rel for rel in rels if rel.reltype == RT.OFFICE_DOCUMENT]
    if len(main) != 1 or main[0].target_mode == RTM.EXTERNAL:
        raise ValueError("the package has no single main document part")
    uri = PackURI.from_rel_ref("/", main[0].target_ref)
    content_types = package.read(data, "[Content_Types].xml")
    types = parse_opc_xml(content_types)
    overrides = {override.partname.lower(): override.content_type for override in types.overrides}
    defaults = {default.extension.lower(): default.content_type for default in types.defaults}
    content_type = overrides.get(uri.lower()) or defaults.get(uri.ext.lower())
    if content_type != CT.WML_DOCUMENT_MAIN:
        raise ValueError(f"the main part is not a Word document ({content_type})")
    return uri, content_types


def _docx_relationships(package: _Package, data: bytes, source: PackURI) -> dict:
    """{rId: _Relationship} of a part, in order, as python-docx loads them (a part without
    relationships has none)."""
    from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
    from docx.opc.oxml import parse_xml as parse_opc_xml
    from docx.opc.packuri import PackURI

    rels_name = source.rels_uri.membername
    if rels_name not in package.names:
        return {}
    relationships = {}
    for rel in parse_opc_xml(package.read(data, rels_name)).Relationship_lst:
        if rel.target_mode == RTM.EXTERNAL:
            relationships[rel.rId] = _Relationship(rel.reltype, rel.target_ref, True)
        else:
            target = PackURI.from_rel_ref(source.baseURI, rel.target_ref)
            relationships[rel.rId] = _Relationship(
                rel.reltype, target.relative_ref(source.baseURI), False, target.membername
            )
    return relationships


def _even_and_odd_headers(package: _Package, data: bytes, relationships: dict) -> bool:
    """Whether the settings enable even-page headers (a package without settings has none)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml as parse_docx_xml

    settings = [rel for rel in relationships.values() if rel.reltype == RT.SETTINGS]
    if not settings:
        return False
    if len(settings) > 1 or settings[0].is_external:
        raise ValueError("the document has no single settings part")
    return parse_docx_xml(package.read(data, settings[0].name)).evenAndOddHeaders_val


def _defining_header(sections, index: int, kind, relationships: dict, new_header) -> str:
    """Entry name of the header part that section `index` displays for `kind`, walking back
    through linked sections; when no section defines one, new_header() adds a definition to
    the first section, which every section inheriting it then shows."""
    for sectPr in reversed(sections[: index + 1]):
        reference = sectPr.get_headerReference(kind)
        if reference is not None:
            rel = relationships.get(reference.rId)
            if rel is None or rel.is_external:
                raise ValueError(f"the header reference {reference.rId} leads to no part")
            return rel.name
    return new_header(sections[0], kind)


def _stamp_paragraphs(stamp: Stamp) -> list:
    """The stamp line (and the sign-off line under it) as w:p elements, centred, in the stamp
    font: the label bold, larger and framed, the rest small; the last line keeps some space from
    what follows. The text goes in through python-docx's run API, which also turns tabs and line
    breaks into w:tab and w:br as it always did."""
    from docx.text.run import Run

    lines = [((True, False), (stamp.label, stamp.text()[len(stamp.label) :]))]
    if stamp.signed:
        lines.append(((False,), (stamp.signed,)))
    paragraphs = []
    for number, (label, texts) in enumerate(lines, 1):
        p = copy.deepcopy(_paragraph_template(label, last=number == len(lines)))
        for r, text in zip(p.r_lst, texts):
            if text and not any(c in text for c in "\t\r\n"):
                r.add_t(text)  # what Run.text writes for such a text, without its walk letter by letter
            else:
                Run(r, None).text = text
        paragraphs.append(p)
    return paragraphs


@functools.cache
def _paragraph_template(label: tuple[bool, ...], *, last: bool):
    """A stamp paragraph with one empty run per entry of `label` (True: the label's run), single
    spaced, with space after it if it is the `last` line of the stamp, formatted with python-docx's
    API once (formatting every paragraph anew took most of a stamp's time)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt
    from docx.text.paragraph import Paragraph

    paragraph = Paragraph(OxmlElement("w:p"), None)
    layout = paragraph.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout.space_before = Pt(0)
    layout.space_after = Pt(STAMP_SPACE_AFTER_PT if last else 0)
    # single spacing of its own: a document's exact line height would clip the framed label
    layout.line_spacing = 1.0
    for is_label in label:
        run = paragraph.add_run()
        run.bold = is_label
        run.font.name = STAMP_FONT
        run.font.size = Pt(LABEL_SIZE_PT if is_label else STAMP_SIZE_PT)
        if is_label:
            # w:bdr comes after w:sz in CT_RPr's sequence, and nothing set here follows it
            run._r.get_or_add_rPr().append(_label_border())
    return paragraph._p


def _label_border():
    """<w:bdr>: a frame around the label's characters, a single dark line two points away from them
    (Word and LibreOffice draw it around the run)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    border = OxmlElement("w:bdr")
    for name, value in (("val", "single"), ("sz", str(LABEL_BORDER_EIGHTHS)), ("space", "2"), ("color", "auto")):
        border.set(qn(f"w:{name}"), value)
    return border


def _insert_stamp_paragraphs(header, paragraphs) -> None:
    """Put copies of the stamp paragraphs above the existing content of a header part's root
    element (w:hdr)."""
    for position, p in enumerate(paragraphs):
        header.insert(position, copy.deepcopy(p))


def _with_overrides(content_types: bytes, names) -> bytes:
    """[Content_Types].xml as uploaded plus an Override for each new header part."""
    from docx.opc.constants import CONTENT_TYPE as CT

    tree = _parse_xml(content_types)
    root = tree.getroot()
    override = etree.QName(etree.QName(root).namespace, "Override").text
    for name in names:
        etree.SubElement(root, override, PartName="/" + name, ContentType=CT.WML_HEADER)
    return _serialize_xml(tree)


# --------------------------------------------------------------------------------------------
# .xlsx
# --------------------------------------------------------------------------------------------

# Excel refuses a workbook whose header or footer string is longer than this.
XLSX_HEADER_MAX = 255

# Children of CT_Worksheet that precede <headerFooter> in the schema sequence.
_BEFORE_HEADER_FOOTER = {
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
}
# Children of CT_HeaderFooter, in schema order.
_HEADER_FOOTER_CHILDREN = (
    "oddHeader",
    "oddFooter",
    "evenHeader",
    "evenFooter",
    "firstHeader",
    "firstFooter",
)


def stamp_xlsx(data: bytes, stamp: Stamp, *, sha256: str | None = None) -> bytes:
    """Put the stamp in the header of every worksheet; change nothing else.

    openpyxl's load-and-save loses drawings, comments, precision and more, so the package is
    edited at the zip level: only <headerFooter> of each worksheet part changes, every other
    entry is copied as uploaded, still compressed. The stamp goes in the right-hand header
    section, keeping any existing header text, in each header Excel shows (odd, and even/first
    when enabled), as two lines: the document's identity and status, then who downloaded it
    when. When the result would exceed Excel's 255-character limit, the "Người tải về: ..."
    line moves to the left-hand footer section; if even that does not fit, ValueError. The
    sign-off line goes in the right-hand footer section, where it fits; the header is what
    makes the copy controlled.

    Within a worksheet, the bytes before and after <headerFooter> are kept as uploaded and only
    that element is written anew (_SplicedSheet), when it can be located safely; otherwise the
    sheet is parsed and serialised whole (_WholeSheet). The located sheet, its XML before the
    header already compressed, is kept per file (_plans).
    """
    try:
        plan = _plans.get("xlsx", data, _XlsxPlan.build, sha256=sha256)
        replacements = {sheet.name: sheet.stamped(plan.package, data, stamp) for sheet in plan.sheets}
        return _rewrite_zip(plan.package, data, replacements)
    except ValueError:
        raise
    except Exception as exc:  # zipfile and lxml raise several kinds of errors on bad packages
        raise _unstampable("xlsx", exc) from exc


@dataclass(frozen=True)
class _XlsxPlan:
    package: _Package
    sheets: tuple

    def size(self) -> int:
        return self.package.size() + sum(sheet.size() for sheet in self.sheets)

    @classmethod
    def build(cls, data: bytes) -> _XlsxPlan:
        package = _Package(data)
        sheets = []
        for name in _worksheet_names(package, data):
            method = package.entry(name).method
            sheets.append(_SplicedSheet.locate(name, method, package.read(data, name)) or _WholeSheet(name))
        return cls(package, tuple(sheets))


def _worksheet_names(package: _Package, data: bytes) -> list[str]:
    """Zip names of the worksheets listed in the workbook (chart, dialog and macro sheets
    are skipped)."""
    workbook = _related_targets(package, data, "", "/officeDocument")
    if len(workbook) != 1:
        raise ValueError("the package has no single workbook part")
    workbook_name = next(iter(workbook.values()))
    worksheets = _related_targets(package, data, workbook_name, "/worksheet")
    root = _parse_xml(package.read(data, workbook_name)).getroot()
    names = []
    for sheet in root.iter(etree.QName(etree.QName(root).namespace, "sheet").text):
        rel_id = next((v for k, v in sheet.attrib.items() if etree.QName(k).localname == "id"), None)
        if rel_id in worksheets:
            names.append(worksheets[rel_id])
    return names


def _related_targets(package: _Package, data: bytes, source: str, type_suffix: str) -> dict[str, str]:
    """{relationship id: zip name} of the internal relationships of `source` ("" for the
    package) whose type ends with `type_suffix` (transitional and strict types both match)."""
    folder, base = posixpath.split(source)
    rels = _parse_xml(package.read(data, posixpath.join(folder, "_rels", base + ".rels"))).getroot()
    targets = {}
    for rel in rels:
        if not rel.get("Type", "").endswith(type_suffix) or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if name not in package.names:
            raise ValueError(f"missing package part {name}")
        targets[rel.get("Id")] = name
    return targets


def _header_footer_strings(pages, current, stamp: Stamp) -> dict[str, str]:
    """{child name: new string} of <headerFooter> for the stamp, given the pages Excel shows
    ("odd", "even", "first") and current(name), the string a child holds now ("" if none)."""
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
    return strings


def _shown_pages(header_footer) -> tuple[str, ...]:
    """The pages whose headers Excel shows, from <headerFooter>'s attributes."""
    pages = ["odd"]
    if header_footer is not None and header_footer.get("differentOddEven") in ("1", "true"):
        pages.append("even")
    if header_footer is not None and header_footer.get("differentFirst") in ("1", "true"):
        pages.append("first")
    return tuple(pages)


@dataclass(frozen=True)
class _WholeSheet:
    """A worksheet stamped by parsing and serialising it whole."""

    name: str

    def size(self) -> int:
        return 100

    def stamped(self, package: _Package, data: bytes, stamp: Stamp) -> _Content:
        return package.compress(self.name, _stamp_worksheet(package.read(data, self.name), stamp))


def _stamp_worksheet(xml: bytes, stamp: Stamp) -> bytes:
    tree = _parse_xml(xml)
    root = tree.getroot()
    ns = etree.QName(root).namespace
    header_footer = root.find(f"{{{ns}}}headerFooter")
    if header_footer is None:
        header_footer = etree.Element(f"{{{ns}}}headerFooter")
        predecessors = [
            c
            for c in root
            if isinstance(c.tag, str)  # comments and PIs have no name
            and etree.QName(c).localname in _BEFORE_HEADER_FOOTER
        ]
        predecessors[-1].addnext(header_footer)

    def current(name: str) -> str:
        element = header_footer.find(f"{{{ns}}}{name}")
        return "" if element is None or element.text is None else element.text

    for name, value in _header_footer_strings(_shown_pages(header_footer), current, stamp).items():
        _set_header_footer_child(header_footer, ns, name, value)
    return _serialize_xml(tree)


def _excel_stamp(label: str, text: str) -> str:
    """Header/footer codes for `text` in the stamp font, with `label` (its start) bold at the
    label's size and the rest at the stamp's size.

    A size code is always followed by another code, never by the text, because "&8" directly
    followed by text starting with a digit would be read as a larger size. Bold is toggled with
    &B after a font code that resets the style to Regular, so it does not depend on text already
    in the section; one font code per stamp also keeps openpyxl's simple header parser reading
    it correctly (it reads a font name up to the last quote).
    """

    def escaped(value: str) -> str:
        return value.replace("&", "&&")

    font = f'&"{STAMP_FONT},Regular"'
    if not label:
        return f"&{STAMP_SIZE_PT}{font}{escaped(text)}"
    return f"&{LABEL_SIZE_PT}{font}&B{escaped(label)}&{STAMP_SIZE_PT}&B{escaped(text[len(label) :])}"


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


def _insert_position(names, name: str) -> int | None:
    """Index of the first of `names` that comes after `name` in <headerFooter>'s schema order."""
    later = _HEADER_FOOTER_CHILDREN[_HEADER_FOOTER_CHILDREN.index(name) + 1 :]
    return next((i for i, other in enumerate(names) if other in later), None)


def _set_header_footer_child(header_footer, ns: str, name: str, value: str) -> None:
    element = header_footer.find(f"{{{ns}}}{name}")
    if element is None:
        element = etree.Element(f"{{{ns}}}{name}")
        position = _insert_position((etree.QName(c).localname for c in header_footer), name)
        if position is None:
            header_footer.append(element)
        else:
            header_footer[position].addprevious(element)
    element.text = value


# A start tag (group 2 is "/" when it is an empty-element tag) and an end tag. They read the
# tags only of XML that lxml has parsed and that holds no comment, CDATA section or processing
# instruction: there every "<" opens a tag, and a ">" inside a tag can only be in a quoted value.
_START_TAG = re.compile(rb"""<([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_END_TAG = re.compile(rb"</([^\s>]+)\s*>")
_NOT_TAGS_ONLY = (b"<!", b"<?", b"?>", b"-->", b"]]>")


def _qname(element) -> bytes:
    """The element's name as written in the XML, prefix included."""
    local = etree.QName(element).localname
    return (f"{element.prefix}:{local}" if element.prefix else local).encode()


@dataclass(frozen=True)
class _SplicedSheet:
    """A worksheet whose <headerFooter> (or the place where one goes) has been located in its
    bytes: a stamped copy is the bytes before it, a new <headerFooter>, the bytes after it.

    <headerFooter> comes late in a worksheet (after sheetData, the bulk of it; see
    _BEFORE_HEADER_FOOTER), so only the little XML after sheetData is read tag by tag, and
    only when it holds nothing but elements and text, the element names it finds are exactly
    lxml's, and <headerFooter> is plain (text-only children with no attributes, one prefix for
    the namespace). Otherwise locate() returns None and the sheet is stamped whole.
    """

    name: str
    method: int
    head: tuple  # the XML before the splice, compressed: _head()
    tail: bytes  # the XML after it
    prefix: str  # of the spreadsheetml namespace: "" or "x:"
    open_tag: bytes  # <headerFooter ...> and any text before its first child
    children: tuple  # (name, element as uploaded, text after it) of each child
    close_tag: bytes
    pages: tuple
    texts: dict  # child name -> the string it holds now

    def size(self) -> int:
        return (
            500
            + len(self.head[0])
            + len(self.tail)
            + len(self.open_tag)
            + sum(len(element) + len(after) for _, element, after in self.children)
        )

    def stamped(self, package: _Package, data: bytes, stamp: Stamp) -> _Content:
        strings = _header_footer_strings(self.pages, lambda name: self.texts.get(name, ""), stamp)
        children = [list(child) for child in self.children]
        for name, value in strings.items():
            # as _set_header_footer_child: replace the first such child, else insert it in
            # schema order before the first child that follows it, else append it
            names = [child[0] for child in children]
            element = _text_element(self.prefix + name, value)
            if name in names:
                children[names.index(name)][1] = element
            else:
                position = _insert_position(names, name)
                children.insert(len(names) if position is None else position, [name, element, b""])
        header_footer = b"".join([self.open_tag, *(element + after for _, element, after in children), self.close_tag])
        return _content(self.method, (header_footer, self.tail), head=self.head)

    @classmethod
    def locate(cls, name: str, method: int, xml: bytes) -> _SplicedSheet | None:
        tree = _parse_xml(xml)  # also what tells a well-formed sheet
        root = tree.getroot()
        ns = etree.QName(root).namespace
        prefixes = [prefix for prefix, uri in root.nsmap.items() if uri == ns]
        children = list(root)
        if (
            (tree.docinfo.encoding or "").upper() != "UTF-8"
            or len(prefixes) != 1
            or not all(isinstance(child.tag, str) for child in children)
        ):
            return None
        sheet_data = [i for i, child in enumerate(children) if child.tag == f"{{{ns}}}sheetData"]
        if len(sheet_data) != 1:
            return None
        first = sheet_data[0]
        after = _end_of_element(xml, _qname(children[first]))
        if after is None or any(marker in xml[after:] for marker in _NOT_TAGS_ONLY):
            return None
        located = _children_after(xml, after, _qname(root))
        if located is None or [q for q, _, _ in located[0]] != [_qname(c) for c in children[first + 1 :]]:
            return None
        spans, root_end = located
        prefix = f"{prefixes[0]}:" if prefixes[0] else ""
        header_footer = root.find(f"{{{ns}}}headerFooter")
        if header_footer is None:
            last = max(i for i, child in enumerate(children) if etree.QName(child).localname in _BEFORE_HEADER_FOOTER)
            # lxml's addnext puts the new element after the predecessor's tail text
            start = end = spans[last - first][1] if last - first < len(spans) else root_end
            element = f"{prefix}headerFooter".encode()
            pieces = (b"<" + element + b">", (), b"</" + element + b">")
            texts = {}
        else:
            index = children.index(header_footer)
            if index < first:
                return None
            _, start, end = spans[index - first - 1]
            pieces = _header_footer_pieces(xml, start, end, header_footer, root, ns)
            if pieces is None:
                return None
            texts = {}
            for child in header_footer:
                texts.setdefault(etree.QName(child).localname, child.text or "")
        open_tag, items, close_tag = pieces
        return cls(
            name,
            method,
            _head(method, xml[:start]),
            xml[end:],
            prefix,
            open_tag,
            items,
            close_tag,
            _shown_pages(header_footer),
            texts,
        )


def _end_of_element(xml: bytes, qname: bytes) -> int | None:
    """Where the last element named `qname` ends (checked by the caller to be the one wanted)."""
    position = xml.rfind(b"</" + qname)
    if position >= 0:
        match = _END_TAG.match(xml, position)
        return match.end() if match and match.group(1) == qname else None
    position = xml.rfind(b"<" + qname)
    match = _START_TAG.match(xml, position) if position >= 0 else None
    return match.end() if match and match.group(1) == qname and match.group(2) else None


def _children_after(xml: bytes, position: int, root_qname: bytes):
    """([(name, start, end)] of each element at the root's level from `position` on, position
    of the root's end tag), or None if the tags do not nest as expected."""
    spans, depth = [], 0
    while True:
        start = xml.find(b"<", position)
        if start < 0:
            return None
        if xml.startswith(b"</", start):
            match = _END_TAG.match(xml, start)
            if match is None:
                return None
            if depth == 0:
                if match.group(1) != root_qname or xml[match.end() :].strip():
                    return None
                return spans, start
            depth -= 1
            if depth == 0:
                if match.group(1) != spans[-1][0]:
                    return None
                spans[-1][2] = match.end()
        else:
            match = _START_TAG.match(xml, start)
            if match is None:
                return None
            if depth == 0:
                spans.append([match.group(1), start, match.end()])
            if not match.group(2):
                depth += 1
        position = match.end()


def _header_footer_pieces(xml: bytes, start: int, end: int, header_footer, root, ns: str):
    """(open tag with the text before the first child, ((name, element, text after), ...),
    close tag) of the <headerFooter> at xml[start:end], or None if it is not plain."""
    if header_footer.nsmap != root.nsmap:
        return None
    for child in header_footer:
        if (
            not isinstance(child.tag, str)
            or etree.QName(child).namespace != ns
            or len(child)
            or child.attrib
            or etree.QName(child).localname not in _HEADER_FOOTER_CHILDREN
            or child.nsmap != root.nsmap
        ):
            return None
    opening = _START_TAG.match(xml, start)
    if opening.group(2):  # <headerFooter .../>: opened and closed around the new children
        return xml[start : opening.end() - 2] + b">", (), b"</" + opening.group(1) + b">"
    close = xml.rfind(b"</", start, end)
    spans, position = [], opening.end()
    for child in header_footer:
        begin = xml.find(b"<", position, close)
        match = _START_TAG.match(xml, begin) if begin >= 0 else None
        if match is None or match.group(1) != _qname(child):
            return None
        position = match.end()
        if not match.group(2):
            begin_closing = xml.find(b"<", position, close)
            closing = _END_TAG.match(xml, begin_closing) if begin_closing >= 0 else None
            if closing is None or closing.group(1) != match.group(1):
                return None
            position = closing.end()
        spans.append((etree.QName(child).localname, begin, position))
    if xml.find(b"<", position, close) >= 0:
        return None
    bounds = [begin for _, begin, _ in spans[1:]] + [close]
    items = tuple((local, xml[begin:finish], xml[finish:bound]) for (local, begin, finish), bound in zip(spans, bounds))
    return xml[start : spans[0][1] if spans else close], items, xml[close:end]


def _text_element(qname: str, text: str) -> bytes:
    """<qname>text</qname> as lxml serialises it in UTF-8 (lxml also refuses what XML cannot hold)."""
    element = etree.Element("t")
    element.text = text
    return f"<{qname}>{etree.tostring(element, encoding='unicode')[3:-4]}</{qname}>".encode()


# --------------------------------------------------------------------------------------------
# .pdf
# --------------------------------------------------------------------------------------------

PDF_FONT_SIZE = 7
PDF_LABEL_SIZE = 9  # the label, bold and framed
PDF_MARGIN = 28  # points from the left and top edges of the visible page (the label's top: half of it)
PDF_LEADING = 1.15  # line spacing, in font sizes (Liberation Serif's own: lines never touch)
PDF_FRAME_LINE = 0.6  # the width of the frame's line, in points
_PDF_FRAME_PAD = (2, 1)  # space between the frame and the label: across, up and down
# Liberation Serif's ascent and descent (hhea), in font sizes: the ink of every Vietnamese letter,
# capitals with two marks above and letters with a dot below included, stays between them.
_PDF_ASCENT, _PDF_DESCENT = 0.891, 0.216
# Liberation Serif 2.1.5 (SIL Open Font License 1.1, shipped unmodified with its licence in
# qms/static/fonts/): metrically compatible with Times New Roman, the font of the .docx stamp,
# and it has every Vietnamese letter. reportlab embeds a subset of the characters a stamp uses.
_PDF_FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
_PDF_REGULAR, _PDF_BOLD = "QmsStampSerif", "QmsStampSerif-Bold"
_PDF_FONT_FILES = {_PDF_REGULAR: "LiberationSerif-Regular.ttf", _PDF_BOLD: "LiberationSerif-Bold.ttf"}
_pdf_fonts_lock = threading.Lock()
_pdf_drawing_lock = threading.Lock()
_pdf_fonts_registered = False


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """Write the stamp at the top-left corner of every page, as displayed (page rotation and crop
    box are honoured), in the top margin: the label bold and larger in a thin frame, followed by
    small lines (identity and status, the download, the sign-off) aligned after the frame, so that
    the stamp takes no more height than the three small lines it was.

    The stamp is drawn with reportlab on an overlay page of the page's visible size, in Liberation
    Serif (the label bold), and pypdf merges the overlay onto each page; the font subset is stored
    once however many pages share it. Encrypted or unreadable PDFs raise ValueError.
    """
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValueError("encrypted PDFs are not stamped")
        writer = PdfWriter(clone_from=reader)
        lines = tuple(line for line in (stamp.control_text(), stamp.download_text(), stamp.signed) if line)
        placed = [(page, *_displayed(page)) for page in writer.pages]
        overlays = _overlays(stamp.label, lines, sorted({size for _, size, _ in placed}))
        for page, size, matrix in placed:
            page.merge_transformed_page(overlays[size], matrix)
        out = io.BytesIO()
        writer.write(out)
    except ValueError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on malformed files
        raise _unstampable("pdf", exc) from exc
    return out.getvalue()


def _displayed(page: PageObject) -> tuple[tuple[float, float], tuple[float, ...]]:
    """((width, height) of the page as displayed, the matrix from upright display coordinates,
    origin at the bottom-left of the visible box, to the page's own user space)."""
    box = page.cropbox
    left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    rotation = page.rotation % 360
    width, height = right - left, top - bottom
    if rotation in (90, 270):
        width, height = height, width
    matrix = {
        0: (1, 0, 0, 1, left, bottom),
        90: (0, 1, -1, 0, right, bottom),
        180: (-1, 0, 0, -1, right, top),
        270: (0, -1, 1, 0, left, top),
    }.get(rotation, (1, 0, 0, 1, left, bottom))
    return (width, height), matrix


def _overlays(label: str, lines: tuple[str, ...], sizes: list) -> dict:
    """{(width, height): an overlay page of that size carrying the stamp}, all drawn in one
    reportlab document so that the pages share one subset of each font."""
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics

    _register_pdf_fonts()
    first, *others = lines
    # the first line's text after the label, without its leading spaces: they are a move, not text
    # (text extraction would read both the gap after the frame and the spaces as spaces)
    rest = first[len(label) :]
    words = rest.lstrip(" ")
    lead = rest[: len(rest) - len(words)]
    # the stamp's width at its nominal sizes (at least 1, as a divisor): the framed label, then the
    # longest of the first line's text and the further lines, all indented by the leading spaces
    natural = max(
        2 * _PDF_FRAME_PAD[0]
        + pdfmetrics.stringWidth(label, _PDF_BOLD, PDF_LABEL_SIZE)
        + pdfmetrics.stringWidth(lead, _PDF_REGULAR, PDF_FONT_SIZE)
        + max(pdfmetrics.stringWidth(line, _PDF_REGULAR, PDF_FONT_SIZE) for line in (words, *others)),
        1,
    )
    out = io.BytesIO()
    with _pdf_drawing_lock:  # reportlab's subsetting reads the shared font file through one cursor
        _draw_overlays(out, label, lead, (words, *others), natural, sizes)
    return dict(zip(sizes, PdfReader(io.BytesIO(out.getvalue())).pages))


def _draw_overlays(out, label, lead, lines, natural, sizes) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    # the initial font is the stamp's, else reportlab adds a Helvetica that no text uses
    canvas = Canvas(out, invariant=True, initialFontName=_PDF_REGULAR, initialFontSize=PDF_FONT_SIZE)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        # shrink on narrow pages so that the longest line ends at the right margin
        scale = min(1, max(width - 2 * PDF_MARGIN, 1) / natural)
        label_size, size = PDF_LABEL_SIZE * scale, PDF_FONT_SIZE * scale
        pad_x, pad_y = (pad * scale for pad in _PDF_FRAME_PAD)
        # the label's letters start half a margin from the top, as the small stamp's did
        baseline = height - PDF_MARGIN / 2 - _PDF_ASCENT * label_size
        frame_right = PDF_MARGIN + 2 * pad_x + pdfmetrics.stringWidth(label, _PDF_BOLD, label_size)
        frame_bottom = baseline - _PDF_DESCENT * label_size - pad_y
        frame_top = baseline + _PDF_ASCENT * label_size + pad_y
        canvas.setLineWidth(PDF_FRAME_LINE * scale)
        canvas.rect(PDF_MARGIN, frame_bottom, frame_right - PDF_MARGIN, frame_top - frame_bottom, stroke=1, fill=0)
        text = canvas.beginText(PDF_MARGIN + pad_x, baseline)
        text.setFont(_PDF_BOLD, label_size)
        text.textOut(label)
        # the first line goes on after the frame, on the label's baseline; the others under it
        indent = frame_right + pdfmetrics.stringWidth(lead, _PDF_REGULAR, size)
        text.setFont(_PDF_REGULAR, size)
        for number, line in enumerate(lines):
            text.setTextOrigin(indent, baseline - number * PDF_LEADING * size)
            text.textOut(line)
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()


def _register_pdf_fonts() -> None:
    """Read the two TrueType files and register them with reportlab, once per process."""
    global _pdf_fonts_registered
    if _pdf_fonts_registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _pdf_fonts_lock:
        if not _pdf_fonts_registered:
            for name, filename in _PDF_FONT_FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(_PDF_FONT_DIR / filename)))
            _pdf_fonts_registered = True
