"""What the audit services share: refusing with a reason, optimistic locking, and naming the
processes of a scope."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from qms.audits.processes import SYSTEM_PROCESSES
from qms.db import ConflictError, DomainError, db
from qms.processes import queries as process_queries
from qms.processes.models import Procedure

CONFLICT_MESSAGE = _l(
    "Someone else changed this audit programme while you were working on it. Reload the page to see "
    "their change, then try again."
)


def require(refusal, code="forbidden", status=403):
    """Raise a permissions.*_refusal() reason, if there is one."""
    if refusal is not None:
        raise DomainError(refusal, code=code, status=status)


def text(value, limit=None):
    value = (value or "").strip()
    return value[:limit] if limit else value


def required_text(value, message, code="text_required", limit=None):
    value = text(value, limit)
    if not value:
        raise DomainError(message, code=code)
    return value


def check_row_version(record, expected):
    if expected is not None and int(expected) != record.row_version:
        raise ConflictError(CONFLICT_MESSAGE)


def flush():
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise ConflictError(CONFLICT_MESSAGE) from None


def procedure_name(procedure) -> str:
    """A procedure as people call it: its code and name (the name its process map in force gives)."""
    entry = process_queries.procedure(procedure.commune_id, procedure.code)
    return f"{procedure.code} – {entry.process.name}" if entry is not None else procedure.code


def process_name(scope_process) -> str:
    """An AuditProcess (a procedure's internal process or a system process) in words."""
    if scope_process.procedure_id is not None:
        return procedure_name(db.session.get(Procedure, scope_process.procedure_id))
    return str(SYSTEM_PROCESSES[scope_process.system_process].name)
