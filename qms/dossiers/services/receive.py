"""Receiving a dossier: its code, the process it is handled under, its due date."""

import datetime as dt
import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Receipt:
    """A receipt whose rules are checked (check_receipt): what a new dossier is made of."""

    procedure: object
    mapped: object  # the ProcessMapVersion in force
    process: object  # its ProcessMap
    channel: Channel
    applicant_name: str
    applicant_phone: str
    applicant_address: str
    components: list
    received_at: dt.datetime
    deadline: object  # qms.core.calendar.Deadline


@dataclass(frozen=True)
class Refusal:
    """What a receipt's rules refuse (receipt_or_refusal): the message for a person, a stable code."""

    message: object
    code: str
    status: int = 400

    def error(self) -> DomainError:
        return DomainError(self.message, code=self.code, status=self.status)


def check_receipt(commune, **receipt) -> Receipt:
    """The rules of a receipt (receipt_or_refusal), a refusal raised as DomainError (its code names
    what is wrong: procedure_required, no_process, invalid_channel, applicant_required,
    invalid_phone, invalid_time, future)."""
    checked = receipt_or_refusal(commune, **receipt)
    if isinstance(checked, Refusal):
        raise checked.error()
    return checked


def receipt_or_refusal(
    commune,
    *,
    procedure,
    channel,
    applicant_name,
    applicant_phone="",
    applicant_address="",
    components=(),
    received_at=None,
    map_of=map_in_force,
    due_date_of=due_date,
) -> Receipt | Refusal:
    """The rules of a receipt, whoever records it (the desk, the API, an import): the procedure
    (of the commune, with a process in force: `map_of(procedure)`, map_in_force unless the caller
    remembers it), the channel, the applicant's name and phone, the time of receipt (aware, not in
    the future), and the due date from qms.core.calendar.due_date (or the caller's memory of it,
    `due_date_of`) with the procedure's limit and cut-off hour. Returns the Receipt, or the Refusal
    of the first rule broken: an import checks thousands of rows and reports the refused ones
    without raising (a DomainError raised is a refusal of the whole unit of work)."""
    if procedure is None or procedure.commune_id != commune.id:
        return Refusal(_l("Choose the procedure."), "procedure_required")
    mapped = map_of(procedure)
    if mapped is None:
        return Refusal(
            _l(
                "Procedure %(code)s has no process in force: its process document is not yet effective.",
                code=procedure.code,
            ),
            "no_process",
            409,
        )
    try:
        channel = Channel(getattr(channel, "value", channel))
    except ValueError:
        return Refusal(_l("Choose how the dossier came in."), "invalid_channel")
    name = text(applicant_name, NAME_MAX)
    if not name:
        return Refusal(_l("Enter the applicant's name."), "applicant_required")
    phone = text(applicant_phone, PHONE_MAX)
    if phone and not _PHONE.fullmatch(phone):
        return Refusal(_l("The phone number is not valid."), "invalid_phone")
    items = [text(c, 300) for c in components if text(c, 300)]
    now = utcnow()
    received_at = received_at or now
    if received_at.tzinfo is None:
        return Refusal(_l("The time of receipt needs its time zone."), "invalid_time")
    if received_at > now + dt.timedelta(minutes=5):
        return Refusal(_l("A dossier cannot be received in the future."), "future")
    process = mapped.process
    cutoff = dt.time.fromisoformat(process.cutoff) if process.cutoff else None
    return Receipt(
        procedure=procedure,
        mapped=mapped,
        process=process,
        channel=channel,
        applicant_name=name,
        applicant_phone=phone,
        applicant_address=text(applicant_address, ADDRESS_MAX),
        components=items,
        received_at=received_at,
        deadline=due_date_of(received_at, process.working_days, cutoff=cutoff),
    )


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
    receipt = check_receipt(
        commune,
        procedure=procedure,
        channel=channel,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_address=applicant_address,
        components=components,
        received_at=received_at,
    )
    dossier = new_dossier(actor, commune, receipt, unit=unit, code=code, imported_from=imported_from)
    record(
        actor,
        "dossier.received",
        dossier,
        {
            "code": (None, dossier.code),
            "procedure_id": (None, procedure.id),
            "channel": (None, receipt.channel),
            "received_at": (None, receipt.received_at),
            "due_date": (None, dossier.due_date),
            "components": (None, receipt.components),
        },
    )
    return dossier


def receiving_unit(actor, commune, unit=None):
    """The unit a dossier is received for: `unit`, or the actor's one-stop unit (DomainError if
    `unit` is another commune's)."""
    unit = unit or _one_stop_unit(actor)
    if unit is not None and unit.commune_id != commune.id:
        raise DomainError(_l("The unit belongs to another commune."))
    return unit


def dossier_values(actor, commune, receipt, *, unit, code="", imported_from="") -> dict:
    """The column values of the dossier of a checked receipt, not yet numbered (its serial): at the
    first step of its process, held by `actor`, who received it, for `unit`. The desk makes a
    Dossier of them; an import inserts thousands at once."""
    received_at = receipt.received_at
    return {
        "commune_id": commune.id,
        "code": code,
        "received_on": to_local(received_at).date(),
        "procedure_id": receipt.procedure.id,
        "process_map_id": receipt.mapped.id,
        "unit_id": unit.id if unit is not None else None,
        "channel": receipt.channel,
        "applicant_name": receipt.applicant_name,
        "applicant_phone": receipt.applicant_phone,
        "applicant_address": receipt.applicant_address,
        "components": receipt.components,
        "received_at": received_at,
        "received_by_id": actor.id,
        "effective_receipt_date": receipt.deadline.effective_receipt_date,
        "due_date": receipt.deadline.due_date,
        "status": DossierStatus.in_progress,
        "step_id": receipt.process.steps[0].id,
        "step_started_at": received_at,
        "holder_id": actor.id,
        "paused_days": 0,
        "supplement_items": [],
        "refusal_reason": "",
        "withdraw_reason": "",
        "apology_reason": "",
        "imported_from": imported_from,
        "created_at": utcnow(),
    }


def new_dossier(actor, commune, receipt, *, unit=None, code=None, imported_from="") -> Dossier:
    """The dossier of a checked receipt (dossier_values), added and numbered (number_dossier; its
    audit event is the caller's), for `unit` (the actor's one-stop unit by default)."""
    unit = receiving_unit(actor, commune, unit)
    dossier = Dossier(**dossier_values(actor, commune, receipt, unit=unit, imported_from=imported_from))
    dossier.procedure, dossier.process_map, dossier.unit = receipt.procedure, receipt.mapped, unit
    return number_dossier(dossier, commune, code)


def number_dossier(dossier, commune, code=None) -> Dossier:
    """Add a built dossier with its code and the next serial of its day: `code` when given
    (refused if the commune has it), otherwise made in the commune's format. Raises DomainError
    (duplicate, number_taken)."""
    day = dossier.received_on
    if code:
        dossier.code = text(code, 60)
        if db.session.scalar(select(Dossier.id).where(Dossier.commune_id == commune.id, Dossier.code == dossier.code)):
            raise DomainError(
                _l("Dossier %(code)s is already recorded.", code=dossier.code), code="duplicate", status=409
            )

        def number(_serial):
            return dossier.code
    else:
        fmt = commune.setting(CODE_FORMAT_SETTING) or DEFAULT_CODE_FORMAT
        unit_code = dossier.unit.code if dossier.unit is not None else commune.code

        def number(serial):
            return render_code(fmt, unit_code=unit_code, day=day, serial=serial)

    insert_numbered(
        dossier,
        scope=(Dossier.commune_id == commune.id, Dossier.received_on == day),
        field="code",
        number=number,
        refusal=lambda: DomainError(
            _l("Another dossier took this number; try again."), code="number_taken", status=409
        ),
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
