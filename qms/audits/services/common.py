"""What the audit services share: refusing with a reason, optimistic locking, naming the processes
of a scope, and reading a clause of an audit's scope."""

from flask_babel import lazy_gettext as _l

from qms.audits import library
from qms.audits.processes import SYSTEM_PROCESSES
from qms.core.text import required_text as required_text
from qms.core.text import trimmed
from qms.db import DomainError, OptimisticLock, db
from qms.db import require as require
from qms.processes import queries as process_queries
from qms.processes.models import Procedure

CONFLICT_MESSAGE = _l(
    "Someone else changed this audit programme while you were working on it. Reload the page to see "
    "their change, then try again."
)
_LOCK = OptimisticLock(CONFLICT_MESSAGE)
check_row_version, flush = _LOCK.check_row_version, _LOCK.flush
text = trimmed  # the services' name for it


def procedure_name(procedure) -> str:
    """A procedure as people call it: its code and name (the name its process map in force gives)."""
    entry = process_queries.procedure(procedure.commune_id, procedure.code)
    return f"{procedure.code} – {entry.process.name}" if entry is not None else procedure.code


def process_name(scope_process) -> str:
    """An AuditProcess (a procedure's internal process or a system process) in words."""
    if scope_process.procedure_id is not None:
        return procedure_name(db.session.get(Procedure, scope_process.procedure_id))
    return str(SYSTEM_PROCESSES[scope_process.system_process].name)


def clause_in_scope(audit, value) -> str:
    """A clause of the audit's scope: one it names, or a sub-clause of one it names (8.5.1 of 8.5 or
    of 8)."""
    value = (value or "").strip()
    parts = value.split(".")
    sections = {h.number for h in library.SECTIONS}
    clauses = {h.number for h in library.CLAUSES}
    if not all(part.isdigit() for part in parts) or not (value in sections or ".".join(parts[:2]) in clauses):
        raise DomainError(_l("Choose a clause of ISO 9001 from 4 to 10."), code="invalid_clause")
    chosen = set(audit.clauses or [])
    if not chosen.intersection({value, ".".join(parts[:2]), parts[0]}):
        raise DomainError(
            _l(
                "Clause %(clause)s is not in the audit's scope (%(scope)s).",
                clause=value,
                scope=", ".join(audit.clauses),
            ),
            code="clause_outside_scope",
        )
    return value
