"""Spreadsheets people bring to an import (the provincial one-stop system's dossiers, a commune's
master list of documents): a CSV (UTF-8, with or without a byte-order mark, fields separated by
commas, semicolons or tabs) or an Excel workbook (.xlsx, its first sheet), one row naming the
columns.

Columns are found by their header, in Vietnamese or English, whatever the case, with or without
diacritics and punctuation ("Mã hồ sơ", "MA HO SO", "Mã hồ sơ (*)" and "code" are one column): each
import gives its own table of Columns and the names each answers to. Columns a table does not know
are left aside and named in the report. The header is the first row, or, for a list printed with a
title block above its table (a master list exported from qms), the first of the top rows that names
every required column.

Rows are read one at a time, never all at once (csv.reader over the byte stream, openpyxl's
read-only sheet): a file of 100,000 rows costs the memory of one row. What the cells mean is the
importing area's business.
"""

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from qms.core.text import fold

MAX_COLUMNS = 60  # a header row wider than this is not a list a person keeps
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # the column's name in the reader's language (lazy)
    headers: tuple  # the names it answers to, folded (header_key)
    required: bool = False
    written: str = ""  # its header as the usual file writes it


def header_key(text) -> str:
    """A header or a cell word as the column tables hold it: folded, punctuation as spaces."""
    return " ".join(_PUNCTUATION.sub(" ", fold(str(text or ""))).split())


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
    row: int = 1  # the header's row number in the file


def _match_header(cells, columns):
    """(Header, the labels of the required columns it lacks); FileRefused for two columns of one
    meaning."""
    index_of = {header: column for column in columns for header in column.headers}
    header = Header()
    for index, cell in enumerate(cells):
        written = " ".join(str(cell).split()) if cell is not None else ""
        if not written:
            continue
        column = index_of.get(header_key(written))
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
    missing = [str(c.label) for c in columns if c.required and c.key not in header.positions]
    return header, missing


def read_header(cells, columns) -> Header:
    """Match the first row's cells to `columns`. Refuses (FileRefused) a file without a required
    column or with two columns of the same meaning."""
    header, missing = _match_header(cells, columns)
    if missing:
        raise refused(
            _l(
                "The first row of the file must name the columns; these are missing: %(columns)s. "
                "The columns and their names are listed on the import page.",
                columns=", ".join(missing),
            )
        )
    return header


def find_header(rows, columns, search_rows) -> Header:
    """The first of the first `search_rows` rows (an iterator of cell tuples) that names every
    required column; the rows before it (a title block) are passed over."""
    best = None
    for number, cells in enumerate(itertools.islice(rows, search_rows), start=1):
        header, missing = _match_header(cells, columns)
        if not missing:
            header.row = number
            return header
        if header.positions and (best is None or len(missing) < len(best)):
            best = missing
    missing = best or [str(c.label) for c in columns if c.required]
    raise refused(
        _l(
            "No row among the first %(n)d names the columns; these are missing: %(columns)s.",
            n=search_rows,
            columns=", ".join(missing),
        )
    )


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


def _header_of(rows, columns, search_rows):
    if search_rows <= 1:
        return read_header(next(rows, ()), columns)
    return find_header(rows, columns, search_rows)


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

    def __init__(self, stream, size, columns, search_rows=1):
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
            self.header = _header_of(self._reader, columns, search_rows)
        except csv.Error:
            raise refused(_l("The first row of the file cannot be read as CSV.")) from None
        except UnicodeDecodeError:
            raise refused(_not_utf8()) from None

    def __iter__(self):
        number = self.header.row
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

    def __init__(self, stream, columns, search_rows=1):
        import openpyxl

        super().__init__()
        try:
            self._book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:  # openpyxl fails on damaged input with anything from KeyError to lxml errors
            raise refused(_l("The workbook cannot be opened. Open it in Excel, save it again and import it.")) from None
        sheet = self._book.worksheets[0]
        declared = sheet.max_row  # from the sheet's <dimension>: the progress' total, when it says one
        # Rows are read whatever the dimension says (a wrong one would cut the sheet short), and
        # never wider than the header (a cell far to the right would pad every row out to it).
        sheet.reset_dimensions()
        self._sheet = sheet
        top = sheet.iter_rows(min_row=1, max_row=max(search_rows, 1), max_col=MAX_COLUMNS, values_only=True)
        self.header = _header_of(top, columns, search_rows)
        self.total = declared - self.header.row if declared and declared > self.header.row else None
        self._width = max(self.header.positions.values()) + 1

    def __iter__(self):
        number = self.header.row
        for cells in self._sheet.iter_rows(min_row=number + 1, max_col=self._width, values_only=True):
            number += 1
            self.done = number - self.header.row
            values = self._values(cells)
            if values is not None:
                yield number, values

    def close(self):
        self._book.close()


def open_rows(filename, stream, size=None, *, columns, search_rows=1) -> RowSource:
    """The rows of `stream` (a binary file object positioned at its start), as an Excel workbook
    when its bytes are one, otherwise as CSV text; the header is the first row, or the first of
    the top `search_rows` rows naming every required column. Refuses (FileRefused) an old .xls, a
    file without the required columns, or a CSV that is not UTF-8."""
    start = stream.read(8)
    stream.seek(0)
    if start.startswith(_OLE_MAGIC):
        raise refused(
            _l("This is an old-format Excel file (.xls). Open it in Excel, save it as .xlsx and import the new file.")
        )
    if start.startswith(_ZIP_MAGIC):
        return XlsxSource(stream, columns, search_rows)
    if str(filename or "").lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise refused(_l("The file is not a readable Excel workbook. Open it in Excel, save it again and import it."))
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refused(_not_utf8())
    return CsvSource(stream, size, columns, search_rows)


# --- cells ---------------------------------------------------------------------------------------------


def read_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")
_DATE_SEPARATORS = re.compile(r"[-.]")
_EXCEL_SERIAL_DAYS = (1, 73051)  # Excel's day numbers up to 31/12/2099


def read_date(value, years=(1945, 2099)) -> dt.date | None:
    """A day: a date cell, "dd/mm/yyyy" (dashes or dots as well), ISO "yyyy-mm-dd", or an Excel
    day number; within `years`. None for an empty cell; CellError for anything else."""
    if value is None or value == "":
        return None
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_SERIAL_DAYS[0] <= value <= _EXCEL_SERIAL_DAYS[1]:
            day = (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(value))).date()
    else:
        text = read_text(value)
        iso = re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text)
        candidate = text if iso else _DATE_SEPARATORS.sub("/", text)
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(candidate, fmt).date()
                break
            except ValueError:
                continue
    if day is None or not years[0] <= day.year <= years[1]:
        raise CellError(
            _l(
                '"%(value)s" is not a date: write dd/mm/yyyy (01/07/2021) or use a date cell.',
                value=read_text(value)[:40],
            )
        )
    return day
