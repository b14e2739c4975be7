"""The imports group (issue 15): the import of a commune's existing document system, a master list of
1,000 documents (250 procedures with 3 forms each; 200 documents with --quick) and a folder of a
.docx of about 38 KB for each, written once per run in a temporary folder as a commune keeps them
(the list with a title block above its header, the files named "QT-07 Quy trình số 7.docx"; see
tests/fixtures/document_system/make_sample.py, which writes them).

Measured, on a commune with the list's units and a quality officer:
- the dry run of the whole list (qms.documents.imports.services.import_documents, dry_run=True: the
  list read, every row checked, every file read, hashed and put through the upload checks; nothing
  written). Goal: under 10 s;
- the real import, each run on a fresh database, in one unit of work as the command runs it (every
  row planned again, 1,000 documents created with their version in force, the files stored, the
  audit events, the quality officer's signature, the commit). Goal: under 60 s;
- the same list imported a second time (every row unchanged: nothing written);
against two baselines measured in the same run: the 1,000 files read from the folder and SHA-256-
hashed alone (what any import of them costs at least), and the upload checks of the same files alone,
one after another in one process (qms.files judge_upload: what the dry run spends most of its time
on; the import runs them in worker processes, qms.files.batch). Beside the times: the peak of
Python's memory in the main process (tracemalloc, in untimed runs of their own: it slows Python
down) during the dry run and during the import, and the peak resident memory (getrusage) of the
process and of the largest worker at the end.

Every run is checked before its time counts: the dry run plans every row as a creation, the import
creates every document, the second import finds every row unchanged.
"""

import datetime as dt
import gc
import hashlib
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from qms.db import db
from tests.benchmarks.harness import PASSWORD, Goal, database_kind, group, temporary_app
from tests.fixtures.document_system import make_sample as sample

PROCEDURES, QUICK_PROCEDURES = 250, 50
FORMS_PER_PROCEDURE = 3
DRY_RUN_GOAL_SECONDS, IMPORT_GOAL_SECONDS = 10, 60
UNITS = (sample.VP, sample.TTHCC)
TEXT = tuple(
    f"Nội dung {n}: công chức tiếp nhận, kiểm tra thành phần hồ sơ, hướng dẫn người dân bổ sung một lần, "
    "cập nhật phần mềm Một cửa điện tử và trả kết quả đúng hạn theo quy định."
    for n in range(1, 13)
)


# --- the document system ---------------------------------------------------------------------------------


def document_rows(procedures):
    """The list's rows: each procedure QT-n followed by its forms BM-01-QT-n ... (kind, unit, dates,
    the people, the file name as communes write them)."""
    rows = []
    for n in range(1, procedures + 1):
        issued = dt.date(2024, 1, 2) + dt.timedelta(days=n % 600)
        code = f"QT-{n:02d}"
        rows.append(
            sample.Row(
                code,
                f"Quy trình giải quyết thủ tục hành chính số {n}",
                "Quy trình",
                f"{1 + n % 3:02d}",
                issued,
                issued + dt.timedelta(days=7),
                filename=f"{code} Quy trình giải quyết thủ tục hành chính số {n}.docx",
            )
        )
        for f in range(1, FORMS_PER_PROCEDURE + 1):
            form = f"BM-{f:02d}-{code}"
            rows.append(
                sample.Row(
                    form,
                    f"Tờ khai số {f} của thủ tục số {n}",
                    "Biểu mẫu",
                    "01",
                    issued,
                    issued + dt.timedelta(days=7),
                    unit=sample.TTHCC,
                    parent=code,
                    filename=f"{form} Tờ khai số {f} của thủ tục số {n}.docx",
                )
            )
    return rows


def write_system(folder, procedures):
    """The master list and tep/ in `folder`; returns (list path, files folder, rows, bytes of files)."""
    rows = document_rows(procedures)
    files = folder / "tep"
    files.mkdir()
    size = 0
    for row in rows:
        data = sample.document_bytes(row, paragraphs=TEXT)
        (files / row.filename).write_bytes(data)
        size += len(data)
    path = folder / sample.LIST_NAME
    path.write_bytes(sample.master_list_bytes(rows))
    return path, files, rows, size


def commune_with_units():
    """A commune with the list's units and its quality officer."""
    from qms.auth.services import create_commune, create_unit, create_user

    commune = create_commune(None, code="XA-IMPORT", name="UBND xã Thử Nhập")
    units = [
        create_unit(None, commune, code=f"DV{n}", name=name, is_one_stop=name == sample.TTHCC)
        for n, name in enumerate(UNITS, 1)
    ]
    officer = create_user(
        None,
        commune,
        username="qo",
        full_name=sample.QO,
        password=PASSWORD,
        roles=["quality_officer"],
        unit_ids=[units[0].id],
    )
    db.session.commit()
    return commune, officer


# --- what is measured ----------------------------------------------------------------------------------------


def hash_files(files):
    """The first baseline: every file of the folder read and SHA-256-hashed."""
    from qms.documents.imports.files import open_file_set

    file_set = open_file_set(files)
    try:
        return [hashlib.sha256(file_set.read(entry)).hexdigest() for entry in file_set.entries]
    finally:
        file_set.close()


def check_files(files):
    """The second baseline: every file read and put through the upload checks of any upload."""
    from qms.documents.imports.files import open_file_set
    from qms.files.services import judge_upload

    file_set = open_file_set(files)
    try:
        return [judge_upload(entry.name, file_set.read(entry), controlled_copy=True).kind for entry in file_set.entries]
    finally:
        file_set.close()


def run_import(officer, list_path, files, *, dry_run):
    """import_documents as the command calls it: in one unit of work, committed at its end."""
    from qms.db import unit_of_work
    from qms.documents.imports.files import open_file_set
    from qms.documents.imports.services import import_documents

    file_set = open_file_set(files)
    try:
        with unit_of_work():
            result = import_documents(
                officer,
                officer.commune,
                list_name=list_path.name,
                list_data=list_path.read_bytes(),
                files=file_set,
                password=PASSWORD,
                dry_run=dry_run,
            )
            counts = dict(result.plan.counts)
    finally:
        file_set.close()
    db.session.expire_all()
    return counts


def expect(counts, n, action, what):
    wanted = {"create": 0, "next_version": 0, "unchanged": 0, "refused": 0, action: n}
    if counts != wanted:
        raise RuntimeError(f"{what}: {counts}, expected {wanted}")


def imported_documents():
    from sqlalchemy import func, select

    from qms.documents.models import Document

    return db.session.scalar(select(func.count()).select_from(Document))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def traced(fn):
    """The peak of Python's memory while fn() runs (tracemalloc; the run is not timed)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _mb(size):
    return f"{size / 2**20:.1f} MB"


def _rate(samples, n):
    return f"{n / min(samples):,.0f} documents/s at best"


@group("imports", "import of a document system: a master list of 1,000 documents and their .docx files")
def imports_group(bench):
    procedures = QUICK_PROCEDURES if bench.quick else PROCEDURES
    n = procedures * (1 + FORMS_PER_PROCEDURE)
    dry_repeat = bench.runs(3)
    import_repeat = bench.runs(1 if bench.quick else 3)
    with tempfile.TemporaryDirectory(prefix="qms-bench-imports-") as folder:
        bench.say(f"imports: writing a master list of {n:,} documents and their files ...")
        seconds, (list_path, files, _rows, size) = timed(lambda: write_system(Path(folder), procedures))
        bench.say(f"imports: {_mb(size)} of files written in {seconds:.0f} s; measuring on {database_kind()} ...")
        table = bench.table(
            f"imports: a master list of {n:,} documents ({procedures} procedures with {FORMS_PER_PROCEDURE} forms "
            f"each) and {n:,} .docx files ({_mb(size)}, {size / n / 1024:.0f} KB on average), on {database_kind()}"
        )
        with temporary_app():
            _commune, officer = commune_with_units()
            hashed, checked, dry = [], [], []
            for _ in range(dry_repeat):  # interleaved: the machine's state weighs on the three alike
                hashed.append(timed(lambda: hash_files(files))[0])
                seconds, kinds = timed(lambda: check_files(files))
                if kinds.count("docx") != n:
                    raise RuntimeError(f"the upload checks: {len(kinds)} files, {kinds.count('docx')} .docx")
                checked.append(seconds)
                seconds, counts = timed(lambda: run_import(officer, list_path, files, dry_run=True))
                expect(counts, n, "create", "the dry run")
                dry.append(seconds)
            baseline = table.add(f"the {n:,} files read and SHA-256-hashed alone", hashed, baseline="self")
            table.add(
                f"the upload checks of the {n:,} files alone, one after another (judge_upload)",
                checked,
                baseline=baseline,
                note="in one process; the import checks them in worker processes (qms.files.batch)",
            )
            table.add(
                "the dry run: the list read, every row and file checked, nothing written",
                dry,
                baseline=baseline,
                goal=Goal(f"< {DRY_RUN_GOAL_SECONDS} s", lambda s: s < DRY_RUN_GOAL_SECONDS),
                note=_rate(dry, n),
            )
            dry_peak = traced(lambda: run_import(officer, list_path, files, dry_run=True))

        samples, again = [], []
        for run in range(import_repeat):
            with temporary_app():
                _commune, officer = commune_with_units()
                gc.collect()
                seconds, counts = timed(lambda: run_import(officer, list_path, files, dry_run=False))
                expect(counts, n, "create", "the import")
                if imported_documents() != n:
                    raise RuntimeError(f"the import wrote {imported_documents()} documents, expected {n}")
                samples.append(seconds)
                if run == 0:
                    for _ in range(dry_repeat):
                        seconds, counts = timed(lambda: run_import(officer, list_path, files, dry_run=False))
                        expect(counts, n, "unchanged", "the second import")
                        again.append(seconds)
        table.add(
            "the import: every row planned again and written, signed, committed",
            samples,
            baseline=baseline,
            goal=Goal(f"< {IMPORT_GOAL_SECONDS} s", lambda s: s < IMPORT_GOAL_SECONDS),
            note=_rate(samples, n) + f"; {min(samples) / n * 1000:.0f} ms a document",
        )
        table.add("  the same list again: every row unchanged, nothing written", again, baseline=baseline)
        with temporary_app():
            _commune, officer = commune_with_units()
            import_peak = traced(lambda: run_import(officer, list_path, files, dry_run=False))
        table.add_figure("peak of Python's memory during the dry run", dry_peak, _mb(dry_peak), note="tracemalloc")
        table.add_figure(
            "peak of Python's memory during the import",
            import_peak,
            _mb(import_peak),
            note=f"tracemalloc, an untimed run; the files together are {_mb(size)}",
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        table.add_figure(
            "peak resident memory of the process", rss, _mb(rss), note="getrusage, the whole run (files written too)"
        )
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        table.add_figure(
            "peak resident memory of a worker checking files",
            workers,
            _mb(workers),
            note="getrusage of the children; tracemalloc above sees the main process only",
        )
