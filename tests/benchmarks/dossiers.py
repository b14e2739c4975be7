"""The dossiers group (issue 10, section 5): the import from the provincial one-stop system, and due
dates.

(a) `qms dossier import` of an .xlsx export of 100,000 dossier rows (10,000 with --quick), end to
    end as the command runs it (qms.dossiers.import_runs.run_import: the file read from disk with
    openpyxl's read-only sheet, each row checked and written with its control-sheet lines and its
    audit event, a commit every 1,000 rows with the progress), each run on a fresh database with the
    same commune. Baseline: reading the same file with openpyxl alone (read-only, every cell of
    every row), in the same run. Goal: under 30 s. Beside it: the peak of Python's memory during an
    import (tracemalloc, in a separate untimed run: it slows Python down) for 10,000 and 100,000
    rows, which shows whether the import's memory is constant; the same file imported a second
    time (every row already recorded: unchanged); and the import without the per-row audit event,
    the figure behind keeping one event per dossier.
(b) due dates: qms.core.calendar.due_date over 100,000 random receipts 2024-2026 (random time of
    day, 0 to 15 working days, the 15:00 cut-off), with the shipped calendar of 2024-2026, as
    computations per second; baseline: the same receipts counted in weekdays only (no public
    holiday, no announced day off or make-up day), the arithmetic without the calendar.

The file has the provincial system's Vietnamese headers, a mix of statuses like a commune's
history (most returned, some with a result waiting, being handled, refused or withdrawn), about one
in eight results late, and one row in a hundred refused (an unknown procedure code). Every run is
checked before its time counts: the rows created, unchanged and refused are those the file holds.
"""

import datetime as dt
import gc
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl

from qms.db import db
from tests.benchmarks.documents import _effective, _people
from tests.benchmarks.harness import Goal, database_kind, group, temporary_app
from tests.files.samples import docx_bytes

ROWS = 100_000
QUICK_ROWS = 10_000
DUE_DATES = 100_000
IMPORT_GOAL_SECONDS = 30
BAD_EVERY = 100  # one row in a hundred names an unknown procedure

HEADERS = (
    "Mã hồ sơ",
    "Mã thủ tục",
    "Kênh",
    "Người nộp",
    "Số điện thoại",
    "Địa chỉ",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày có kết quả",
    "Ngày trả kết quả",
    "Trạng thái",
    "Lý do",
)
# (national code, process document, working days, cut-off)
PROCEDURES = (("2.000884", "QT-10", 2, None), ("1.001193", "QT-07", 0, "15:00"), ("1.004873", "QT-12", 3, None))
MAP = """\
procedure:
  code: "{code}"
  name: Thủ tục {code}
  field: Hộ tịch
  time_limit: {{working_days: {days}{cutoff}}}
  fee: Không
  online: partly
  process_document: {document}
roles:
  one_stop: Công chức Bộ phận Một cửa
  leader: Chủ tịch/Phó Chủ tịch UBND xã
steps:
  - id: receive
    name: Tiếp nhận, kiểm tra hồ sơ
    role: one_stop
    allowance: {{hours: 2}}
  - id: sign
    name: Ký kết quả
    role: leader
    allowance: {{hours: {sign_hours}}}
"""
CHANNELS = ("Trực tiếp",) * 6 + ("Trực tuyến",) * 3 + ("Bưu chính",)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
NAMES = ("Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Văn Em", "Thị Giang", "Văn Hòa", "Thị Lan")
VILLAGES = ("Thôn Đông", "Thôn Tây", "Xóm 3", "Thôn Trung", "Xóm Bãi")
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 2), dt.date(2026, 11, 20)  # results by 30/11/2026 at the latest


# --- the commune and the file -------------------------------------------------------------------------


def commune_with_procedures():
    """A commune whose one-stop unit has a member of staff, and the three procedures of PROCEDURES
    with their process in force (documents made effective and maps imported through the services)."""
    from qms.documents import services as documents
    from qms.processes.services import import_maps

    commune, _unit, who = _people("XA-BENCH", "UBND xã Thử Nghiệm", ("staff", "Phạm Văn Nhận", "staff"))
    maps = []
    for code, document_code, days, cutoff in PROCEDURES:
        document = documents.create_document(
            who["qo1"], commune, code=document_code, title=f"Quy trình {document_code}", kind="procedure"
        )
        _effective(who["qo1"], who["leader"], who["qo2"], document, f"{document_code}.docx", docx_bytes("Quy trình"))
        text = MAP.format(
            code=code,
            days=days,
            cutoff=f', cutoff: "{cutoff}"' if cutoff else "",
            document=document_code,
            sign_hours=max(days, 1) * 8 - 2,
        )
        maps.append((f"{code}.yaml", text))
    import_maps(who["qo1"], commune, maps)
    db.session.commit()
    return commune, who["staff"]


def write_file(path, rows, seed=20261206):
    """An .xlsx export of `rows` dossiers, written as Excel writes a workbook (text in the shared
    strings table, dates as date cells; see SheetWriter); returns how many rows are bad (an unknown
    procedure)."""
    from qms.core.calendar import add_working_days, due_date, is_working_day

    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    bad = 0
    cutoffs = {code: dt.time(15, 0) if cutoff else None for code, _d, _w, cutoff in PROCEDURES}
    with SheetWriter(path, rows + 1, len(HEADERS)) as sheet:
        sheet.append(HEADERS)
        for n in range(rows):
            code, _document, days, _cutoff = PROCEDURES[n % len(PROCEDURES)]
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
            while not is_working_day(day):
                day += dt.timedelta(days=1)
            received = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(minutes=rng.randrange(8 * 60))
            deadline = due_date(received.replace(tzinfo=VN), days, cutoff=cutoffs[code])
            late = rng.random() < 0.12
            shift = rng.randint(1, 3) if late else -min(days, rng.randint(0, 1))
            result_day = max(add_working_days(deadline.due_date, shift), day)
            result = dt.datetime.combine(result_day, dt.time(16, 0))
            returned = result + dt.timedelta(days=rng.randint(0, 3), minutes=rng.randint(0, 60))
            roll = rng.random()
            status, reason, result_at, returned_at = "Đã trả kết quả", "", result, returned
            if roll < 0.08:
                status, returned_at = "Có kết quả", None
            elif roll < 0.14:
                status, result_at, returned_at = "Đang giải quyết", None, None
            elif roll < 0.17:
                status, reason, returned_at = "Từ chối", "Hồ sơ không đủ điều kiện", None
            elif roll < 0.19:
                status, reason, returned_at = "Rút hồ sơ", "Công dân xin rút hồ sơ", None
            if n % BAD_EVERY == BAD_EVERY - 1:
                code, bad = "9.999999", bad + 1
            sheet.append(
                (
                    f"000.00.21.H12-{day:%y%m%d}-{n:06d}",
                    code,
                    rng.choice(CHANNELS),
                    f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}",
                    f"09{rng.randrange(10**8):08d}",
                    rng.choice(VILLAGES),
                    received,
                    deadline.due_date,
                    result_at,
                    returned_at,
                    status,
                    reason,
                )
            )
    return bad


class SheetWriter:
    """A one-sheet .xlsx written row by row as Excel saves one: text in the shared strings table
    (openpyxl's write-only mode writes inline strings instead, which openpyxl reads about three
    times slower), dates and times as numbers with a date format, the sheet's dimension declared.
    The sheet's XML goes straight into the archive; only the distinct strings are kept."""

    NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    EPOCH = dt.datetime(1899, 12, 30)

    def __init__(self, path, rows, columns):
        import zipfile

        self.archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.sheet = self.archive.open("xl/worksheets/sheet1.xml", "w")
        self.strings, self.row = {}, 0
        last = openpyxl.utils.get_column_letter(columns)
        self._write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{self.NS}">'
            f'<dimension ref="A1:{last}{rows}"/><sheetData>'
        )

    def _write(self, text):
        self.sheet.write(text.encode("utf-8"))

    def append(self, values):
        from xml.sax.saxutils import escape

        self.row += 1
        cells = []
        for index, value in enumerate(values):
            ref = f"{openpyxl.utils.get_column_letter(index + 1)}{self.row}"
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime):
                cells.append(f'<c r="{ref}" s="1"><v>{(value - self.EPOCH).total_seconds() / 86400!r}</v></c>')
            elif isinstance(value, dt.date):
                cells.append(f'<c r="{ref}" s="2"><v>{(value - self.EPOCH.date()).days}</v></c>')
            else:
                number = self.strings.setdefault(escape(str(value)), len(self.strings))
                cells.append(f'<c r="{ref}" t="s"><v>{number}</v></c>')
        self._write(f'<row r="{self.row}">{"".join(cells)}</row>')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._write("</sheetData></worksheet>")
        self.sheet.close()
        ns, rel = self.NS, "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        package = "http://schemas.openxmlformats.org/package/2006"
        main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        parts = {
            "[Content_Types].xml": f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/></Types>',
            "_rels/.rels": f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
            "xl/styles.xml": f'<styleSheet xmlns="{ns}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
            '</font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" xfId="0"/><xf numFmtId="22" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="14" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        }
        for name, xml in parts.items():
            self.archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
        with self.archive.open("xl/sharedStrings.xml", "w") as shared:
            shared.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{ns}" '
                f'uniqueCount="{len(self.strings)}">'.encode()
            )
            for text in self.strings:
                shared.write(f"<si><t>{text}</t></si>".encode())
            shared.write(b"</sst>")
        self.archive.close()
        return False


def raw_read(path):
    """The baseline: every cell of the file read with openpyxl alone."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in book.worksheets[0].iter_rows(min_row=2, values_only=True):
        cells += sum(value is not None for value in row)
    book.close()
    return cells


# --- the import ---------------------------------------------------------------------------------------


def import_once(path, rows, bad, *, again=False, traced=False, without_row_events=False):
    """Import `path` into a fresh database (twice when `again`: the second run timed), checked.
    Returns (seconds, peak bytes of Python's memory or None)."""
    from qms.dossiers.import_files import open_rows
    from qms.dossiers.import_runs import run_import
    from qms.dossiers.models import DossierImport
    from qms.dossiers.services import imports
    from qms.dossiers.services.imports import start_import

    with temporary_app() as _app:
        _commune, staff = commune_with_procedures()

        def one_run():
            run = start_import(staff, staff.commune, file_name=path.name, sha256="0" * 64, size=path.stat().st_size)
            db.session.commit()
            with path.open("rb") as stream:
                outcome = run_import(run.id, lambda: open_rows(path.name, stream, path.stat().st_size))
            db.session.expire_all()
            return db.session.get(DossierImport, outcome.import_id), outcome

        if again:
            one_run()
        original = imports.record_events
        if without_row_events:
            imports.record_events = lambda actor, events: (
                0 if all(e[0] == "dossier.imported" for e in events) else original(actor, events)
            )
        gc.collect()
        peak = None
        try:
            if traced:
                tracemalloc.start()
            start = time.perf_counter()
            record, outcome = one_run()
            seconds = time.perf_counter() - start
            if traced:
                peak = tracemalloc.get_traced_memory()[1]
        finally:
            if traced:
                tracemalloc.stop()
            imports.record_events = original
        expected = (rows, 0, rows - bad, bad) if again else (rows, rows - bad, 0, bad)
        got = (record.rows_read, record.created, record.unchanged, record.bad)
        if outcome.error or got != expected:
            raise RuntimeError(f"import of {path.name}: {got} (read, created, unchanged, bad), expected {expected}")
        return seconds, peak


def _mb(size):
    return f"{size / 2**20:.1f} MB"


def _rate(samples, rows):
    return f"{rows / min(samples):,.0f} rows/s at best"


def import_benchmark(bench):
    rows = QUICK_ROWS if bench.quick else ROWS
    repeat = bench.runs(1 if bench.quick else 3)
    with tempfile.TemporaryDirectory(prefix="qms-bench-import-") as folder:
        path = Path(folder) / f"ho-so-{rows}.xlsx"
        bench.say(f"dossiers: writing an .xlsx export of {rows:,} rows ...")
        with temporary_app():  # the calendar of due dates in the file is the shipped one
            bad = write_file(path, rows)
        bench.say(f"dossiers: {_mb(path.stat().st_size)}; importing it {repeat} time(s) on {database_kind()} ...")
        table = bench.table(
            f"dossiers: import of an .xlsx export of {rows:,} rows ({_mb(path.stat().st_size)}, {bad:,} bad), "
            f"`qms dossier import` end to end, on {database_kind()}"
        )
        baseline = table.add(
            "openpyxl alone: every cell of the file read",
            [_timed(lambda: raw_read(path)) for _ in range(repeat)],
            baseline="self",
        )
        samples = [import_once(path, rows, bad)[0] for _ in range(repeat)]
        table.add(
            "the import: rows checked, dossiers written, committed every 1,000",
            samples,
            baseline=baseline,
            goal=Goal(f"< {IMPORT_GOAL_SECONDS} s", lambda seconds: seconds < IMPORT_GOAL_SECONDS),
            note=_rate(samples, rows),
        )
        again = [import_once(path, rows, bad, again=True)[0] for _ in range(repeat)]
        table.add("  the same file again: every row unchanged", again, baseline=baseline, note=_rate(again, rows))
        bare = [import_once(path, rows, bad, without_row_events=True)[0] for _ in range(repeat)]
        table.add(
            "  for the decision: without the per-row audit event",
            bare,
            baseline=baseline,
            note=f"the events cost {(min(samples) - min(bare)) / rows * 1e6:.0f} us a row "
            f"({(min(samples) - min(bare)) / min(samples):.0%} of the import)",
        )
        sizes = [QUICK_ROWS] if bench.quick else [QUICK_ROWS, ROWS]
        for size in sizes:
            small = Path(folder) / f"ho-so-{size}.xlsx" if size != rows else path
            if size != rows:
                with temporary_app():
                    small_bad = write_file(small, size)
            else:
                small_bad = bad
            _seconds, peak = import_once(small, size, small_bad, traced=True)
            table.add_figure(
                f"peak of Python's memory while importing {size:,} rows",
                peak,
                _mb(peak),
                note="tracemalloc, an untimed run" if size == sizes[-1] else "",
            )


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- due dates ----------------------------------------------------------------------------------------

VN = dt.timezone(dt.timedelta(hours=7))


def receipts(n, seed=20261207):
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=VN)
    span = int((dt.datetime(2026, 12, 1, tzinfo=VN) - start).total_seconds())
    return [(start + dt.timedelta(seconds=rng.randrange(span)), rng.randint(0, 15)) for _ in range(n)]


def weekdays_only(received_at, working_days, cutoff=dt.time(15, 0)):
    """The baseline: the due date with Monday to Friday as the only rule."""
    local = received_at.astimezone(VN)
    day = local.date()
    if local.time().replace(second=0, microsecond=0) > cutoff:
        day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for _ in range(working_days):
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return day


def due_date_benchmark(bench):
    from qms.core.calendar import due_date

    n = DUE_DATES // 10 if bench.quick else DUE_DATES
    repeat = bench.runs(5 if bench.quick else 11)
    data = receipts(n)
    cutoff = dt.time(15, 0)
    with temporary_app():  # one app context stands for one request: the calendar's adjustments read once
        due_date(data[0][0], 1, cutoff=cutoff)  # the adjustments read, the holidays loaded

        def ours():
            for received_at, days in data:
                due_date(received_at, days, cutoff=cutoff)

        def plain():
            for received_at, days in data:
                weekdays_only(received_at, days, cutoff)

        differ = sum(due_date(r, d, cutoff=cutoff).due_date != weekdays_only(r, d, cutoff) for r, d in data)
        table = bench.table(f"dossiers: due dates of {n:,} random receipts 2024-2026 (0-15 working days)")
        base = table.add(
            "Monday to Friday only (no calendar)",
            [_timed(plain) for _ in range(repeat)],
            baseline="self",
        )
        base.note = _per_second(base.samples, n)
        samples = [_timed(ours) for _ in range(repeat)]
        table.add(
            "qms.core.calendar.due_date (holidays, announced days off and make-up days)",
            samples,
            baseline=base,
            note=f"{_per_second(samples, n)}; {differ / n:.0%} of the dates differ from weekdays only",
        )


def _per_second(samples, n):
    return f"{n / sorted(samples)[len(samples) // 2]:,.0f} computations/s (median)"


@group("dossiers", "dossiers: import of 100,000 rows from .xlsx vs openpyxl alone; due dates per second")
def dossiers_group(bench):
    due_date_benchmark(bench)
    import_benchmark(bench)
