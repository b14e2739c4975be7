"""Impartiality of auditors (ISO 9001 9.2.2 c): an auditor does not audit their own work.

A person chosen for an audit's team (the lead auditor or a member) must not belong to a unit in the
audit's scope, nor perform a process in its scope: for a procedure's internal process, having handed
over a step of one of its dossiers in the last 12 months or owning its process document (the QT); for
a system process, holding a role that performs it. `conflicts()` gives every reason at once (the page
shows them all); the services refuse a choice, or a change of scope, that leaves a team member with
one.
"""

import datetime as dt

from flask_babel import lazy_gettext as _l

from qms.audits.processes import SYSTEM_PROCESSES
from qms.audits.services.common import procedure_name
from qms.core.calendar import utcnow
from qms.db import DomainError, db
from qms.documents.models import Document
from qms.dossiers import queries as dossier_queries
from qms.processes.models import Procedure

LOOK_BACK = dt.timedelta(days=365)  # "the last 12 months" of dossier handling


def conflicts(audit, user, *, now=None) -> list:
    """Every reason `user` cannot audit `audit` as its scope is now (units, processes), in words; an
    empty list when there is none."""
    reasons = []
    scope_units = {link.unit_id for link in audit.units}
    for unit in user.units:
        if unit.id in scope_units:
            reasons.append(
                _l(
                    "%(person)s belongs to %(unit)s, a unit in the audit's scope.",
                    person=user.full_name,
                    unit=unit.name,
                )
            )
    since = (now or utcnow()) - LOOK_BACK
    roles = user.role_codes
    for process in audit.processes:
        if process.procedure_id is not None:
            procedure = db.session.get(Procedure, process.procedure_id)
            if dossier_queries.handled_by(user, procedure, since):
                reasons.append(
                    _l(
                        "%(person)s handled steps of dossiers of the procedure %(procedure)s in the last 12 months.",
                        person=user.full_name,
                        procedure=procedure_name(procedure),
                    )
                )
            document = db.session.get(Document, procedure.process_document_id)
            if document is not None and document.owner_id == user.id:
                named = f"{document.code} – {document.title}"
                reasons.append(
                    _l(
                        "%(person)s owns %(document)s, the process document of the procedure %(procedure)s.",
                        person=user.full_name,
                        document=named,
                        procedure=procedure_name(procedure),
                    )
                )
        else:
            system = SYSTEM_PROCESSES[process.system_process]
            if roles.intersection(system.roles):
                reasons.append(
                    _l(
                        "%(person)s performs the process “%(process)s” through their role.",
                        person=user.full_name,
                        process=system.name,
                    )
                )
    return reasons


class Reasons:
    """Several reasons shown as one message, in the reader's language when it is read."""

    def __init__(self, reasons):
        self.reasons = list(reasons)

    def __str__(self):
        return " ".join(str(reason) for reason in self.reasons)


def require_impartial(audit, users):
    """Refuse (DomainError, code not_impartial, with every reason) when any of `users` may not audit
    `audit` as its scope is now."""
    reasons = [reason for user in users for reason in conflicts(audit, user)]
    if reasons:
        raise DomainError(Reasons(reasons), code="not_impartial")
