"""Receiving a dossier at the desk: the procedure (among those whose process is in force), how it
came in, the applicant (only what the one-stop forms need), the papers received (the procedure's
requirements ticked, and others typed), and the time of receipt (now, or earlier today)."""

import dataclasses
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.core.access import allow
from qms.core.calendar import format_date, local_tz, to_local, utcnow
from qms.core.forms import field_error
from qms.db import DomainError, settle
from qms.dossiers import forms as f
from qms.dossiers import permissions as perm
from qms.dossiers import services
from qms.dossiers.views import actor, bp
from qms.dossiers.views.ledger import procedure_choices

# The field each refusal of services.receive_dossier is about (others are shown on the form).
FIELDS = {
    "procedure_required": "procedure",
    "no_process": "procedure",
    "invalid_channel": "channel",
    "applicant_required": "applicant_name",
    "invalid_phone": "applicant_phone",
    "invalid_time": "received_time",
    "future": "received_time",
}
FUTURE_GRACE = dt.timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class PaperGroup:
    """The papers a procedure requires, as check boxes: (value, text) pairs."""

    procedure_id: int
    name: str
    papers: list


def _groups(entries):
    return [
        PaperGroup(
            e.procedure.id,
            f"{e.in_force.process.name} ({e.code})",
            [(f"{e.procedure.id}:{i}", text) for i, text in enumerate(e.in_force.process.requirements)],
        )
        for e in entries
    ]


def _received_at(form):
    """The time of receipt: today at the time typed (Vietnam time), now when none is typed or the
    time typed is this minute or a few minutes ahead of the clock."""
    now = utcnow()
    clock = form.received_clock()
    if clock is None:
        return now
    typed = dt.datetime.combine(to_local(now).date(), clock, local_tz())
    return now if now < typed <= now + FUTURE_GRACE or typed == now.replace(second=0, microsecond=0) else typed


def _components(form, group):
    chosen = set(form.requirements.data or [])
    ticked = [text for value, text in group.papers if value in chosen] if group else []
    return ticked + f.lines(form.other_components.data)


@bp.route("/new", methods=["GET", "POST"])
@allow(*perm.RECEIVERS)
def receive_dossier():
    commune = current_user.commune
    if not perm.can_receive(current_user, commune):
        abort(403)
    choices, entries = procedure_choices(commune.id, in_force_only=True, empty=_l("— choose the procedure —"))
    groups = _groups(entries)
    if request.method == "GET":
        asked = (request.args.get("procedure") or "").strip()
        chosen = next((e.procedure.id for e in entries if e.code == asked), 0)
        form = f.ReceiveForm(formdata=None, procedure=chosen, received_time=to_local(utcnow()).strftime("%H:%M"))
    else:
        form = f.ReceiveForm()
    form.procedure.choices = choices
    form.requirements.choices = [SelectChoice(value, text) for g in groups for value, text in g.papers]
    status = 200
    form.refusal = None
    if form.validate_on_submit():
        entry = next((e for e in entries if e.procedure.id == form.procedure.data), None)
        group = next((g for g in groups if g.procedure_id == form.procedure.data), None)
        try:
            dossier = services.receive_dossier(
                actor(),
                commune,
                procedure=entry.procedure if entry else None,
                channel=form.channel.data,
                applicant_name=form.applicant_name.data,
                applicant_phone=form.applicant_phone.data or "",
                applicant_address=form.applicant_address.data or "",
                components=_components(form, group),
                received_at=_received_at(form),
            )
        except DomainError as exc:
            settle(exc)
            if exc.code == "forbidden":
                raise
            target = getattr(form, FIELDS.get(exc.code, ""), None)
            if target is not None:
                field_error(target, exc)
            else:
                form.refusal = str(exc.message)
            status = exc.status
        else:
            flash(
                _(
                    "Dossier %(code)s has been received; the result is due on %(date)s.",
                    code=dossier.code,
                    date=format_date(dossier.due_date),
                ),
                "success",
            )
            return redirect(url_for("dossiers.show_dossier", code=dossier.code), 303)
    elif form.errors:
        status = 400
    return render_template("dossiers/receive.html", form=form, groups=groups, has_procedures=bool(entries)), status
