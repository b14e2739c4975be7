"""Receiving a dossier: its code, the process it is handled under, its due date."""

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.models import User
from qms.core.calendar import due_date, to_local, utcnow
from qms.db import DomainError, db, insert_numbered
from qms.dossiers import permissions as perm
from qms.dossiers.models import Channel, Dossier, DossierStatus
from qms.dossiers.services.common import record, require, text
from qms.processes.services import map_in_force

DEFAULT_CODE_FORMAT = "{unit}-{yymmdd}-{nnn}"
CODE_FORMAT_SETTING = "dossier_code_format"
_PLACEHOLDER = re.compile(r"\{(unit|yymmdd|yyyy|yy|mm|dd|n+)\}")
_LITERAL = re.compile(r"[A-Za-z0-9.\-_/]*")
NAME_MAX, PHONE_MAX, ADDRESS_MAX = 200, 20, 300
_PHONE = re.compile(r"\+?[0-9 .\-]{8,20}")


def check_code_format(fmt: str) -> str:
    """The format, or DomainError: placeholders {unit} (the receiving unit's code), {yymmdd},
    {yyyy}, {yy}, {mm}, {dd} and one daily serial {nnn} (at least as many digits as n's); between
    them letters, digits, '.', '-', '_' and '/'."""
    fmt = (fmt or "").strip()
    serials = re.findall(r"\{n+\}", fmt)
    rest = _PLACEHOLDER.sub("", fmt)
    if len(serials) != 1 or not _LITERAL.fullmatch(rest) or "{" in rest or "}" in rest or len(fmt) > 60:
        raise DomainError(
            _l(
                "The dossier code format needs one daily serial {nnn} and may use {unit}, {yymmdd}, {yyyy}, "
                "{yy}, {mm}, {dd}, letters, digits and . - _ /."
            ),
            code="invalid_pattern",
        )
    return fmt


def render_code(fmt, *, unit_code, day, serial) -> str:
    values = {
        "unit": unit_code,
        "yymmdd": day.strftime("%y%m%d"),
        "yyyy": f"{day.year:04d}",
        "yy": day.strftime("%y"),
        "mm": f"{day.month:02d}",
        "dd": f"{day.day:02d}",
    }

    def fill(match):
        name = match.group(1)
        return f"{serial:0{len(name)}d}" if name.startswith("n") else values[name]

    return _PLACEHOLDER.sub(fill, fmt)


def _one_stop_unit(actor):
    units = [u for u in actor.units if u.is_active] if hasattr(actor, "units") else []
    return next((u for u in units if u.is_one_stop), units[0] if units else None)


def receive_dossier(
    actor,
    commune,
    *,
    procedure,
    channel,
    applicant_name,
    applicant_phone="",
    applicant_address="",
    components=(),
    received_at=None,
    unit=None,
    code=None,
    imported_from="",
):
    """Record a dossier received for `procedure` (handled under its process map in force). Its
    due date comes from qms.core.calendar.due_date with the procedure's limit and cut-off hour. The
    code is made in the commune's format (default unit code + yymmdd + daily serial) unless `code`
    is given (a dossier imported from the provincial system keeps its code). The person who
    receives it holds it for the first step. Raises DomainError for what is missing or wrong."""
    require(perm.receive_refusal(actor, commune))
    if procedure is None or procedure.commune_id != commune.id:
        raise DomainError(_l("Choose the procedure."), code="procedure_required")
    mapped = map_in_force(procedure)
    if mapped is None:
        raise DomainError(
            _l(
                "Procedure %(code)s has no process in force: its process document is not yet effective.",
                code=procedure.code,
            ),
            code="no_process",
            status=409,
        )
    try:
        channel = Channel(getattr(channel, "value", channel))
    except ValueError:
        raise DomainError(_l("Choose how the dossier came in."), code="invalid_channel") from None
    name = text(applicant_name, NAME_MAX)
    if not name:
        raise DomainError(_l("Enter the applicant's name."), code="applicant_required")
    phone = text(applicant_phone, PHONE_MAX)
    if phone and not _PHONE.fullmatch(phone):
        raise DomainError(_l("The phone number is not valid."), code="invalid_phone")
    items = [text(c, 300) for c in components if text(c, 300)]
    now = utcnow()
    received_at = received_at or now
    if received_at.tzinfo is None:
        raise DomainError(_l("The time of receipt needs its time zone."), code="invalid_time")
    if received_at > now + dt.timedelta(minutes=5):
        raise DomainError(_l("A dossier cannot be received in the future."), code="future")
    unit = unit or _one_stop_unit(actor)
    if unit is not None and unit.commune_id != commune.id:
        raise DomainError(_l("The unit belongs to another commune."))
    process = mapped.process
    cutoff = dt.time.fromisoformat(process.cutoff) if process.cutoff else None
    deadline = due_date(received_at, process.working_days, cutoff=cutoff)
    day = to_local(received_at).date()
    dossier = Dossier(
        commune_id=commune.id,
        received_on=day,
        procedure=procedure,
        process_map=mapped,
        unit=unit,
        channel=channel,
        applicant_name=name,
        applicant_phone=phone,
        applicant_address=text(applicant_address, ADDRESS_MAX),
        components=items,
        received_at=received_at,
        received_by_id=actor.id,
        effective_receipt_date=deadline.effective_receipt_date,
        due_date=deadline.due_date,
        status=DossierStatus.in_progress,
        step_id=process.steps[0].id,
        step_started_at=received_at,
        holder_id=actor.id,
        imported_from=imported_from,
    )
    if code:
        dossier.code = text(code, 60)
        if db.session.scalar(select(Dossier.id).where(Dossier.commune_id == commune.id, Dossier.code == dossier.code)):
            raise DomainError(
                _l("Dossier %(code)s is already recorded.", code=dossier.code), code="duplicate", status=409
            )
        insert_numbered(
            dossier,
            scope=(Dossier.commune_id == commune.id, Dossier.received_on == day),
            field="code",
            number=lambda _serial: dossier.code,
            refusal=lambda: DomainError(
                _l("Another dossier took this number; try again."), code="number_taken", status=409
            ),
        )
    else:
        fmt = commune.setting(CODE_FORMAT_SETTING) or DEFAULT_CODE_FORMAT
        unit_code = unit.code if unit is not None else commune.code
        insert_numbered(
            dossier,
            scope=(Dossier.commune_id == commune.id, Dossier.received_on == day),
            field="code",
            number=lambda serial: render_code(fmt, unit_code=unit_code, day=day, serial=serial),
            refusal=lambda: DomainError(
                _l("Another dossier took this number; try again."), code="number_taken", status=409
            ),
        )
    record(
        actor,
        "dossier.received",
        dossier,
        {
            "code": (None, dossier.code),
            "procedure_id": (None, procedure.id),
            "channel": (None, channel),
            "received_at": (None, received_at),
            "due_date": (None, dossier.due_date),
            "components": (None, items),
        },
    )
    return dossier


def handlers_choice(commune):
    """The people a dossier can be handed to: the commune's active staff, leaders and quality officers."""
    return [
        u
        for u in db.session.scalars(
            select(User).where(User.commune_id == commune.id, User.is_active_account.is_(True)).order_by(User.full_name)
        )
        if u.has_role(*perm.RECEIVERS)
    ]
