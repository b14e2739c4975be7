"""The files of the provincial one-stop system, as the import reads them: a CSV (UTF-8, with or
without a byte-order mark, fields separated by commas or semicolons) or an Excel workbook (.xlsx,
its first sheet), the first row naming the columns.

Columns are found by their header, in Vietnamese or English, whatever the case, with or without
diacritics and punctuation ("Mã hồ sơ", "MA HO SO", "Mã hồ sơ (*)" and "code" are one column):
COLUMNS is the one table of the names each column answers to (the README lists it). Columns the
table does not know are left aside and named in the report.

Rows are read one at a time, never all at once (csv.reader over the byte stream, openpyxl's
read-only sheet): a file of 100,000 rows costs the memory of one row. The cells are read into
values here (dates, channel, status, procedure code, phone); what those values must satisfy is the
import service's business (qms.dossiers.services.imports).
"""

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from qms.core.calendar import RECEIVED_YEARS, local_tz, parse_received
from qms.core.text import fold
from qms.dossiers.models import Channel, DossierStatus


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # the column's name in the reader's language (lazy)
    headers: tuple  # the names it answers to, folded
    required: bool = False
    written: str = ""  # its header as the provincial system writes it


COLUMNS = (
    Column(
        "code", _l("Dossier code"), ("ma ho so", "so ho so", "code", "dossier code"), required=True, written="Mã hồ sơ"
    ),
    Column(
        "procedure",
        _l("Procedure code"),
        ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "procedure code", "procedure"),
        required=True,
        written="Mã thủ tục",
    ),
    Column("channel", _l("Channel"), ("kenh", "kenh nop", "hinh thuc nop", "channel"), required=True, written="Kênh"),
    Column(
        "applicant",
        _l("Applicant"),
        ("nguoi nop", "ten nguoi nop", "nguoi nop ho so", "applicant", "applicant name"),
        required=True,
        written="Người nộp",
    ),
    Column("phone", _l("Phone"), ("so dien thoai", "dien thoai", "phone", "phone number"), written="Số điện thoại"),
    Column("address", _l("Address"), ("dia chi", "address"), written="Địa chỉ"),
    Column(
        "received_at",
        _l("Received at"),
        ("ngay tiep nhan", "thoi gian tiep nhan", "ngay nhan", "received at", "received"),
        required=True,
        written="Ngày tiếp nhận",
    ),
    Column(
        "due_date",
        _l("Due date"),
        ("ngay hen tra", "ngay hen tra ket qua", "han tra", "due date", "due"),
        written="Ngày hẹn trả",
    ),
    Column(
        "result_at",
        _l("Result ready at"),
        ("ngay co ket qua", "result at", "result ready at"),
        written="Ngày có kết quả",
    ),
    Column(
        "returned_at", _l("Returned at"), ("ngay tra ket qua", "ngay tra", "returned at"), written="Ngày trả kết quả"
    ),
    Column("status", _l("Status"), ("trang thai", "tinh trang", "status"), written="Trạng thái"),
    Column("reason", _l("Reason"), ("ly do", "ly do tu choi", "ly do rut", "reason"), written="Lý do"),
)
BY_KEY = {column.key: column for column in COLUMNS}
_HEADER_INDEX = {header: column for column in COLUMNS for header in column.headers}

# The words of the channel and status cells, folded (provincial systems write them in Vietnamese).
CHANNEL_WORDS = {
    Channel.in_person: ("truc tiep", "tai quay", "in person", "in_person"),
    Channel.online: ("truc tuyen", "dich vu cong truc tuyen", "qua mang", "online"),
    Channel.post: ("buu chinh", "buu chinh cong ich", "qua buu chinh", "dich vu buu chinh", "post", "by post"),
}
STATUS_WORDS = {
    DossierStatus.in_progress: (
        "dang xu ly",
        "dang giai quyet",
        "da tiep nhan",
        "moi tiep nhan",
        "in progress",
        "in_progress",
        "being handled",
        "received",
    ),
    DossierStatus.result_ready: ("co ket qua", "da co ket qua", "cho tra ket qua", "result ready", "result_ready"),
    DossierStatus.returned: ("da tra ket qua", "tra ket qua", "hoan thanh", "da hoan thanh", "returned"),
    DossierStatus.refused: ("tu choi", "da tu choi", "khong giai quyet", "refused"),
    DossierStatus.withdrawn: ("rut ho so", "da rut", "cong dan rut ho so", "withdrawn"),
    DossierStatus.supplement: ("cho bo sung", "yeu cau bo sung", "dang bo sung", "supplement"),
}
_CHANNELS = {word: channel for channel, words in CHANNEL_WORDS.items() for word in words}
_STATUSES = {word: status for status, words in STATUS_WORDS.items() for word in words}

MAX_COLUMNS = 60  # a header row wider than this is not a provincial export
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def header_key(text) -> str:
    """A header or a cell word as the tables above hold it: folded, punctuation as spaces."""
    return " ".join(_PUNCTUATION.sub(" ", fold(str(text or ""))).split())


@functools.lru_cache(maxsize=256)
def _word(value):
    """header_key of a channel or status cell: a file repeats a handful of them on every row."""
    return header_key(value)


class CellError(ValueError):
    """A cell that cannot be read; its message says what was expected, for a person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class FileRefused(Exception):
    """The file cannot be read (on): its message says why, for a person. Not a DomainError: a
    file that stops being readable halfway does not undo the rows imported before it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def refused(message):
    return FileRefused(message)


# --- the header ----------------------------------------------------------------------------------------


@dataclass
class Header:
    """Where each known column is (its position) and how the file writes its header."""

    positions: dict = field(default_factory=dict)  # key -> index
    names: dict = field(default_factory=dict)  # key -> the header as written
    ignored: list = field(default_factory=list)  # headers no column answers to


def read_header(cells) -> Header:
    """Match the header row's cells to COLUMNS. Refuses (FileRefused) a file without a required
    column or with two columns of the same meaning."""
    header = Header()
    for index, cell in enumerate(cells):
        written = " ".join(str(cell).split()) if cell is not None else ""
        if not written:
            continue
        column = _HEADER_INDEX.get(header_key(written))
        if column is None:
            header.ignored.append(written)
        elif column.key in header.positions:
            raise refused(
                _l(
                    'Two columns mean the same: "%(first)s" and "%(second)s". Keep one of them.',
                    first=header.names[column.key],
                    second=written,
                )
            )
        else:
            header.positions[column.key], header.names[column.key] = index, written
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in header.positions]
    if missing:
        raise refused(
            _l(
                "The first row of the file must name the columns; these are missing: %(columns)s. "
                "The columns and their names are listed on the import page.",
                columns=", ".join(missing),
            )
        )
    return header


# --- the sources ---------------------------------------------------------------------------------------


class RowSource:
    """The rows of a file, read one at a time: iterate for (row number, {column key: cell}); empty
    rows are passed over. `done` and `total` measure the progress in the file's own unit (bytes of
    a CSV, rows of a sheet); `total` is None when the file does not say. Raises FileRefused when the
    file cannot be read on."""

    kind = ""
    total = None

    def __init__(self):
        self.header = Header()
        self.done = 0

    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(self.done / self.total, 1.0)

    def _values(self, cells):
        values, empty = {}, True
        for key, index in self.header.positions.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                value = value.strip()
            if value is not None and value != "":
                empty = False
            values[key] = value
        return None if empty else values

    def close(self):
        pass


class _CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (the progress of a CSV)."""

    def __init__(self, stream, source):
        self.stream, self.source = stream, source

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.source.done += len(data)
        return len(data)


class CsvSource(RowSource):
    kind = "csv"

    def __init__(self, stream, size):
        super().__init__()
        self.total = size or None
        text = io.TextIOWrapper(io.BufferedReader(_CountingReader(stream, self)), encoding="utf-8-sig", newline="")
        self._text = text
        try:
            first = text.readline()
        except UnicodeDecodeError:
            raise refused(_not_utf8()) from None
        delimiter = max((";", ",", "\t"), key=first.count)
        self._reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        try:
            self.header = read_header(next(self._reader, []))
        except csv.Error:
            raise refused(_l("The first row of the file cannot be read as CSV.")) from None

    def __iter__(self):
        number = 1
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise refused(_not_utf8(number + 1)) from None
            except csv.Error as exc:
                raise refused(
                    _l("Row %(row)d cannot be read as CSV (%(error)s).", row=number + 1, error=str(exc))
                ) from None
            number += 1
            values = self._values(cells)
            if values is not None:
                yield number, values

    def close(self):
        self._text.detach()


def _not_utf8(row=None):
    advice = _l('Save the file again as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8) and import it again.')
    if row is None:
        return _l("The file is not UTF-8 text. %(advice)s", advice=advice)
    return _l("From row %(row)d the file is not UTF-8 text. %(advice)s", row=row, advice=advice)


class XlsxSource(RowSource):
    kind = "xlsx"

    def __init__(self, stream):
        import openpyxl

        super().__init__()
        try:
            self._book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:  # openpyxl fails on damaged input with anything from KeyError to lxml errors
            raise refused(_l("The workbook cannot be opened. Open it in Excel, save it again and import it.")) from None
        sheet = self._book.worksheets[0]
        declared = sheet.max_row  # from the sheet's <dimension>: the progress' total, when it says one
        self.total = declared - 1 if declared and declared > 1 else None
        # Rows are read whatever the dimension says (a wrong one would cut the sheet short), and
        # never wider than the header (a cell far to the right would pad every row out to it).
        sheet.reset_dimensions()
        self._sheet = sheet
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
        self.header = read_header(first)
        self._width = max(self.header.positions.values()) + 1

    def __iter__(self):
        number = 1
        for cells in self._sheet.iter_rows(min_row=2, max_col=self._width, values_only=True):
            number += 1
            self.done = number - 1
            values = self._values(cells)
            if values is not None:
                yield number, values

    def close(self):
        self._book.close()


def open_rows(filename, stream, size=None) -> RowSource:
    """The rows of `stream` (a binary file object positioned at its start), as an Excel workbook
    when its bytes are one, otherwise as CSV text. Refuses (FileRefused) an old .xls,
    a file without the required columns, or a CSV that is not UTF-8."""
    start = stream.read(8)
    stream.seek(0)
    if start.startswith(_OLE_MAGIC):
        raise refused(
            _l("This is an old-format Excel file (.xls). Open it in Excel, save it as .xlsx and import the new file.")
        )
    if start.startswith(_ZIP_MAGIC):
        return XlsxSource(stream)
    if str(filename or "").lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise refused(_l("The file is not a readable Excel workbook. Open it in Excel, save it again and import it."))
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refused(_not_utf8())
    return CsvSource(stream, size)


# --- the cells -----------------------------------------------------------------------------------------

_LOCAL_STYLE = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,2}:\d{2}")  # not ISO 8601: day first
_SEPARATORS = re.compile(r"(?<=\d)[-.](?=\d{1,2}[-./]|\d{4})")
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%H:%M %d/%m/%Y", "%H:%M:%S %d/%m/%Y")
_EXCEL_SERIALS = (25569, 73051)  # 01/01/1970 .. 31/12/2099 as Excel day numbers


def read_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_moment(value) -> dt.datetime | None:
    """A date and time: an Excel date cell, "dd/mm/yyyy HH:MM" (seconds optional, the time
    optional, or before the date), or ISO 8601 with or without its offset. Without a zone it is
    the commune's time; a date alone is its first minute. None for an empty cell; CellError else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            raise CellError(_bad_moment(value))
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
        moment = moment.replace(microsecond=0)
    else:
        text = " ".join(str(value).split())
        moment = _day_first(_SEPARATORS.sub("/", text)) if _LOCAL_STYLE.match(text) else None
        if moment is None:
            try:
                return parse_received(text)
            except ValueError:
                raise CellError(_bad_moment(value)) from None
    if not RECEIVED_YEARS[0] <= moment.year <= RECEIVED_YEARS[1]:
        raise CellError(_bad_moment(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=local_tz())


def _day_first(text):
    for fmt in _DAY_FIRST:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _bad_moment(value):
    return _l(
        '"%(value)s" is not a date: write dd/mm/yyyy HH:MM (07/12/2026 09:30) or use a date cell.',
        value=read_text(value)[:40],
    )


def read_day(value) -> dt.date | None:
    """A date (a date and time gives its day in the commune's time): None for an empty cell."""
    moment = read_moment(value)
    return moment.astimezone(local_tz()).date() if moment is not None else None


def read_channel(value) -> Channel:
    channel = _CHANNELS.get(_word(value))
    if channel is None:
        raise CellError(
            _l(
                '"%(value)s" is not a channel: write Trực tiếp, Trực tuyến or Bưu chính.',
                value=read_text(value)[:40],
            )
            if read_text(value)
            else _l("Write how the dossier came in: Trực tiếp, Trực tuyến or Bưu chính.")
        )
    return channel


def read_status(value) -> DossierStatus | None:
    """The status a cell names, or None for an empty cell (the dates then decide)."""
    if not read_text(value):
        return None
    status = _STATUSES.get(_word(value))
    if status is None:
        raise CellError(
            _l(
                '"%(value)s" is not a status: write Đang giải quyết, Có kết quả, Đã trả kết quả, Từ chối or Rút hồ sơ.',
                value=read_text(value)[:40],
            )
        )
    return status


def read_procedure_code(value) -> str:
    """A procedure's national code. A cell Excel took for a number (1.001193 as 1.001193, but
    2.000810 as 2.00081) gets its six decimals back."""
    if isinstance(value, float):
        return f"{value:.6f}"
    return read_text(value)


def read_phone(value) -> str:
    """A phone number. A cell Excel took for a number lost its leading zero (0912345678 became
    912345678): a number of nine digits gets it back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = f"{int(value)}"
        return "0" + digits if len(digits) == 9 else digits
    return read_text(value)
