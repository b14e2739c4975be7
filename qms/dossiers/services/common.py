"""What the dossier services share: the refusal helper, the audit record, the control sheet's next
line, and the timeliness rule."""

import datetime as dt

from sqlalchemy import func, select

from qms.audit.services import record_event
from qms.core.calendar import to_local, working_days_between
from qms.core.digests import record_digest
from qms.db import db
from qms.db import require as require
from qms.dossiers.models import Dossier, Handover, Timeliness
from qms.signatures.services import register_subject


def text(value, limit=None) -> str:
    value = " ".join(str(value or "").split()) if limit and limit <= 300 else str(value or "").strip()
    return value[:limit] if limit else value


def timeliness(done_at: dt.datetime, due: dt.datetime | dt.date) -> Timeliness:
    """Early when done on a day before the one it was due, on time on that day (and, for a due
    time, not after it), late after. Days are Vietnam days."""
    done_day = to_local(done_at).date()
    if isinstance(due, dt.datetime):
        if done_at > due:
            return Timeliness.late
        return Timeliness.early if done_day < to_local(due).date() else Timeliness.on_time
    if done_day > due:
        return Timeliness.late
    return Timeliness.early if done_day < due else Timeliness.on_time


def result_figures(effective_receipt_date: dt.date, paused_days: int, at: dt.datetime) -> dict:
    """What a result records for monitoring: the Vietnam day it was ready (the month it counts in)
    and the working days it took from the effective receipt, less the days the clock stood still
    for the citizen's supplement (0 for a result on the day of receipt)."""
    day = to_local(at).date()
    taken = working_days_between(effective_receipt_date, day) - (paused_days or 0)
    return {"result_on": day, "handling_days": max(taken, 0)}


def append_line(dossier, kind, *, actor, at, to_user=None, notes="", step_id="", step_due_at=None, on_time=None):
    """The next line of the control sheet (never edited once written)."""
    seq = (db.session.scalar(select(func.max(Handover.seq)).where(Handover.dossier_id == dossier.id)) or 0) + 1
    line = Handover(
        dossier=dossier,
        seq=seq,
        kind=kind,
        step_id=step_id,
        from_user_id=actor.id if actor else None,
        to_user_id=to_user.id if to_user else None,
        at=at,
        notes=notes,
        step_due_at=step_due_at,
        timeliness=on_time,
    )
    db.session.add(line)
    db.session.flush()
    return line


def record(actor, action, dossier, changes, reason=""):
    db.session.flush()
    record_event(actor, action, dossier, changes=changes, reason=reason)


def dossier_state(dossier) -> dict:
    """What a leader's signature on the apology letter covers: which dossier, the reason and the new
    return date (what the letter says; the dossier's handling goes on after it)."""
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.code,
        "received_at": dossier.received_at,
        "apology_reason": dossier.apology_reason,
        "apology_due_date": dossier.apology_due_date,
    }


register_subject(
    Dossier.__tablename__,
    Dossier,
    content_digest=lambda dossier: record_digest(dossier_state(dossier)),
    identity=lambda dossier: (dossier.code,),
)
