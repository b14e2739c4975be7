"""The import of dossiers from the provincial one-stop system (qms.dossiers.services.imports, the
files read by qms.dossiers.import_files, run by qms.dossiers.import_runs): a file mixing good and
bad rows keeps the good ones and reports the bad (row, column, reason), each row whole or not at
all; a second run changes nothing; CSV with a byte-order mark and semicolons, .xlsx; the command's
output and exit codes; the page's upload, progress and report."""

import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.core.sheets import read_header
from qms.db import db
from qms.dossiers.import_files import COLUMNS, FileRefused, open_rows
from qms.dossiers.import_runs import run_import
from qms.dossiers.models import Dossier, DossierImport, DossierStatus, Handover, HandoverKind, ImportStatus, Timeliness
from qms.dossiers.services.imports import start_import
from qms.nonconformities.models import NcSource, Nonconformity
from tests.conftest import csrf_token, login
from tests.dossiers.conftest import vn
from tests.files.samples import docx_bytes

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "ho-so-mot-cua-tinh.csv"
NOW = vn(2026, 12, 11, 16, 0)  # Friday 11/12/2026: every date of the example file is before it


def vi(message, **values):
    """A message of the report as the importing person (Vietnamese) reads it."""
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(message, **values)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def run_file(actor, name, data, **kw):
    """Import `data` (bytes) as `actor`, the record committed first as the command and the page do;
    returns the import's record."""
    with clock_at(NOW):
        run = start_import(actor, actor.commune, file_name=name, sha256="0" * 64, size=len(data))
        db.session.commit()
        outcome = run_import(run.id, lambda: open_rows(name, io.BytesIO(data), len(data)), **kw)
    db.session.expire_all()
    record = db.session.get(DossierImport, outcome.import_id)
    return record


def by_code(code):
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the example file: good and bad rows --------------------------------------------------------------


def test_good_rows_are_kept_and_bad_rows_reported_with_row_column_and_reason(catalogue):
    events_before = count(AuditEvent)
    run = run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    assert run.status is ImportStatus.finished and run.error == ""
    assert (run.rows_read, run.created, run.unchanged, run.bad) == (10, 6, 0, 4)
    assert [(r["row"], r["column"]) for r in run.report] == [
        (8, "Mã thủ tục"),
        (9, "Ngày tiếp nhận"),
        (10, "Người nộp"),
        (11, "Mã hồ sơ"),
    ]
    assert [r["reason"] for r in run.report] == [
        vi("The commune has no procedure %(code)s.", code="9.999999"),
        vi(
            '"%(value)s" is not a date: write dd/mm/yyyy HH:MM (07/12/2026 09:30) or use a date cell.',
            value="31/11/2026 08:00",
        ),
        vi("Write the applicant's name."),
        vi("Dossier code %(code)s is on row %(row)d of this file already.", code="000.00.21.H12-261207-0001", row=2),
    ]
    # nothing of a bad row was written
    for code in ("000.00.21.H12-261207-0007", "000.00.21.H12-261207-0008", "000.00.21.H12-261207-0009"):
        assert by_code(code) is None
    assert count(Dossier) == 6
    # one event per dossier and one for the import
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.seq > events_before)).all()
    assert sorted(e.action for e in events if e.action.startswith("dossier.")) == (
        ["dossier.import_finished"] + ["dossier.imported"] * 6
    )
    assert all("applicant_name" not in e.changes for e in events)


def test_the_size_of_the_batches_changes_nothing_but_the_commits(catalogue):
    """Rows 2 and 11 in different batches: the repeated code is found among the dossiers this run
    recorded (not counted as already recorded)."""
    run = run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes(), batch=3)
    assert (run.rows_read, run.created, run.unchanged, run.bad, run.ncs_opened) == (10, 6, 0, 4, 1)
    assert run.report[-1] == {
        "row": 11,
        "column": "Mã hồ sơ",
        "reason": vi("Dossier code %(code)s is on an earlier row of this file.", code="000.00.21.H12-261207-0001"),
    }


def test_an_imported_dossier_is_in_the_state_the_file_gives_with_our_due_date(catalogue):
    run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    returned = by_code("000.00.21.H12-261207-0001")
    assert returned.status is DossierStatus.returned and returned.timeliness is Timeliness.early
    assert returned.due_date == dt.date(2026, 12, 9) and returned.received_at == vn(2026, 12, 7, 9, 0)
    assert returned.result_ready_at == vn(2026, 12, 8, 10, 0) and returned.completed_at == vn(2026, 12, 8, 15, 0)
    assert returned.received_by_id == catalogue.staff.id and returned.holder_id is None
    assert returned.imported_from == EXAMPLE.name and returned.applicant_phone == "0912345678"
    assert returned.process_map.process.code == "2.000884" and returned.step_id == "sign"
    lines = db.session.scalars(select(Handover).where(Handover.dossier_id == returned.id).order_by(Handover.seq))
    assert [(h.kind, h.at) for h in lines] == [
        (HandoverKind.result_ready, vn(2026, 12, 8, 10, 0)),
        (HandoverKind.returned, vn(2026, 12, 8, 15, 0)),
    ]
    # received at 15:30, after the 15:00 cut-off of a same-day procedure: due the next working day
    # (the file's 07/12 is not kept; it is counted as a date that differs)
    ready = by_code("000.00.21.H12-261207-0002")
    assert ready.status is DossierStatus.result_ready and ready.due_date == dt.date(2026, 12, 8)
    assert ready.timeliness is Timeliness.on_time and ready.holder_id == catalogue.staff.id
    assert ready.channel.value == "online" and ready.applicant_address == "Xóm 3, thôn Tây"
    handled = by_code("000.00.21.H12-261210-0004")
    assert handled.status is DossierStatus.in_progress and handled.step_id == "receive"
    assert handled.holder_id == catalogue.staff.id and handled.due_date == dt.date(2026, 12, 14)
    refused = by_code("000.00.21.H12-261209-0005")
    assert refused.status is DossierStatus.refused and refused.refusal_reason == "Không có Giấy chứng sinh"
    assert refused.completed_at == vn(2026, 12, 9, 11, 0) and refused.timeliness is None
    run = db.session.scalar(select(DossierImport))
    assert run.due_dates_differ == 1
    assert run.notes["due_dates"] == [[3, "000.00.21.H12-261207-0002", "2026-12-07", "2026-12-08"]]


def test_a_late_result_opens_a_nonconformity_only_when_received_within_the_window(catalogue):
    run = run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    recent = by_code("000.00.21.H12-261201-0003")  # received 01/12, due 03/12, result 04/12
    old = by_code("000.00.21.H12-261001-0006")  # received 01/10, due 05/10, result 09/10
    assert recent.timeliness is Timeliness.late and old.timeliness is Timeliness.late
    ncs = db.session.scalars(select(Nonconformity)).all()
    assert run.ncs_opened == 1 and len(ncs) == 1
    assert ncs[0].source is NcSource.late_dossier and ncs[0].dossier_code == recent.code


def test_importing_the_same_file_again_changes_nothing(catalogue):
    run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    dossiers, lines, ncs = count(Dossier), count(Handover), count(Nonconformity)
    events = count(AuditEvent)
    again = run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    # the six dossiers and the code repeated on row 11 are already recorded; the three bad rows stay bad
    assert (again.rows_read, again.created, again.unchanged, again.bad) == (10, 0, 7, 3)
    assert (count(Dossier), count(Handover), count(Nonconformity)) == (dossiers, lines, ncs)
    assert count(AuditEvent) == events + 1  # the second import's own event only


def test_a_row_is_written_whole_or_not_at_all(catalogue, monkeypatch):
    """A failure after the dossier was added (its nonconformity refused) leaves nothing of the row."""
    from qms.db import DomainError
    from qms.dossiers.services import imports

    def refuse(*_args, **_kw):
        raise DomainError("Sổ sự không phù hợp đang khóa.", code="locked")

    monkeypatch.setattr(imports, "open_late_nc", refuse)
    run = run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    assert run.created == 5 and run.bad == 5
    assert {"row": 4, "column": "", "reason": "Sổ sự không phù hợp đang khóa."} in run.report
    assert by_code("000.00.21.H12-261201-0003") is None
    assert count(Handover) == 2 + 1 + 1 + 2  # the other dossiers' lines only
    assert count(Nonconformity) == 0


def test_only_the_quality_officer_and_one_stop_staff_import(catalogue, make_user):
    from qms.db import DomainError

    outsider = make_user("staff", commune=catalogue.commune)  # in no one-stop unit
    for actor in (catalogue.auditor, catalogue.leader, outsider, catalogue.other_staff):
        with pytest.raises(DomainError) as refused:
            start_import(actor, catalogue.commune, file_name="x.csv", sha256="0" * 64, size=1)
        db.session.rollback()
        assert refused.value.status == 403
    assert start_import(catalogue.qo, catalogue.commune, file_name="x.csv", sha256="0" * 64, size=1).id


def test_the_audit_chain_holds_the_imported_dossiers_events(catalogue):
    from qms.audit.verify import verify_chain

    run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes())
    assert verify_chain().ok


# --- the files ----------------------------------------------------------------------------------------


def test_a_csv_with_a_byte_order_mark_and_semicolons_and_english_headers(catalogue):
    text = (
        "\ufeffCODE;Procedure code;channel;Applicant;Phone;RECEIVED AT;result at;Returned at;Status;Note\n"
        "HS-1;2.000884;in person;Nguyễn Văn An;0912345678;2026-12-07T09:00;2026-12-08 10:00;08/12/2026 15:00;"
        "returned;x\n"
        "HS-2;2.000884;ONLINE;Trần Thị Bình;;07/12/2026 09:30;;;;\n"
    )
    run = run_file(catalogue.staff, "tinh.csv", text.encode("utf-8"))
    assert (run.rows_read, run.created, run.bad) == (2, 2, 0)
    assert run.notes["ignored_columns"] == ["Note"]
    assert by_code("HS-1").status is DossierStatus.returned and by_code("HS-1").completed_at == vn(2026, 12, 8, 15, 0)
    assert by_code("HS-2").status is DossierStatus.in_progress and by_code("HS-2").channel.value == "online"


def test_an_xlsx_with_date_cells_numbers_and_vietnamese_headers_without_diacritics(catalogue):
    data = xlsx_bytes(
        [
            ["Ma ho so", "MA THU TUC", "Kenh", "Nguoi nop", "So dien thoai", "Ngay tiep nhan", "Ngay co ket qua"],
            ["HS-X1", 2.000884, "Bưu chính", "Lê Văn Cường", 912345678, dt.datetime(2026, 12, 7, 9, 0), None],
            [None, None, None, None, None, None, None],  # an empty row is passed over
            [
                "HS-X2",
                "2.000884",
                "Trực tuyến",
                "Phạm Thị Dung",
                None,
                dt.datetime(2026, 12, 7, 10, 0),
                dt.datetime(2026, 12, 9, 16, 0),
            ],
            ["HS-X3", "2.000884", "Fax", "Bùi Văn Hòa", None, "hôm qua", None],
        ]
    )
    run = run_file(catalogue.staff, "tinh.xlsx", data)
    assert (run.rows_read, run.created, run.bad) == (3, 2, 1)
    first = by_code("HS-X1")
    # Excel took the procedure code and the phone for numbers: they are read back as written
    assert first.procedure.code == "2.000884" and first.applicant_phone == "0912345678"
    assert first.received_at == vn(2026, 12, 7, 9, 0) and first.channel.value == "post"
    ready = by_code("HS-X2")
    assert ready.status is DossierStatus.result_ready and ready.timeliness is Timeliness.on_time
    assert [(r["row"], r["column"]) for r in run.report] == [(5, "Kenh"), (5, "Ngay tiep nhan")]


def test_a_file_the_import_cannot_read_is_refused_with_its_reason():
    with pytest.raises(FileRefused) as missing:
        open_rows("x.csv", io.BytesIO("Mã hồ sơ,Người nộp\nA,B\n".encode()), 20)
    assert "Procedure code" in str(missing.value) or "Mã thủ tục" in str(missing.value)
    with pytest.raises(FileRefused):
        open_rows("x.csv", io.BytesIO("Mã hồ sơ\n".encode("utf-16")), 20)
    with pytest.raises(FileRefused):
        read_header(["Mã hồ sơ", "code", "Mã thủ tục", "Kênh", "Người nộp", "Ngày tiếp nhận"], COLUMNS)


# --- the command --------------------------------------------------------------------------------------


def test_the_command_shows_the_summary_lists_the_bad_rows_on_stderr_and_exits_1(catalogue, app):
    runner = app.test_cli_runner()
    with clock_at(NOW):
        result = runner.invoke(args=["dossier", "import", str(EXAMPLE), "--as", catalogue.staff.username])
    assert result.exit_code == 1, result.output
    assert "10 rows read: 6 created, 0 unchanged (already recorded), 4 refused." in result.stdout
    assert "1 nonconformities opened" in result.stdout and "1 due dates in the file differ" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "row 8, Mã thủ tục: " + vi("The commune has no procedure %(code)s.", code="9.999999")
    assert [line.split(",")[0] for line in lines] == ["row 8", "row 9", "row 10", "row 11"]
    # the dossiers are kept; a second run changes nothing and still reports the bad rows
    assert count(Dossier) == 6
    with clock_at(NOW):
        again = runner.invoke(args=["dossier", "import", str(EXAMPLE), "--as", catalogue.staff.username])
    assert again.exit_code == 1 and "0 created, 7 unchanged" in again.stdout and count(Dossier) == 6


def test_the_command_exits_0_when_every_row_is_good_and_refuses_who_may_not_import(catalogue, app, tmp_path):
    good = tmp_path / "tot.csv"
    good.write_text("\n".join(EXAMPLE.read_text(encoding="utf-8").splitlines()[:7]) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    with clock_at(NOW):
        result = runner.invoke(args=["dossier", "import", str(good), "--as", catalogue.qo.username])
    assert result.exit_code == 0, result.output
    assert "6 rows read: 6 created" in result.stdout and result.stderr == ""
    refused = runner.invoke(args=["dossier", "import", str(good), "--as", catalogue.auditor.username])
    assert refused.exit_code == 1 and "Error:" in refused.stderr
    assert count(DossierImport) == 1


def test_the_command_reports_a_file_it_cannot_read(catalogue, app, tmp_path):
    bad = tmp_path / "cu.xls"
    bad.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    result = app.test_cli_runner().invoke(args=["dossier", "import", str(bad), "--as", catalogue.staff.username])
    assert result.exit_code == 1 and "the import stopped" in result.stderr
    run = db.session.scalar(select(DossierImport))
    assert run.status is ImportStatus.failed and ".xls" in run.error


# --- the page -----------------------------------------------------------------------------------------


@pytest.fixture
def page(catalogue, make_app):
    """A client of an app whose imports run in the request (not in a thread), signed in as staff."""
    app = make_app(QMS_IMPORT_IN_BACKGROUND=False)
    client = app.test_client()
    with clock_at(NOW):  # the example file's dates are before it; the session is signed in then
        login(client, catalogue.staff.username)
        yield client


def upload(client, name, data):
    token = csrf_token(client, "/dossiers/import")
    return client.post(
        "/dossiers/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_page_imports_an_upload_and_shows_its_progress_and_report(page, catalogue):
    form = page.get("/dossiers/import")
    assert form.status_code == 200 and "Ngày tiếp nhận" in form.get_data(as_text=True)
    response = upload(page, EXAMPLE.name, EXAMPLE.read_bytes())
    assert response.status_code == 303
    shown = page.get(response.headers["Location"])
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="import-bad-rows"' in html
    assert "9.999999" in html and "000.00.21.H12-261207-0002" in html  # a bad row; a due date that differs
    run = db.session.scalar(select(DossierImport))
    assert (run.created, run.bad, run.sha256) == (6, 4, hashlib.sha256(EXAMPLE.read_bytes()).hexdigest())
    state = json.loads(page.get(f"/dossiers/import/{run.id}/progress").get_data(as_text=True))
    assert state["finished"] and state["status"] == "finished" and state["created"] == 6 and state["progress"] == 1.0
    listing = page.get("/dossiers/import").get_data(as_text=True)
    assert f'id="import-{run.id}"' in listing


def test_the_page_refuses_a_file_it_cannot_import_and_records_nothing(page, catalogue):
    for name, data in (
        ("ho-so.csv", "Mã hồ sơ,Người nộp\nA,B\n".encode()),
        ("ho-so.docx", docx_bytes("Không phải bảng")),
        ("ho-so.csv", b""),
    ):
        response = upload(page, name, data)
        assert response.status_code == 400, name
        assert 'id="import-error"' in response.get_data(as_text=True)
    assert count(DossierImport) == 0 and count(Dossier) == 0


@pytest.fixture
def client_class():
    """Two people signed in at once: each request in an application context of its own."""
    from tests.core.support import IsolatedClient

    return IsolatedClient


def test_only_importers_reach_the_page_and_an_import_of_another_commune_is_not_found(catalogue, app):
    leader, staff = app.test_client(), app.test_client()
    login(leader, catalogue.leader.username)
    assert leader.get("/dossiers/import").status_code == 403
    other = start_import(
        catalogue.other_staff, catalogue.other_staff.commune, file_name="b.csv", sha256="0" * 64, size=1
    )
    db.session.commit()
    login(staff, catalogue.staff.username)
    assert staff.get(f"/dossiers/import/{other.id}").status_code == 404
    assert staff.get(f"/dossiers/import/{other.id}/progress").status_code == 404
    assert 'id="import-dossiers-link"' in staff.get("/dossiers/").get_data(as_text=True)
    assert 'id="import-dossiers-link"' not in leader.get("/dossiers/").get_data(as_text=True)


@pytest.mark.skipif(os.environ.get("QMS_TEST_DATABASE_URL") is not None, reason="SQLite only")
def test_a_batch_commits_without_waiting_for_the_disk_and_the_end_of_the_import_waits(catalogue):
    """qms.db.relax_durability(bulk=True) for each batch: synchronous NORMAL and a checkpoint every
    10,000 pages; the import's end (its audit event) at FULL, which makes the batches durable too,
    and the connection back to FULL and SQLite's 1,000 pages for what comes after."""
    from sqlalchemy import event

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO DOSSIERS ", "INSERT INTO AUDIT_EVENTS")):
            levels = [
                cursor.connection.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("synchronous", "wal_autocheckpoint")
            ]
            seen.append((statement.split()[2].lower(), *levels))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run_file(catalogue.staff, EXAMPLE.name, EXAMPLE.read_bytes(), batch=3)
        connection = db.session.connection()
        after = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("synchronous", "wal_autocheckpoint")
        ]
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    batches = seen[:-1]
    assert set(batches) == {("dossiers", 1, 10_000), ("audit_events", 1, 10_000)}
    assert seen[-1] == ("audit_events", 2, 1000)  # dossier.import_finished
    assert after == [2, 1000]
