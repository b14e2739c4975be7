"""What the audit services share: refusing with a reason, optimistic locking, and naming the
processes of a scope."""

from flask_babel import lazy_gettext as _l

from qms.audits.processes import SYSTEM_PROCESSES
from qms.core.text import required_text as required_text
from qms.core.text import trimmed
from qms.db import OptimisticLock, db
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
