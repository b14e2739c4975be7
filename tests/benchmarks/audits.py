"""The audits group (issue 11, point 9): the coverage matrix of a year's audit programme for a commune
with 100 procedures (20 with --quick), each with its process map, and the six system processes.

Measured, interleaved in one run: qms.audits.services.coverage() (the matrix: every process against
the sections 4 to 10, each process's open major NCs and late results of the last 12 months, the
programme's audits in the cells), against reading the same procedures alone through the catalogue's
own query (qms.processes.queries.procedures: what any page listing the procedures pays). Each call
starts from an empty session, as a request does. Goal: the matrix within 3x of the catalogue read
(what coverage adds is a few grouped queries and the programme's audits). Beside them, the number
of SQL statements each runs, for 100 procedures and for 20: the matrix's must not grow with the
processes.

The procedures are made through the services: a process document each (QT-01 ...) and their maps
(the dossiers group's) imported at once (each gets its draft version), an open major NC on every
seventh, then a programme of AUDITS audits, each covering six of the 100 procedures (and every other
one a system process) with clauses of three sections, approved by a leader. No dossiers: their late
results are read with one grouped query a year whatever their number (the dossiers group measures
those). The matrix is checked before anything is timed: every procedure is a row, the covered ones are
those the audits name, and the high-priority ones are those with an open major NC.
"""

import datetime as dt

from qms.db import db
from tests.benchmarks.documents import _people, interleaved
from tests.benchmarks.dossiers import MAP
from tests.benchmarks.harness import PASSWORD, Goal, at_most_times, group, temporary_app
from tests.core.support import statements

PROCEDURES = 100
QUICK_PROCEDURES = 20
AUDITS = 8
PER_AUDIT = 16  # one procedure in 16 for each audit: 48 of 100 covered (8 audits of 6), the rest are gaps
YEAR = 2026
CLAUSE_SETS = (["4.4", "7.5", "8.5"], ["8.2", "8.5", "9.1"], ["7.1", "8.7", "10.2"], ["5.1", "6.1", "9.2"])


def commune_with_programme(count):
    """A commune with `count` procedures (maps imported through the services), a few open major NCs
    on them, and the YEAR programme of AUDITS audits, approved. Returns (commune id, the procedures'
    ids, the covered ones' ids, the ids of those with an open major NC)."""
    from qms.audits import services as audits
    from qms.auth.services import create_unit, create_user
    from qms.documents import services as documents
    from qms.nonconformities import services as ncs
    from qms.nonconformities.models import Severity
    from qms.processes import queries as catalogue
    from qms.processes.services import import_maps

    commune, _unit, who = _people(f"XA-DG{count}", "UBND xã Hòa Bình")
    audit_unit = create_unit(None, commune, code="TTR", name="Tổ kiểm tra nội bộ")
    auditors = [
        create_user(
            None,
            commune,
            username=username,
            full_name=name,
            password=PASSWORD,
            roles=["staff"],
            unit_ids=[audit_unit.id],
        )
        for username, name in (("kiem", "Phạm Văn Kiểm"), ("tra", "Đỗ Thu Tra"), ("soat", "Hà Minh Soát"))
    ]
    qo, leader = who["qo1"], who["leader"]
    for n in range(1, count + 1):
        documents.create_document(qo, commune, code=f"QT-{n:02d}", title=f"Quy trình số {n}", kind="procedure")
    maps = [
        (f"{n}.yaml", MAP.format(code=f"1.{n:06d}", days=3, cutoff="", document=f"QT-{n:02d}", sign_hours=16))
        for n in range(1, count + 1)
    ]
    import_maps(qo, commune, maps)
    db.session.commit()
    entries = sorted(catalogue.procedures(commune.id), key=lambda e: e.code)
    procedures = [e.procedure for e in entries]

    # an open major NC on every seventh procedure: those are high priority
    majors = set()
    for index, entry in enumerate(entries):
        if index % 7 == 3:
            ncs.report_nc(
                qo,
                commune,
                title=f"Trả kết quả quá hạn – {entry.code}",
                description="Hồ sơ trả kết quả quá hạn nhiều lần trong tháng.",
                severity=Severity.major,
                procedure=entry.document,
            )
            majors.add(entry.procedure.id)

    programme = audits.programme_for(qo, commune, YEAR)
    covered, per_audit = set(), max(count // PER_AUDIT, 1)
    for number in range(AUDITS):
        chosen = procedures[number * per_audit : (number + 1) * per_audit]
        covered.update(p.id for p in chosen)
        lead, member = auditors[number % 3], auditors[(number + 1) % 3]
        start = dt.date(YEAR, 2 + number, 10)
        audits.add_audit(
            qo,
            programme,
            title=f"Đánh giá nhóm thủ tục {number + 1}",
            clauses=CLAUSE_SETS[number % len(CLAUSE_SETS)],
            planned_start=start,
            planned_end=start + dt.timedelta(days=1),
            lead_auditor=lead,
            team=[member],
            procedures=chosen,
            system_processes=["documents"] if number % 2 else [],
            criteria="TCVN ISO 9001:2015",
        )
    audits.approve_programme(leader, programme, PASSWORD)
    db.session.commit()
    return commune.id, [p.id for p in procedures], covered, majors


def _coverage(commune_id):
    from qms.audits import services as audits
    from qms.auth.models import Commune

    db.session.remove()  # a request's empty session
    return audits.coverage(db.session.get(Commune, commune_id), YEAR)


def _catalogue(commune_id):
    from qms.auth.models import Commune
    from qms.processes import queries as catalogue

    db.session.remove()
    return catalogue.procedures(db.session.get(Commune, commune_id).id)


def _statements(fn, commune_id) -> int:
    db.session.remove()
    with statements() as seen:
        fn(commune_id)
    return len(seen)


def _check(matrix, procedure_ids, covered, majors):
    rows = {row.key: row for row in matrix.rows}
    keys = [f"procedure:{i}" for i in procedure_ids]
    problems = []
    if any(key not in rows for key in keys):
        problems.append("a procedure is not a row")
    if {int(k.split(":")[1]) for k in keys if rows[k].is_covered} != covered:
        problems.append("the covered procedures are not those the audits name")
    if {int(k.split(":")[1]) for k in keys if rows[k].is_high_priority} != majors:
        problems.append("the high-priority procedures are not those with an open major NC")
    if not matrix.uncovered_columns and not matrix.uncovered_rows:
        problems.append("no gap is marked")
    if problems:
        raise RuntimeError("the coverage matrix is not right: " + "; ".join(problems))


@group("audits", "the coverage matrix of a programme for 100 processes vs reading the procedures alone")
def audits_group(bench):
    count = QUICK_PROCEDURES if bench.quick else PROCEDURES
    table = bench.table(f"Audit programme: the coverage matrix for {count} procedures and {AUDITS} audits")
    counts = {}
    for size in sorted({QUICK_PROCEDURES, count}):
        with temporary_app() as _app:
            commune_id, procedure_ids, covered, majors = commune_with_programme(size)
            _check(_coverage(commune_id), procedure_ids, covered, majors)
            counts[size] = (_statements(_coverage, commune_id), _statements(_catalogue, commune_id))
            if size != count:
                continue
            matrix_samples, catalogue_samples = interleaved(
                lambda: _coverage(commune_id),  # noqa: B023  (called within the loop's round)
                lambda: _catalogue(commune_id),  # noqa: B023
                repeat=bench.runs(10 if bench.quick else 20),
            )
    baseline = table.add(
        f"reading the {count} procedures alone (the catalogue's query)", catalogue_samples, baseline="self"
    )
    table.add(
        "the coverage matrix (qms.audits.services.coverage)",
        matrix_samples,
        baseline=baseline,
        goal=at_most_times(3),
        goal_on="ratio",
        note=f"{count} procedures and 6 system processes x 7 sections; open major NCs, 12 months of late "
        "results and the programme's audits on top of the catalogue's read",
    )
    fewest = counts[min(counts)][0]
    for size, (matrix, alone) in sorted(counts.items()):
        table.add_figure(
            f"SQL statements for {size} procedures",
            matrix,
            f"{matrix} ({alone} alone)",
            goal=Goal(f"= {fewest}, as for {min(counts)}", lambda value: value == fewest),
            note="the matrix's statements, the catalogue's in brackets" if size == min(counts) else "",
        )
