"""Importing dossiers from the provincial one-stop system: the rows of its export (read by
qms.dossiers.import_files) become dossiers of the commune, in the state the file gives them.

- Idempotent by dossier code: a code the commune has already recorded is passed over and counted
  as unchanged (whatever the row says now), so a file can be imported again, or an import that
  stopped run again, without doubling anything.
- Each row stands alone (qms.db.standalone_part): a good row is a dossier with its control-sheet
  lines and its audit event, a bad row leaves nothing and is reported (row, column, reason in the
  importing person's language) while the good rows are kept. A code twice in one file: the second
  row is reported.
- A row is checked by the desk's own rules (check_receipt: procedure with a process in force,
  channel, applicant's name, phone, time of receipt) and the import's (dates readable and in
  order, what each status needs).
- An imported dossier is received by the importing person (holding the unfinished ones for their
  first step), on the process map in force, with OUR due date (qms.core.calendar.due_date with the
  procedure's limit and cut-off hour): the file's due date ("Ngày hẹn trả") is not kept, only
  compared, and the dossiers whose date differs are counted in the report. The result's timeliness
  is measured against our due date. A dossier whose result was late opens a nonconformity (late
  dossier) through open_late_nc, as at the desk, if it was received within the last
  QMS_IMPORT_NC_DAYS days (30 by default): years of history must not flood the NC register.
- One audit event per dossier ("dossier.imported", what the row gave; about 0.1 ms of a row's
  time), and one for the import when it ends.

import_rows() yields its progress every `batch` rows; the caller commits at each yield (the rows
before it are complete), so that a long import never holds the database's write lock for long and
what was imported stays if it stops. qms.dossiers.import_runs is that caller, for the command and
the page.
"""

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qms.audit.services import EntityRef, record_events
from qms.core.calendar import due_date, local_midnight, local_today, to_local, utcnow
from qms.db import DomainError, db, standalone_part
from qms.dossiers import permissions as perm
from qms.dossiers.import_files import (
    BY_KEY,
    CellError,
    FileRefused,
    read_channel,
    read_day,
    read_moment,
    read_phone,
    read_procedure_code,
    read_status,
    read_text,
)
from qms.dossiers.models import (
    Dossier,
    DossierImport,
    DossierStatus,
    Handover,
    HandoverKind,
    ImportStatus,
    Timeliness,
)
from qms.dossiers.services.common import record, require, result_figures, timeliness
from qms.dossiers.services.late import open_late_nc
from qms.dossiers.services.receive import (
    Receipt,
    Refusal,
    dossier_values,
    number_dossier,
    receipt_or_refusal,
    receiving_unit,
)
from qms.processes.models import Procedure
from qms.processes.services import map_in_force

BATCH = 1000  # rows a commit: the write lock is held for about a quarter of a second
DEFAULT_NC_DAYS = 30
CODE_MAX = 60
EXAMPLES = 20  # due dates that differ, kept as examples in the report

# The column a refusal of the desk's rules is about.
RECEIPT_COLUMNS = {
    "procedure_required": "procedure",
    "no_process": "procedure",
    "invalid_channel": "channel",
    "applicant_required": "applicant",
    "invalid_phone": "phone",
    "invalid_time": "received_at",
    "future": "received_at",
    "duplicate": "code",
    "number_taken": "code",
}
FINISHED = (DossierStatus.returned, DossierStatus.refused, DossierStatus.withdrawn)
# set by _complete when done
_FINISH = dict.fromkeys(("result_ready_at", "result_on", "handling_days", "completed_at", "timeliness"))


@dataclass
class Progress:
    """Where an import is: the counts so far, and what happened since the last yield (the bad
    rows and the due dates that differ, for the caller to report and keep)."""

    read: int = 0
    created: int = 0
    unchanged: int = 0
    bad: int = 0
    ncs_opened: int = 0
    due_dates_differ: int = 0
    bad_rows: list = field(default_factory=list)  # [BadRow] since the last yield
    differ: list = field(default_factory=list)  # [(row, code, theirs, ours)] since the last yield
    stopped: str = ""  # why the file could not be read on (the last progress)
    done: bool = False


@dataclass(frozen=True)
class BadRow:
    row: int
    column: str  # the column's header as the file writes it; "" for the whole row
    reason: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "reason": self.reason}


def import_rows(actor, commune, rows, source, *, columns=None, batch=BATCH, nc_days=None):
    """Import `rows` ((row number, {column key: cell}) pairs, qms.dossiers.import_files) into
    `commune` as `actor`, the dossiers marked as imported from `source` (the file's name). Yields
    a Progress every `batch` rows and once at the end (done=True); the caller commits at each
    yield. `columns` {column key: header as written} names the columns in the report. Raises
    DomainError before anything is read if `actor` may not import."""
    require(perm.import_refusal(actor, commune))
    if nc_days is None:
        nc_days = int(current_app.config.get("QMS_IMPORT_NC_DAYS", DEFAULT_NC_DAYS))
    run = _Run(actor, commune, source, columns or {}, nc_days)
    progress, chunk = Progress(), []
    try:
        for item in rows:
            chunk.append(item)
            if len(chunk) == batch:
                run.batch(progress, chunk)
                chunk = []
                yield progress
                progress.bad_rows, progress.differ = [], []
    except FileRefused as exc:
        progress.stopped = str(exc.message)
    if chunk:
        run.batch(progress, chunk)
    progress.done = True
    yield progress


@dataclass(frozen=True)
class _InForce:
    """A procedure's process in force as a receipt reads it (the ProcessMapVersion's id and
    process): a row checks against it without loading anything."""

    id: int
    process: object


@dataclass
class _Good:
    """A row whose rules are met, about to become a dossier."""

    number: int
    code: str
    row: "_Row"
    receipt: Receipt
    on_time: Timeliness | None


class _Run:
    """What one import remembers between rows: the procedures met so far with their process in
    force (a few dozen at most), the due dates worked out so far (one per day of receipt, limit and
    cut-off: a few thousand at most), the last dossier id before it began (to tell a code twice in
    this file from a code recorded before), and the day before which a late result opens no NC."""

    def __init__(self, actor, commune, source, columns, nc_days):
        self.actor, self.commune, self.source, self.columns = actor, commune, source[:200], columns
        self.first_new_id = (db.session.scalar(select(func.max(Dossier.id))) or 0) + 1
        self.nc_since = local_today() - dt.timedelta(days=nc_days)
        self.unit = receiving_unit(actor, commune)
        self.procedures, self.maps, self.deadlines = {}, {}, {}

    def column(self, key):
        return self.columns.get(key) or (str(BY_KEY[key].label) if key in BY_KEY else "")

    def procedure(self, code):
        if code not in self.procedures:
            self.procedures[code] = db.session.scalar(
                select(Procedure).where(Procedure.commune_id == self.commune.id, Procedure.code == code)
            )
        return self.procedures[code]

    def map_of(self, procedure):
        """The process in force of `procedure` (its id and drawn process, read once: the same for
        every row), or None."""
        if procedure.id not in self.maps:
            mapped = map_in_force(procedure)
            self.maps[procedure.id] = _InForce(mapped.id, mapped.process) if mapped is not None else None
        return self.maps[procedure.id]

    def due_date(self, received_at, working_days, *, cutoff):
        """qms.core.calendar.due_date, remembered: it depends on the day of receipt, whether the
        minute of receipt is after the cut-off hour, the limit and the cut-off (its rules)."""
        local = to_local(received_at)
        late = cutoff is not None and local.time().replace(second=0, microsecond=0) > cutoff
        key = (local.date(), late, working_days, cutoff)
        found = self.deadlines.get(key)
        if found is None:
            if len(self.deadlines) > 50_000:
                self.deadlines.clear()
            found = self.deadlines[key] = due_date(received_at, working_days, cutoff=cutoff)
        return found

    def refuse(self, progress, number, problems):
        progress.bad += 1
        progress.bad_rows.extend(BadRow(number, self.column(key), str(message)) for key, message in problems)

    def batch(self, progress, chunk):
        """Check a batch of rows, then write its good rows together (one flush, one append to the
        audit chain); the rows that open a nonconformity, or all of them if a concurrent writer took
        a code or a daily serial meanwhile, one by one, each in its own savepoint."""
        progress.read += len(chunk)
        coded = []
        for number, values in chunk:
            code = read_text(values.get("code"))
            if not code:
                self.refuse(progress, number, [("code", _l("Write the dossier's code."))])
            elif len(code) > CODE_MAX:
                self.refuse(
                    progress, number, [("code", _l("A dossier code has at most %(n)d characters.", n=CODE_MAX))]
                )
            else:
                coded.append((number, code, values))
        recorded = {
            found.code: found
            for found in db.session.execute(
                select(Dossier.code, Dossier.id, Dossier.imported_from, Dossier.received_by_id).where(
                    Dossier.commune_id == self.commune.id, Dossier.code.in_({code for _n, code, _v in coded})
                )
            )
        }
        good, seen = [], {}
        for number, code, values in coded:
            if code in seen:
                message = _l("Dossier code %(code)s is on row %(row)d of this file already.", code=code, row=seen[code])
                self.refuse(progress, number, [("code", message)])
                continue
            found = recorded.get(code)
            if found is not None:
                if found.id >= self.first_new_id and (found.imported_from, found.received_by_id) == (
                    self.source,
                    self.actor.id,
                ):
                    message = _l("Dossier code %(code)s is on an earlier row of this file.", code=code)
                    self.refuse(progress, number, [("code", message)])
                else:
                    progress.unchanged += 1
                continue
            checked = self.check(number, code, values)
            if isinstance(checked, list):
                self.refuse(progress, number, checked)
            else:
                seen[code] = number
                good.append(checked)
        opening = [g for g in good if g.on_time is Timeliness.late and g.receipt.received_at >= self.nc_since_at]
        together = [g for g in good if all(g is not o for o in opening)] if opening else good
        if together:
            try:
                with standalone_part():
                    self.write(progress, together)
            except IntegrityError:
                opening = together + opening
        for one in opening:
            self.write_one(progress, one)

    @property
    def nc_since_at(self):
        return local_midnight(self.nc_since)

    def check(self, number, code, values):
        """The row as a _Good, or its problems [(column key, message)]."""
        row = _read(values)
        procedure = self.procedure(row.procedure_code) if row.procedure_code else None
        if row.procedure_code and procedure is None:
            row.problems.append(("procedure", _l("The commune has no procedure %(code)s.", code=row.procedure_code)))
        if row.problems:
            return row.problems
        receipt = receipt_or_refusal(
            self.commune,
            procedure=procedure,
            channel=row.channel,
            applicant_name=row.applicant,
            applicant_phone=row.phone,
            applicant_address=row.address,
            received_at=row.received_at,
            map_of=self.map_of,
            due_date_of=self.due_date,
        )
        if isinstance(receipt, Refusal):
            return [(RECEIPT_COLUMNS.get(receipt.code, ""), receipt.message)]
        result_at = row.result_at or row.returned_at
        on_time = None
        if row.status in (DossierStatus.result_ready, DossierStatus.returned):
            on_time = timeliness(result_at, receipt.deadline.due_date)
        return _Good(number, code, row, receipt, on_time)

    def build(self, progress, good):
        """The new dossier's column values and its control-sheet lines (column values, no dossier
        id yet), in the state the file gives."""
        values = dossier_values(
            self.actor, self.commune, good.receipt, unit=self.unit, code=good.code, imported_from=self.source
        )
        lines = _complete(values, good.row, good.receipt.process.steps[-1].id, good.on_time)
        theirs, ours = good.row.due_date, values["due_date"]
        if theirs is not None and theirs != ours:
            progress.due_dates_differ += 1
            progress.differ.append((good.number, good.code, theirs.isoformat(), ours.isoformat()))
        return values, lines

    def event(self, values, dossier_id):
        changes = {
            "code": (None, values["code"]),
            "procedure_id": (None, values["procedure_id"]),
            "channel": (None, values["channel"]),
            "received_at": (None, values["received_at"]),
            "due_date": (None, values["due_date"]),
            "status": (None, values["status"]),
            "result_ready_at": (None, values.get("result_ready_at")),
            "completed_at": (None, values.get("completed_at")),
            "timeliness": (None, values.get("timeliness")),
            "imported_from": (None, values["imported_from"]),
        }
        reason = values["refusal_reason"] or values["withdraw_reason"]
        return ("dossier.imported", EntityRef(Dossier.__tablename__, str(dossier_id), self.commune.id), changes, reason)

    def write(self, progress, goods):
        """The good rows of a batch as dossiers, numbered in their day's sequence, inserted together
        with their control-sheet lines, and their audit events appended to the chain together."""
        days = {to_local(g.receipt.received_at).date() for g in goods}
        serials = dict(
            db.session.execute(
                select(Dossier.received_on, func.max(Dossier.serial))
                .where(Dossier.commune_id == self.commune.id, Dossier.received_on.in_(days))
                .group_by(Dossier.received_on)
            ).all()
        )
        built = [self.build(progress, good) for good in goods]
        for values, _lines in built:
            values["serial"] = serials[values["received_on"]] = (serials.get(values["received_on"]) or 0) + 1
        db.session.flush()
        # Every row with the same columns: one INSERT for the batch.
        rows = [{**_FINISH, **values} for values, _l in built]
        # RETURNING in the rows' order costs one statement per row on SQLite: the ids come back by code
        # (Core statements: the ORM's bulk insert would spend as long again sorting the rows out.)
        dossiers, handovers = Dossier.__table__, Handover.__table__
        made = dict(db.session.execute(dossiers.insert().returning(dossiers.c.code, dossiers.c.id), rows).all())
        ids = [made[values["code"]] for values, _l in built]
        lines = [{**line, "dossier_id": i} for i, (_v, made) in zip(ids, built, strict=True) for line in made]
        if lines:
            db.session.execute(handovers.insert(), lines)
        record_events(self.actor, [self.event(values, i) for i, (values, _l) in zip(ids, built, strict=True)])
        progress.created += len(ids)

    def write_one(self, progress, good):
        """One good row in its own savepoint, numbered as at the desk, its nonconformity opened if
        its result was late and it was received within the window."""
        counts = (progress.due_dates_differ, len(progress.differ))
        try:
            with standalone_part():
                values, lines = self.build(progress, good)
                dossier = Dossier(**values)
                number_dossier(dossier, self.commune, good.code)
                for line in lines:
                    db.session.add(Handover(dossier=dossier, **line))
                record_events(self.actor, [self.event(values, dossier.id)])
                opened = False
                if dossier.timeliness is Timeliness.late and dossier.received_on >= self.nc_since:
                    _nc, opened = open_late_nc(self.actor, dossier, reason="late")
        except DomainError as exc:
            progress.due_dates_differ = counts[0]
            del progress.differ[counts[1] :]
            self.refuse(progress, good.number, [(RECEIPT_COLUMNS.get(exc.code, ""), exc.message)])
            return
        progress.created += 1
        progress.ncs_opened += bool(opened)


@dataclass
class _Row:
    procedure_code: str = ""
    channel: object = None
    applicant: str = ""
    phone: str = ""
    address: str = ""
    received_at: dt.datetime | None = None
    due_date: dt.date | None = None
    result_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    status: DossierStatus | None = None
    reason: str = ""
    problems: list = field(default_factory=list)  # [(column key, message)]


def _read(values) -> _Row:
    """The row's cells as values, with every problem the import's own rules find (the desk's rules
    come after, in check_receipt)."""
    row = _Row()

    def cell(key, reader):
        try:
            return reader(values.get(key))
        except CellError as exc:
            row.problems.append((key, exc.message))
            return None

    row.procedure_code = read_procedure_code(values.get("procedure"))
    if not row.procedure_code:
        row.problems.append(("procedure", _l("Write the procedure's code.")))
    row.channel = cell("channel", read_channel)
    row.applicant = read_text(values.get("applicant"))
    if not row.applicant:
        row.problems.append(("applicant", _l("Write the applicant's name.")))
    row.phone = read_phone(values.get("phone"))
    row.address = read_text(values.get("address"))
    row.received_at = cell("received_at", read_moment)
    if row.received_at is None and not any(key == "received_at" for key, _m in row.problems):
        row.problems.append(("received_at", _l("Write when the dossier was received.")))
    row.due_date = cell("due_date", read_day)
    row.result_at = cell("result_at", read_moment)
    row.returned_at = cell("returned_at", read_moment)
    row.status = cell("status", read_status)
    row.reason = read_text(values.get("reason"))
    if not row.problems:
        _check_state(row)
    return row


def _check_state(row):
    """What the row's status needs and allows, and its times in order."""
    status = row.status
    if status is None:
        status = (
            DossierStatus.returned
            if row.returned_at
            else DossierStatus.result_ready
            if row.result_at
            else DossierStatus.in_progress
        )
    row.status = status
    problems = row.problems
    if status is DossierStatus.supplement:
        problems.append(
            (
                "status",
                _l(
                    "A dossier waiting for the citizen's supplement is not imported (the file does not say "
                    "since when its clock stopped): record it at the desk."
                ),
            )
        )
    elif status is DossierStatus.in_progress and (row.result_at or row.returned_at):
        problems.append(("status", _l("A dossier still being handled has no result or return date.")))
    elif status is DossierStatus.result_ready:
        if row.result_at is None:
            problems.append(("result_at", _l("Write when the result was ready.")))
        if row.returned_at is not None:
            problems.append(("status", _l("The file gives a return date: the status should say it was returned.")))
    elif status is DossierStatus.returned and row.returned_at is None:
        problems.append(("returned_at", _l("Write when the result was returned.")))
    elif status in (DossierStatus.refused, DossierStatus.withdrawn):
        if not row.reason:
            problems.append(
                (
                    "reason",
                    _l("Write the reason for refusing.")
                    if status is DossierStatus.refused
                    else _l("Write the citizen's reason for withdrawing."),
                )
            )
        if row.returned_at is None and row.result_at is None:
            problems.append(("returned_at", _l("Write when the dossier was refused or withdrawn.")))
    now = utcnow() + dt.timedelta(minutes=5)
    earlier = ("received_at", row.received_at)
    for key in ("result_at", "returned_at"):
        moment = getattr(row, key)
        if moment is None:
            continue
        if moment > now:
            problems.append((key, _l("This date is in the future.")))
        elif earlier[1] is not None and moment < earlier[1]:
            problems.append((key, _l("This date is before %(column)s.", column=BY_KEY[earlier[0]].label)))
        earlier = (key, moment)


def _complete(values, row, last_step, on_time) -> list:
    """Bring a new dossier's values to the state the file gives; returns its control-sheet lines
    (column values: what the provincial system did, no one of ours handed it over)."""
    status = row.status
    if status is DossierStatus.in_progress:
        return []
    lines = []
    if status in (DossierStatus.result_ready, DossierStatus.returned):
        result_at = row.result_at or row.returned_at
        values.update(step_id=last_step, result_ready_at=result_at, timeliness=on_time)
        values.update(result_figures(values["effective_receipt_date"], values.get("paused_days", 0), result_at))
        lines.append((HandoverKind.result_ready, result_at, "", on_time))
        if status is DossierStatus.returned:
            lines.append((HandoverKind.returned, row.returned_at, "", None))
    else:
        reason = row.reason[:2000]
        field, kind = (
            ("refusal_reason", HandoverKind.refused)
            if status is DossierStatus.refused
            else ("withdraw_reason", HandoverKind.withdrawn)
        )
        values[field] = reason
        lines.append((kind, row.returned_at or row.result_at, reason, None))
    values["status"] = status
    if status in FINISHED:
        values.update(completed_at=row.returned_at or row.result_at, holder_id=None)
    return [
        {
            "seq": seq,
            "kind": kind,
            "step_id": values["step_id"],
            "from_name": "",
            "to_name": "",
            "at": at,
            "notes": notes,
            "timeliness": line_on_time,
        }
        for seq, (kind, at, notes, line_on_time) in enumerate(lines, 1)
    ]


# --- the import's own record --------------------------------------------------------------------------


def start_import(actor, commune, *, file_name, sha256, size) -> DossierImport:
    """The record of an import about to run (its progress and report). Raises DomainError if
    `actor` may not import."""
    require(perm.import_refusal(actor, commune))
    started = DossierImport(
        commune_id=commune.id,
        started_by_id=actor.id,
        file_name=" ".join(str(file_name or "").split())[:200],
        sha256=sha256,
        size=size,
        status=ImportStatus.running,
        started_at=utcnow(),
        updated_at=utcnow(),
        report=[],
        notes={},
    )
    db.session.add(started)
    db.session.flush()
    return started


def record_progress(run: DossierImport, progress: Progress, fraction=None, *, ignored_columns=None):
    """Write an import's progress on its record: the counts, the bad rows (the first
    REPORT_LIMIT), the due dates that differ (the first EXAMPLES). Bookkeeping of work whose every
    change has its own audit event: none here."""
    run.rows_read, run.created, run.unchanged, run.bad = (
        progress.read,
        progress.created,
        progress.unchanged,
        progress.bad,
    )
    run.ncs_opened, run.due_dates_differ = progress.ncs_opened, progress.due_dates_differ
    run.progress, run.updated_at = fraction, utcnow()
    room = DossierImport.REPORT_LIMIT - len(run.report)
    if progress.bad_rows and room > 0:
        run.report = run.report + [bad.as_dict() for bad in progress.bad_rows[:room]]
    notes = dict(run.notes or {})
    if ignored_columns is not None:
        notes["ignored_columns"] = list(ignored_columns)
    examples = notes.get("due_dates", [])
    if progress.differ and len(examples) < EXAMPLES:
        notes["due_dates"] = examples + [list(d) for d in progress.differ[: EXAMPLES - len(examples)]]
    run.notes = notes
    db.session.flush()


def finish_import(actor, run: DossierImport, *, error=""):
    """The import ended (finished, or failed with `error`, what stopped it): its audit event."""
    old = run.status
    run.status = ImportStatus.failed if error else ImportStatus.finished
    run.error, run.finished_at = str(error)[:2000], utcnow()
    if run.status is ImportStatus.finished:
        run.progress = 1.0
    changes = {
        "status": (old, run.status),
        "file_name": (None, run.file_name),
        "sha256": (None, run.sha256),
        "rows_read": (None, run.rows_read),
        "dossiers_created": (None, run.created),
        "dossiers_unchanged": (None, run.unchanged),
        "rows_refused": (None, run.bad),
    }
    record(actor, "dossier.import_finished", run, changes, reason=run.error)
