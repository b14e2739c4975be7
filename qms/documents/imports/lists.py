"""A commune's master list of documents (danh mục tài liệu), as the import reads it: a .xlsx or .csv
(qms.core.sheets) whose columns are found by their header, in Vietnamese or English, whatever the
case and diacritics. The header may sit below a title block (the national heading and the list's
title, as qms's own master lists print them): the first of the top rows naming a code (or a
number, for external documents) and a title is the header.

COLUMNS is the one table of the names each column answers to (the README lists it); the cells'
words (kinds, legal status) are read here; what the values must satisfy is the planner's business
(qms.documents.imports.plan).
"""

import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from qms.core.sheets import CellError, Column, FileRefused, header_key, open_rows, read_text
from qms.documents.models import DocumentKind, LegalStatus

HEADER_SEARCH_ROWS = 30
MAX_ROWS = 20_000

COLUMNS = (
    Column("stt", _l("No."), ("stt", "so thu tu", "tt", "no", "number in list")),
    Column(
        "code",
        _l("Code"),
        ("ma hieu", "ma so", "ma tai lieu", "ky hieu", "ma", "code", "document code"),
        written="Mã hiệu",
    ),
    Column(
        "title",
        _l("Title"),
        ("ten tai lieu", "ten van ban", "ten", "tieu de", "trich yeu", "title", "document title", "name"),
        required=True,
        written="Tên tài liệu",
    ),
    Column(
        "kind",
        _l("Kind of document"),
        ("loai tai lieu", "loai", "loai van ban", "kind", "type", "document type", "kind of document"),
        written="Loại tài liệu",
    ),
    Column(
        "issue_no",
        _l("Issue"),
        ("lan ban hanh", "lan sua doi", "lan", "phien ban", "issue", "issue no", "issue number", "revision"),
        written="Lần ban hành",
    ),
    Column(
        "issued_on",
        _l("Issue date"),
        ("ngay ban hanh", "ngay ky", "issue date", "issued on", "date of issue", "date issued"),
        written="Ngày ban hành",
    ),
    Column(
        "effective_on",
        _l("Effective date"),
        ("ngay hieu luc", "ngay co hieu luc", "hieu luc tu ngay", "effective date", "effective on", "effective from"),
        written="Ngày hiệu lực",
    ),
    Column(
        "unit",
        _l("Owning unit"),
        ("don vi quan ly", "don vi", "don vi chu tri", "bo phan", "unit", "owning unit", "department"),
        written="Đơn vị quản lý",
    ),
    Column(
        "procedure",
        _l("Procedure"),
        ("thuoc quy trinh", "quy trinh", "ma quy trinh", "procedure", "procedure code", "belongs to", "parent"),
        written="Thuộc quy trình",
    ),
    Column("file", _l("File name"), ("ten tep", "tep", "ten file", "file", "file name", "filename"), written="Tên tệp"),
    Column(
        "drafted_by",
        _l("Drafted by"),
        ("nguoi soan thao", "soan thao", "nguoi bien soan", "drafted by", "author", "prepared by"),
        written="Người soạn thảo",
    ),
    Column(
        "reviewed_by",
        _l("Reviewed by"),
        ("nguoi xem xet", "xem xet", "nguoi kiem tra", "reviewed by", "reviewer", "checked by"),
        written="Người xem xét",
    ),
    Column(
        "approved_by",
        _l("Approved by"),
        ("nguoi phe duyet", "phe duyet", "nguoi duyet", "approved by", "approver"),
        written="Người phê duyệt",
    ),
    Column(
        "number",
        _l("Number"),
        ("so ky hieu", "so hieu", "so ky hieu van ban", "so van ban", "number", "document number"),
        written="Số/ký hiệu",
    ),
    Column(
        "issuer",
        _l("Issuer"),
        ("co quan ban hanh", "noi ban hanh", "issuer", "issued by", "issuing body"),
        written="Cơ quan ban hành",
    ),
    Column(
        "legal_status",
        _l("Legal status"),
        ("tinh trang", "tinh trang hieu luc", "hieu luc", "legal status", "status"),
        written="Tình trạng",
    ),
    Column("field", _l("Field"), ("linh vuc", "field"), written="Lĩnh vực"),
    Column("note", _l("Note"), ("ghi chu", "note", "notes", "remarks"), written="Ghi chú"),
)
BY_KEY = {column.key: column for column in COLUMNS}

KIND_WORDS = {
    DocumentKind.procedure: ("quy trinh", "qt", "procedure"),
    DocumentKind.instruction: ("huong dan", "huong dan cong viec", "hd", "instruction", "work instruction"),
    DocumentKind.form: ("bieu mau", "mau", "bm", "form"),
    DocumentKind.internal: ("so tay", "so tay chat luong", "tai lieu noi bo", "tai lieu khac", "manual", "internal"),
    DocumentKind.policy: ("chinh sach", "chinh sach chat luong", "muc tieu", "muc tieu chat luong", "policy"),
    DocumentKind.external: (
        "tai lieu ben ngoai",
        "tai lieu co nguon goc ben ngoai",
        "van ban ben ngoai",
        "van ban phap luat",
        "van ban quy pham phap luat",
        "external",
        "external document",
    ),
}
_KINDS = {word: kind for kind, words in KIND_WORDS.items() for word in words}
_KINDS.update({"objective": DocumentKind.policy, "objectives": DocumentKind.policy})

LEGAL_STATUS_WORDS = {
    LegalStatus.in_force: ("con hieu luc", "dang co hieu luc", "co hieu luc", "hieu luc", "in force"),
    LegalStatus.amended: ("da sua doi bo sung", "da sua doi", "sua doi bo sung", "amended"),
    LegalStatus.replaced: ("da bi thay the", "bi thay the", "da thay the", "replaced"),
    LegalStatus.repealed: ("het hieu luc", "da het hieu luc", "bai bo", "da bai bo", "repealed"),
}
_LEGAL = {word: status for status, words in LEGAL_STATUS_WORDS.items() for word in words}
_BELONGS = re.compile(r"^(?:thuoc|belongs to)\s+(.+)$")


@dataclass
class MasterList:
    """The rows of a list: (row number, {column key: cell}), the header as written and the
    columns left aside."""

    name: str
    rows: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # key -> header as written
    ignored: list = field(default_factory=list)
    external: bool = False  # a list of documents of external origin (numbers and issuers, no kinds)

    def column_name(self, key) -> str:
        """How the list writes the column of `key` (its usual name when the list has none)."""
        return self.columns.get(key) or BY_KEY[key].written or str(BY_KEY[key].label)


def read_master_list(filename, data: bytes) -> MasterList:
    """Read a master list; FileRefused for a file that is not one (not a workbook or UTF-8 CSV,
    no header naming a title and a code or number, two columns of one meaning)."""
    source = open_rows(filename, io.BytesIO(data), len(data), columns=COLUMNS, search_rows=HEADER_SEARCH_ROWS)
    try:
        if "code" not in source.header.positions and "number" not in source.header.positions:
            raise FileRefused(
                _l(
                    'The list has no column of codes: name it "Mã hiệu" (or "Số/ký hiệu" for documents of '
                    "external origin)."
                )
            )
        listed = MasterList(
            name=filename,
            columns=dict(source.header.names),
            ignored=list(source.header.ignored),
            external="kind" not in source.header.positions
            and ("issuer" in source.header.positions or "code" not in source.header.positions),
        )
        for number, values in source:
            listed.rows.append((number, values))
            if len(listed.rows) > MAX_ROWS:
                raise FileRefused(_l("The list has more than %(n)d rows: import it in parts.", n=MAX_ROWS))
        return listed
    finally:
        source.close()


# --- cells ---------------------------------------------------------------------------------------------


def read_kind(value) -> DocumentKind | None:
    """The kind a cell names; None for an empty cell; CellError for a word it does not know."""
    text = read_text(value)
    if not text:
        return None
    kind = _KINDS.get(header_key(text))
    if kind is None:
        raise CellError(
            _l(
                '"%(value)s" is not a kind of document: write quy trình, hướng dẫn, biểu mẫu, sổ tay, chính sách, '
                "mục tiêu or tài liệu bên ngoài.",
                value=text[:40],
            )
        )
    return kind


def read_legal_status(value) -> LegalStatus | None:
    text = read_text(value)
    if not text:
        return None
    status = _LEGAL.get(header_key(text))
    if status is None:
        raise CellError(
            _l(
                '"%(value)s" is not a legal status: write Còn hiệu lực, Đã sửa đổi, bổ sung, Đã bị thay thế or '
                "Hết hiệu lực.",
                value=text[:40],
            )
        )
    return status


def read_issue_no(value) -> int | None:
    """An issue number: 1, "01", "Lần 2", "02/2024" is not one. None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        match = re.fullmatch(r"(?:lan|issue|l)?\s*0*(\d{1,3})", header_key(value))
        number = int(match.group(1)) if match else None
    if number is None or not 1 <= number <= 99:
        raise CellError(_l('"%(value)s" is not an issue number: write 01, 02 ... 99.', value=read_text(value)[:40]))
    return number


def procedure_in_note(value) -> str:
    """The procedure a note names ("Thuộc QT-06", as qms's master list writes it), or ""."""
    text = read_text(value)
    match = _BELONGS.match(header_key(text))
    if not match:
        return ""
    return text.split()[-1]
