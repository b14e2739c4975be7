"""The coverage of a year's programme: processes (every procedure with a process map, then the system
processes) by ISO 9001 sections 4 to 10, each cell the year's audits covering it, what no audit covers
marked; each process's priority from its open major NCs and its late dossiers of the last 12 months,
with the figures, and high-priority processes audited only in the last quarter, or not at all,
flagged."""

import datetime as dt

from qms.audits import services
from qms.audits.processes import SYSTEM_PROCESSES
from qms.db import db
from qms.nonconformities import services as ncs
from qms.processes.services import import_maps
from tests.audits.conftest import YEAR
from tests.core.support import statements
from tests.dossiers.conftest import vn
from tests.dossiers.rating_support import walk_to_return
from tests.processes.conftest import SIGNATURE

TODAY = dt.date(YEAR, 12, 6)


def test_cells_rows_and_columns_show_what_the_audits_cover(audit_world, plan):
    w = audit_world
    first = plan()  # 2.000884, clauses 7.5 and 8.5
    plan(title="Đánh giá kiểm soát tài liệu", procedures=[], system_processes=["documents"], clauses=["7.5", "9"])
    cancelled = plan(title="Đánh giá hộ tịch", procedures=[w.birth], clauses=["4"])
    services.cancel_audit(w.qo, cancelled, "Hoãn")
    db.session.commit()
    matrix = services.coverage(w.commune, YEAR, today=TODAY)
    keys = [row.key for row in matrix.rows]
    assert set(keys[:2]) == {f"procedure:{w.birth.id}", f"procedure:{w.certification.id}"}  # the catalogue's order
    assert keys[2:] == [f"system:{key}" for key in SYSTEM_PROCESSES]
    assert [column.number for column in matrix.columns] == ["4", "5", "6", "7", "8", "9", "10"]
    certification = matrix.row(f"procedure:{w.certification.id}")
    assert "2.000884" in certification.name
    assert {number: [a.code for a in audits] for number, audits in certification.cells.items()} == {
        "7": [first.code],
        "8": [first.code],
    }
    assert [a.code for a in matrix.row("system:documents").cells["9"]] == [f"ĐGNB-{YEAR}-02"]
    assert {row.key for row in matrix.uncovered_rows} == {f"procedure:{w.birth.id}"} | {
        f"system:{key}" for key in SYSTEM_PROCESSES if key != "documents"
    }, "a cancelled audit covers nothing"
    assert [column.number for column in matrix.uncovered_columns] == ["4", "5", "6", "10"]


def test_a_year_without_a_programme_covers_nothing(audit_world):
    matrix = services.coverage(audit_world.commune, YEAR + 1, today=TODAY)
    assert matrix.programme is None and len(matrix.uncovered_rows) == len(matrix.rows) == 2 + len(SYSTEM_PROCESSES)
    assert len(matrix.uncovered_columns) == 7


def test_open_major_ncs_make_a_process_high_priority_and_its_late_audit_is_flagged(audit_world, plan):
    w = audit_world
    ncs.report_nc(w.qo, w.commune, title="Giấy khai sinh sai", severity="major", procedure=w.documents["QT-07"])
    ncs.report_nc(w.qo, w.commune, title="Sổ cái chưa cập nhật", severity="major", clause="7.5.3")
    ncs.report_nc(w.qo, w.commune, title="Mẫu chưa cập nhật", severity="minor", clause="7.5")
    db.session.commit()
    matrix = services.coverage(w.commune, YEAR, today=TODAY)
    birth, documents = matrix.row(f"procedure:{w.birth.id}"), matrix.row("system:documents")
    assert (birth.open_majors, birth.is_high_priority, birth.is_flagged) == (1, True, True), "not planned at all"
    assert (documents.open_majors, documents.is_flagged) == (1, True)
    assert matrix.row("system:leadership").open_majors == 0 and not matrix.row("system:leadership").is_flagged
    plan(procedures=[w.birth], planned_start=dt.date(YEAR, 11, 2), planned_end=dt.date(YEAR, 11, 3))
    birth = services.coverage(w.commune, YEAR, today=TODAY).row(f"procedure:{w.birth.id}")
    assert birth.is_covered and birth.planned_late and birth.is_flagged, "only in the last quarter"
    plan(procedures=[w.birth], planned_start=dt.date(YEAR, 9, 28), planned_end=dt.date(YEAR, 10, 2))
    birth = services.coverage(w.commune, YEAR, today=TODAY).row(f"procedure:{w.birth.id}")
    assert birth.is_high_priority and not birth.is_flagged


def test_late_dossiers_of_the_last_12_months_make_a_process_high_priority(audit_world, receive):
    w = audit_world
    # 2.000884 takes 2 working days: received Monday 02/11, results on Tue (early), Wed (on time), Thu (late)
    for received, result in (
        (vn(YEAR, 11, 2, 9, 0), vn(YEAR, 11, 3, 10, 0)),
        (vn(YEAR, 11, 2, 9, 5), vn(YEAR, 11, 4, 10, 0)),
        (vn(YEAR, 11, 2, 9, 10), vn(YEAR, 11, 5, 10, 0)),
    ):
        walk_to_return(receive(received), w, w.staff, result)
    matrix = services.coverage(w.commune, YEAR, today=TODAY)
    certification = matrix.row(f"procedure:{w.certification.id}")
    assert (certification.results, certification.late) == (3, 1)
    assert round(certification.late_rate, 1) == 33.3 and certification.is_high_priority and certification.is_flagged
    assert not matrix.row(f"procedure:{w.birth.id}").is_high_priority
    # twelve months later the late dossier is no longer counted
    later = services.coverage(w.commune, YEAR + 1, today=dt.date(YEAR + 1, 11, 30))
    assert later.row(f"procedure:{w.certification.id}").results == 0


def test_the_matrix_reads_as_many_statements_whatever_the_number_of_processes_and_audits(audit_world, plan):
    w = audit_world
    plan()

    def counted():
        db.session.expire_all()  # read again from the database, as a request does
        with statements() as seen:
            matrix = services.coverage(w.commune, YEAR, today=TODAY)
        return len(seen), matrix

    before, matrix = counted()
    assert len(matrix.rows) == 2 + len(SYSTEM_PROCESSES)
    # a third procedure, and two more audits covering processes
    import_maps(
        w.qo,
        w.commune,
        [("2.000885.yaml", SIGNATURE.replace('"2.000884"', '"2.000885"').replace("QT-10", "QT-06"))],
    )
    db.session.commit()
    plan(title="Đánh giá hộ tịch", procedures=[w.birth], clauses=["8.5"])
    plan(title="Đánh giá kiểm soát tài liệu", procedures=[], system_processes=["documents"], clauses=["7.5"])
    after, matrix = counted()
    assert len(matrix.rows) == 3 + len(SYSTEM_PROCESSES)
    assert len(matrix.programme.audits) == 3
    assert after == before
