"""The files of the provincial one-stop system, as the import reads them (qms.core.sheets: a CSV or
an Excel workbook, the first row naming the columns, rows read one at a time).

COLUMNS is the one table of the names each column answers to (the README lists it). The cells are
read into values here (dates, channel, status, procedure code, phone); what those values must
satisfy is the import service's business (qms.dossiers.services.imports).
"""

import datetime as dt
import functools
import re

from flask_babel import lazy_gettext as _l

from qms.core import sheets
from qms.core.calendar import RECEIVED_YEARS, local_tz, parse_received
from qms.core.sheets import CellError, Column, FileRefused, RowSource, header_key, read_text
from qms.dossiers.models import Channel, DossierStatus

__all__ = ["COLUMNS", "BY_KEY", "CellError", "FileRefused", "open_rows", "read_text"]


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


@functools.lru_cache(maxsize=256)
def _word(value):
    """header_key of a channel or status cell: a file repeats a handful of them on every row."""
    return header_key(value)


def open_rows(filename, stream, size=None) -> RowSource:
    """The rows of an export of the provincial system (qms.core.sheets.open_rows with COLUMNS, the
    header on the first row)."""
    return sheets.open_rows(filename, stream, size, columns=COLUMNS)


# --- the cells -----------------------------------------------------------------------------------------

_LOCAL_STYLE = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,2}:\d{2}")  # not ISO 8601: day first
_SEPARATORS = re.compile(r"(?<=\d)[-.](?=\d{1,2}[-./]|\d{4})")
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%H:%M %d/%m/%Y", "%H:%M:%S %d/%m/%Y")
_EXCEL_SERIALS = (25569, 73051)  # 01/01/1970 .. 31/12/2099 as Excel day numbers


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
