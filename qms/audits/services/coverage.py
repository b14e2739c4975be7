"""The coverage of a year's audit programme (ISO 9001 9.2.2 a: planned "taking into consideration the
importance of the processes concerned ... and the results of previous audits").

The matrix crosses the processes (every procedure of the commune with a process map, then the quality
system's own processes) with the sections 4 to 10 of ISO 9001: a cell holds the year's audits that
cover it (an audit covers each of its processes with each section its clauses belong to; cancelled
audits cover nothing). Rows and columns no audit covers are marked.

Each process has a priority: high when it has open major nonconformities, or when more than
LATE_RATE_THRESHOLD % of its dossiers' results of the last 12 months were late, with the figures that
made it so. A high-priority process audited only in the last quarter of the year, or not at all, is
flagged.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.audits import library
from qms.audits.models import Audit, AuditStatus
from qms.audits.processes import SYSTEM_PROCESSES
from qms.audits.services.programme import find_programme
from qms.core.calendar import local_today
from qms.db import db
from qms.dossiers import monitoring
from qms.nonconformities import queries as nc_queries
from qms.processes import queries as process_queries

LATE_RATE_THRESHOLD = 10.0  # % of the last 12 months' results that were late
LAST_QUARTER_FROM = 10  # October


@dataclass
class Row:
    key: str  # "procedure:<id>" or "system:<key>", as AuditProcess.key
    name: str
    procedure_id: int | None = None
    open_majors: int = 0
    results: int = 0  # dossiers' results of the last 12 months
    late: int = 0
    cells: dict = field(default_factory=dict)  # {section number: [Audit, ...]}
    audits: list = field(default_factory=list)  # the audits covering the process, any clause

    @property
    def late_rate(self) -> float | None:
        return 100 * self.late / self.results if self.results else None

    @property
    def is_high_priority(self) -> bool:
        return self.open_majors > 0 or (self.late_rate is not None and self.late_rate > LATE_RATE_THRESHOLD)

    @property
    def is_covered(self) -> bool:
        return bool(self.audits)

    @property
    def planned_late(self) -> bool:
        """Every audit of it starts in the last quarter of the year."""
        return bool(self.audits) and all(a.planned_start.month >= LAST_QUARTER_FROM for a in self.audits)

    @property
    def is_flagged(self) -> bool:
        """High priority and audited only in the last quarter, or not at all."""
        return self.is_high_priority and (not self.audits or self.planned_late)


@dataclass
class Column:
    number: str  # "4" .. "10"
    title: str
    audits: list = field(default_factory=list)

    @property
    def is_covered(self) -> bool:
        return bool(self.audits)


@dataclass
class Coverage:
    year: int
    rows: list
    columns: list
    programme: object = None

    @property
    def uncovered_rows(self) -> list:
        return [row for row in self.rows if not row.is_covered]

    @property
    def uncovered_columns(self) -> list:
        return [column for column in self.columns if not column.is_covered]

    @property
    def flagged(self) -> list:
        return [row for row in self.rows if row.is_flagged]

    def row(self, key) -> Row:
        return next(row for row in self.rows if row.key == key)


def _twelve_months(today) -> tuple[dt.date, list]:
    """The first month of the 12 months up to today's, and the years they fall in."""
    index = today.year * 12 + today.month - 1 - 11
    first = dt.date(index // 12, index % 12 + 1, 1)
    return first, sorted({first.year, today.year})


def _late_figures(commune_id, procedure_ids, today) -> dict:
    """{procedure id: (results, late)} over the last 12 months."""
    first, years = _twelve_months(today)
    figures = {}
    for year in years:
        for row in monitoring.monthly(commune_id, year, by="procedure", procedure_ids=procedure_ids):
            if first <= row.month <= today:
                results, late = figures.get(row.key, (0, 0))
                figures[row.key] = (results + row.results, late + row.late)
    return figures


def _section(number) -> str:
    return str(number).split(".")[0]


def _under(clause, prefixes) -> bool:
    return any(clause == p or clause.startswith(p + ".") for p in prefixes)


def _active_audits(programme) -> list:
    """The programme's audits that are not cancelled, with their processes: two queries, however many
    audits (their processes one by one would be a query per audit)."""
    return list(
        db.session.scalars(
            select(Audit)
            .where(Audit.programme_id == programme.id, Audit.status != AuditStatus.cancelled)
            .options(selectinload(Audit.processes))
            .order_by(Audit.serial)
        )
    )


def coverage(commune, year, *, today=None) -> Coverage:
    """The coverage matrix of the commune's programme of `year` (empty cells when it has none yet)."""
    today = today or local_today()
    entries = process_queries.procedures(commune.id)
    rows = [
        Row(
            key=f"procedure:{e.procedure.id}",
            name=f"{e.procedure.code} – {e.process.name}",
            procedure_id=e.procedure.id,
        )
        for e in entries
    ]
    document_of = {e.procedure.id: e.procedure.process_document_id for e in entries}
    rows += [Row(key=f"system:{p.key}", name=str(p.name)) for p in SYSTEM_PROCESSES.values()]
    columns = [Column(number=h.number, title=h.title) for h in library.SECTIONS]
    by_key = {row.key: row for row in rows}
    by_number = {column.number: column for column in columns}

    # open major NCs: a procedure's by its process document; a system process's by its clauses, when
    # the NC names no procedure
    majors = nc_queries.open_counts(commune.id)
    majors_by_document: dict = {}
    for document_id, _clause, count in majors:
        if document_id is not None:
            majors_by_document[document_id] = majors_by_document.get(document_id, 0) + count
    for row in rows:
        if row.procedure_id is not None:
            row.open_majors = majors_by_document.get(document_of[row.procedure_id], 0)
        else:
            system = SYSTEM_PROCESSES[row.key.split(":", 1)[1]]
            row.open_majors = sum(
                count for document_id, clause, count in majors if document_id is None and _under(clause, system.clauses)
            )
    if entries:
        for procedure_id, (results, late) in _late_figures(commune.id, list(document_of), today).items():
            row = by_key.get(f"procedure:{procedure_id}")
            if row is not None:
                row.results, row.late = results, late

    programme = find_programme(commune, year)
    audits = _active_audits(programme) if programme else []
    for audit in audits:
        sections = sorted({_section(c) for c in audit.clauses or []}, key=int)
        for process in audit.processes:
            row = by_key.get(process.key)
            if row is None:  # a procedure without a process map any more
                continue
            row.audits.append(audit)
            for number in sections:
                row.cells.setdefault(number, []).append(audit)
        if audit.processes:
            for number in sections:
                by_number[number].audits.append(audit)
    return Coverage(year=year, rows=rows, columns=columns, programme=programme)
