"""The import of dossiers from the provincial one-stop system (qms.dossiers.services.imports, the
files read by qms.dossiers.import_files, run by qms.dossiers.import_runs): a file mixing good and
bad rows keeps the good ones and reports the bad (row, column, reason), each row whole or not at
all; a second run changes nothing; CSV with a byte-order mark and semicolons, .xlsx; the command's
output and exit codes; the page's upload, progress and report."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.db import db
from qms.dossiers.import_files import open_rows
from qms.dossiers.import_runs import run_import
from qms.dossiers.models import Dossier, DossierImport, DossierStatus, Handover, HandoverKind, ImportStatus, Timeliness
from qms.dossiers.services.imports import start_import
from qms.nonconformities.models import NcSource, Nonconformity
from tests.dossiers.conftest import vn

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "ho-so-mot-cua-tinh.csv"
NOW = vn(2026, 12, 11, 16, 0)  # Friday 11/12/2026: every date of the example file is before it
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")


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
