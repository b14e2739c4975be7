"""What dossier pages, the API and the home sections read."""

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from qms.audit.models import AuditEvent
from qms.auth.models import Unit, User
from qms.core.calendar import add_working_days, local_today
from qms.core.lists import Page, paginate
from qms.db import db
from qms.dossiers.models import CLOCK_RUNS, OPEN_STATUSES, Dossier, DossierStatus, Handover, Timeliness
from qms.processes import queries as process_queries
from qms.processes.models import Procedure, ProcessMapVersion


def by_code(commune_id, code):
    return db.session.scalar(select(Dossier).where(Dossier.commune_id == commune_id, Dossier.code == code))


def warning_horizon(today=None) -> dt.date:
    """An unfinished dossier due on or before this day is on the warning list: from one working day
    before its due date."""
    return add_working_days(today or local_today(), 1)


def due_soon(commune_id, *, user_id=None, today=None):
    """Unfinished dossiers due within a working day or overdue, soonest first: those `user_id`
    handles (holds or received), or all of the commune's."""
    query = (
        select(Dossier)
        .options(joinedload(Dossier.process_map))
        .where(
            Dossier.commune_id == commune_id,
            Dossier.status == CLOCK_RUNS,
            Dossier.due_date <= warning_horizon(today),
        )
        .order_by(Dossier.due_date, Dossier.id)
    )
    if user_id is not None:
        on_sheet = or_(Handover.from_user_id == user_id, Handover.to_user_id == user_id)
        handled = select(Handover.dossier_id).where(on_sheet)
        mine = or_(Dossier.holder_id == user_id, Dossier.received_by_id == user_id, Dossier.id.in_(handled))
        query = query.where(mine)
    return list(db.session.scalars(query.limit(200)))


def held_by(user_id):
    """The dossiers `user_id` holds now, by due date."""
    return list(
        db.session.scalars(
            select(Dossier)
            .options(joinedload(Dossier.process_map))
            .where(Dossier.holder_id == user_id, Dossier.status.in_(OPEN_STATUSES))
            .order_by(Dossier.due_date, Dossier.id)
            .limit(200)
        )
    )


# --- the ledger (sổ theo dõi hồ sơ) ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """The ledger's filters: a procedure (id), a status, the period of receipt (local days, both
    included) and late only (completed late, or still open past its due date)."""

    procedure_id: int | None = None
    status: DossierStatus | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    late_only: bool = False


def _ledger_where(commune_id, filters: LedgerFilters, today=None):
    where = [Dossier.commune_id == commune_id]
    if filters.procedure_id:
        where.append(Dossier.procedure_id == filters.procedure_id)
    if filters.status is not None:
        where.append(Dossier.status == filters.status)
    if filters.received_from is not None:
        where.append(Dossier.received_on >= filters.received_from)
    if filters.received_to is not None:
        where.append(Dossier.received_on <= filters.received_to)
    if filters.late_only:
        overdue = and_(Dossier.status == CLOCK_RUNS, Dossier.due_date < (today or local_today()))
        where.append(or_(Dossier.timeliness == Timeliness.late, overdue))
    return where


LEDGER_ORDER = (Dossier.received_at.desc(), Dossier.id.desc())


def ledger_query(commune_id, filters: LedgerFilters):
    """The ledger's SELECT of dossiers: the filters applied, newest receipt first."""
    return select(Dossier).where(*_ledger_where(commune_id, filters)).order_by(*LEDGER_ORDER)


def after_in_ledger(received_at, dossier_id):
    """The dossiers after this one in the ledger's order (where a cursor's next page starts)."""
    return or_(Dossier.received_at < received_at, and_(Dossier.received_at == received_at, Dossier.id < dossier_id))


def ledger_page(commune_id, filters: LedgerFilters, *, page=1) -> Page:
    """One page of the ledger, newest receipt first, each dossier with the process it follows and
    who holds it (read with it: one query for the page, one for its total)."""
    stmt = ledger_query(commune_id, filters).options(joinedload(Dossier.process_map), joinedload(Dossier.holder))
    return paginate(stmt, page=page)


@dataclass(frozen=True)
class LedgerRow:
    code: str
    procedure_code: str
    procedure_name: str
    received_at: dt.datetime
    due_date: dt.date
    status: DossierStatus
    step_name: str
    holder_name: str
    timeliness: Timeliness | None
    completed_at: dt.datetime | None


def ledger_rows(commune_id, filters: LedgerFilters, *, chunk=1000):
    """Every dossier the filters choose, in the ledger's order, as LedgerRow, read `chunk` rows at
    a time (the export of a year's ledger never holds it whole). The process a dossier follows is
    read once per process version, not once per dossier."""
    holder = aliased(User)
    stmt = (
        select(
            Dossier.code,
            Procedure.code.label("procedure_code"),
            Dossier.process_map_id,
            Dossier.received_at,
            Dossier.due_date,
            Dossier.status,
            Dossier.step_id,
            holder.full_name.label("holder_name"),
            Dossier.timeliness,
            Dossier.completed_at,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(holder, holder.id == Dossier.holder_id)
        .where(*_ledger_where(commune_id, filters))
        .order_by(*LEDGER_ORDER)
        .execution_options(yield_per=chunk)
    )
    processes = {}
    for row in db.session.execute(stmt):
        if row.process_map_id not in processes:
            content = db.session.scalar(
                select(ProcessMapVersion.content).where(ProcessMapVersion.id == row.process_map_id)
            )
            processes[row.process_map_id] = (content["name"], {s["id"]: s["name"] for s in content.get("steps", [])})
        name, steps = processes[row.process_map_id]
        yield LedgerRow(
            code=row.code,
            procedure_code=row.procedure_code,
            procedure_name=name,
            received_at=row.received_at,
            due_date=row.due_date,
            status=row.status,
            step_name=steps.get(row.step_id, "") if row.status in OPEN_STATUSES else "",
            holder_name=row.holder_name or "",
            timeliness=row.timeliness,
            completed_at=row.completed_at,
        )


def procedures(commune_id, *, in_force_only=False):
    """The commune's procedures as the catalogue has them (qms.processes.queries.Entry), by field
    then national code: all of them for the ledger's filter, those with a process in force for a
    receipt."""
    return process_queries.procedures(commune_id, in_force_only=in_force_only)


def original_due_date(dossier) -> dt.date | None:
    """The due date the apology letter replaced, as its audit event recorded it (None when no
    letter was signed)."""
    if dossier.apology_signed_at is None:
        return None
    changes = db.session.scalar(
        select(AuditEvent.changes)
        .where(
            AuditEvent.commune_id == dossier.commune_id,
            AuditEvent.entity_type == Dossier.__tablename__,
            AuditEvent.entity_id == str(dossier.id),
            AuditEvent.action == "dossier.extended",
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if not changes:
        return None
    old = (json.loads(changes).get("due_date") or [None])[0]
    try:
        return dt.date.fromisoformat(old) if old else None
    except (TypeError, ValueError):
        return None


def control_sheet(dossier):
    """The dossier's control-sheet lines, oldest first, with the people on them (read with them)."""
    return list(
        db.session.scalars(
            select(Handover)
            .options(joinedload(Handover.from_user), joinedload(Handover.to_user))
            .where(Handover.dossier_id == dossier.id)
            .order_by(Handover.seq)
        )
    )


def next_serial(commune_id, day) -> int:
    """The daily serial the next dossier received on `day` gets."""
    last = db.session.scalar(
        select(func.max(Dossier.serial)).where(Dossier.commune_id == commune_id, Dossier.received_on == day)
    )
    return (last or 0) + 1


def receiving_unit_code(commune) -> str:
    """The code a dossier's code carries for its receiving unit, as receipt makes it for the one-stop
    unit's staff: the commune's one-stop unit, else the commune's own code."""
    code = db.session.scalar(
        select(Unit.code)
        .where(Unit.commune_id == commune.id, Unit.is_one_stop.is_(True), Unit.is_active.is_(True))
        .order_by(Unit.id)
        .limit(1)
    )
    return code or commune.code


def handled_by(user, procedure, since: dt.datetime) -> int:
    """How many steps of the procedure's dossiers `user` handed over since `since` (a step done, the
    dossier given on): whether the person performs the procedure's process (internal audits'
    impartiality asks)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Handover)
        .join(Dossier, Dossier.id == Handover.dossier_id)
        .where(Dossier.procedure_id == procedure.id, Handover.from_user_id == user.id, Handover.at >= since)
    )
