"""What happens to a dossier after its receipt, each line appended to its control sheet: hand-overs
between steps, the request to supplement (the clock stands still until the citizen brings what is
missing), refusal, the result, its return, a withdrawal, and the apology letter a leader signs to
set a new return date. A result late against the due date, or a new date, opens a nonconformity
(source: late dossier) through the nonconformity service at that moment (late.py)."""

import datetime as dt

from flask_babel import lazy_gettext as _l

from qms.core.calendar import add_working_hours, due_date, is_working_day, local_today, pause_length, utcnow
from qms.db import DomainError
from qms.dossiers import permissions as perm
from qms.dossiers.models import DossierStatus, HandoverKind, Timeliness
from qms.dossiers.services.common import append_line, record, require, result_figures, text, timeliness
from qms.dossiers.services.late import open_late_nc
from qms.signatures.services import confirm_password, sign, signature_changes

APOLOGY_SIGNED = "apology_signed"


def _step(dossier, step_id=None):
    steps = dossier.process_map.process.steps
    step_id = step_id or dossier.step_id
    index = next(i for i, s in enumerate(steps) if s.id == step_id)
    return steps, index


def step_due_at(dossier):
    """When the step in progress is due: its allowance in working hours from when it began."""
    steps, index = _step(dossier)
    return add_working_hours(dossier.step_started_at, steps[index].allowance_hours)


def _open(dossier, *, paused_ok=False):
    allowed = (DossierStatus.in_progress, DossierStatus.supplement) if paused_ok else (DossierStatus.in_progress,)
    if dossier.status not in allowed:
        message = (
            _l("The dossier waits for the citizen's supplement; record it first.")
            if dossier.status is DossierStatus.supplement
            else _l("This dossier is no longer being handled.")
        )
        raise DomainError(message, code="not_open", status=409)


def _at(at):
    now = utcnow()
    at = at or now
    if at.tzinfo is None or at > now + dt.timedelta(minutes=5):
        raise DomainError(_l("The time is not valid."), code="invalid_time")
    return at


def hand_over(actor, dossier, *, to_user, notes="", at=None):
    """The holder ends the step in progress and gives the dossier to `to_user` for the next step;
    the line says whether the step ended early, on time or late against its allowance."""
    require(perm.act_refusal(actor, dossier))
    _open(dossier)
    steps, index = _step(dossier)
    if index == len(steps) - 1:
        raise DomainError(_l("This is the last step: record the result instead."), code="last_step", status=409)
    if to_user is None or to_user.commune_id != dossier.commune_id or not to_user.is_active:
        raise DomainError(_l("Choose who receives the dossier."), code="receiver_required")
    at = _at(at)
    due = step_due_at(dossier)
    on_time = timeliness(at, due)
    line = append_line(
        dossier,
        HandoverKind.handover,
        actor=actor,
        at=at,
        to_user=to_user,
        notes=text(notes, 1000),
        step_id=steps[index].id,
        step_due_at=due,
        on_time=on_time,
    )
    old = (dossier.step_id, dossier.holder_id)
    dossier.step_id, dossier.step_started_at, dossier.holder_id = steps[index + 1].id, at, to_user.id
    record(
        actor,
        "dossier.handed_over",
        dossier,
        {"step_id": (old[0], dossier.step_id), "holder_id": (old[1], to_user.id), "timeliness": (None, on_time)},
        reason=line.notes,
    )
    return line


def request_supplement(actor, dossier, *, items, notes=""):
    """Ask the citizen for what is missing (once per dossier, with the list): the clock stops."""
    require(perm.act_refusal(actor, dossier))
    _open(dossier)
    if dossier.supplement_requested_at is not None:
        raise DomainError(_l("A supplement can be requested only once for a dossier."), code="once", status=409)
    items = [text(i, 300) for i in items if text(i, 300)]
    if not items:
        raise DomainError(_l("List what the citizen must supplement."), code="items_required")
    at = utcnow()
    dossier.status, dossier.supplement_items, dossier.supplement_requested_at = DossierStatus.supplement, items, at
    append_line(
        dossier, HandoverKind.supplement_requested, actor=actor, at=at, notes=text(notes, 1000), step_id=dossier.step_id
    )
    record(
        actor,
        "dossier.supplement_requested",
        dossier,
        {"status": (DossierStatus.in_progress, dossier.status), "supplement_items": (None, items)},
    )


def receive_supplement(actor, dossier, *, notes=""):
    """The citizen brought what was missing: the clock runs again, the due date pushed by the
    working days it stood still (unless an apology letter already set the date)."""
    require(perm.act_refusal(actor, dossier))
    if dossier.status is not DossierStatus.supplement:
        raise DomainError(_l("This dossier is not waiting for a supplement."), code="not_waiting", status=409)
    at = utcnow()
    paused = pause_length(dossier.supplement_requested_at, at)
    old_due = dossier.due_date
    dossier.status, dossier.supplement_received_at, dossier.paused_days = (
        DossierStatus.in_progress,
        at,
        dossier.paused_days + paused,
    )
    if dossier.apology_due_date is None:
        process = dossier.process_map.process
        cutoff = dt.time.fromisoformat(process.cutoff) if process.cutoff else None
        dossier.due_date = due_date(
            dossier.received_at, process.working_days, cutoff=cutoff, paused_days=dossier.paused_days
        ).due_date
    append_line(
        dossier, HandoverKind.supplement_received, actor=actor, at=at, notes=text(notes, 1000), step_id=dossier.step_id
    )
    record(
        actor,
        "dossier.supplement_received",
        dossier,
        {
            "status": (DossierStatus.supplement, dossier.status),
            "paused_days": (dossier.paused_days - paused, dossier.paused_days),
            "due_date": (old_due, dossier.due_date),
        },
    )


def refuse_dossier(actor, dossier, *, reason):
    """Refuse to handle the dossier, with the reason (the refusal form is given to the citizen)."""
    require(perm.act_refusal(actor, dossier))
    _open(dossier, paused_ok=True)
    reason = text(reason, 2000)
    if not reason:
        raise DomainError(_l("Give the reason for refusing."), code="reason_required")
    return _finish(
        actor,
        dossier,
        DossierStatus.refused,
        HandoverKind.refused,
        reason,
        "dossier.refused",
        {"refusal_reason": (None, reason)},
    )


def withdraw_dossier(actor, dossier, *, reason):
    """The citizen withdrew the dossier (recorded by whoever handles it)."""
    require(perm.act_refusal(actor, dossier))
    _open(dossier, paused_ok=True)
    reason = text(reason, 2000)
    if not reason:
        raise DomainError(_l("Give the citizen's reason for withdrawing."), code="reason_required")
    return _finish(
        actor,
        dossier,
        DossierStatus.withdrawn,
        HandoverKind.withdrawn,
        reason,
        "dossier.withdrawn",
        {"withdraw_reason": (None, reason)},
    )


def _finish(actor, dossier, status, kind, notes, action, created):
    """End the dossier; `created`: {field: (None, value)} set on it and recorded with the status."""
    at = utcnow()
    old = dossier.status
    dossier.status, dossier.completed_at, dossier.holder_id = status, at, None
    for name, (_none, value) in created.items():
        setattr(dossier, name, value)
    append_line(dossier, kind, actor=actor, at=at, notes=notes, step_id=dossier.step_id)
    record(actor, action, dossier, {"status": (old, status), **created}, reason=notes)
    return dossier


def record_result(actor, dossier, *, notes="", at=None):
    """The result is ready for the citizen (at the last step): the dossier is early, on time or
    late against its due date; late opens a nonconformity at once."""
    require(perm.act_refusal(actor, dossier))
    _open(dossier)
    steps, index = _step(dossier)
    if index != len(steps) - 1:
        raise DomainError(
            _l("The result is recorded at the last step (%(step)s).", step=steps[-1].name),
            code="not_last_step",
            status=409,
        )
    at = _at(at)
    on_time = timeliness(at, dossier.due_date)
    dossier.status, dossier.result_ready_at, dossier.timeliness = DossierStatus.result_ready, at, on_time
    for name, value in result_figures(dossier.effective_receipt_date, dossier.paused_days, at).items():
        setattr(dossier, name, value)
    append_line(
        dossier,
        HandoverKind.result_ready,
        actor=actor,
        at=at,
        notes=text(notes, 1000),
        step_id=dossier.step_id,
        on_time=on_time,
    )
    record(
        actor,
        "dossier.result_ready",
        dossier,
        {"status": (DossierStatus.in_progress, dossier.status), "timeliness": (None, on_time)},
    )
    if on_time is Timeliness.late:
        open_late_nc(actor, dossier, reason="late")
    return on_time


def return_result(actor, dossier, *, notes=""):
    """The result handed to the citizen."""
    require(perm.act_refusal(actor, dossier))
    if dossier.status is not DossierStatus.result_ready:
        raise DomainError(_l("The result is not ready yet."), code="not_ready", status=409)
    at = utcnow()
    dossier.status, dossier.completed_at, dossier.holder_id = DossierStatus.returned, at, None
    append_line(dossier, HandoverKind.returned, actor=actor, at=at, notes=text(notes, 1000), step_id=dossier.step_id)
    record(actor, "dossier.returned", dossier, {"status": (DossierStatus.result_ready, DossierStatus.returned)})


def extend_due_date(actor, dossier, *, reason, new_due_date, password):
    """A leader signs the apology letter that sets a new return date: once per dossier, before its
    due date, to a later working day. Opens a nonconformity (late dossier) at once."""
    require(perm.extend_refusal(actor, dossier))
    _open(dossier, paused_ok=True)
    if dossier.apology_signed_at is not None:
        raise DomainError(_l("The return date can be set again only once."), code="once", status=409)
    if local_today() >= dossier.due_date:
        raise DomainError(
            _l(
                "The apology letter must be signed before the due date (%(date)s).",
                date=dossier.due_date.strftime("%d/%m/%Y"),
            ),
            code="too_late",
            status=409,
        )
    reason = text(reason, 2000)
    if not reason:
        raise DomainError(_l("Give the reason for the delay."), code="reason_required")
    if not isinstance(new_due_date, dt.date) or new_due_date <= dossier.due_date or not is_working_day(new_due_date):
        raise DomainError(_l("The new return date must be a working day after the due date."), code="invalid_date")
    confirm_password(actor, password, meaning=APOLOGY_SIGNED, subject=dossier)
    old = dossier.due_date
    at = utcnow()
    dossier.apology_reason, dossier.apology_due_date, dossier.due_date = reason, new_due_date, new_due_date
    dossier.apology_signed_at, dossier.apology_signed_by_id = at, actor.id
    append_line(dossier, HandoverKind.extended, actor=actor, at=at, notes=reason, step_id=dossier.step_id)
    signature = sign(actor, dossier, APOLOGY_SIGNED)
    record(
        actor,
        "dossier.extended",
        dossier,
        {"due_date": (old, new_due_date), "apology_reason": (None, reason), **signature_changes(signature)},
        reason=reason,
    )
    open_late_nc(actor, dossier, reason="extended")
