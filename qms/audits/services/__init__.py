"""Internal audits: every change, one module per noun (programme, impartiality, findings) and the
programme's coverage.

Each function takes the acting user, checks the rule (refusals in permissions.py), changes the rows,
records one audit event in the same transaction and flushes; the caller's unit of work commits once.
The programme's approval checks the leader's password before anything is written.
"""

from qms.audits.services.coverage import coverage
from qms.audits.services.findings import decide_finding, link_nc, record_finding
from qms.audits.services.impartiality import conflicts
from qms.audits.services.programme import (
    add_audit,
    approval_holds,
    approve_programme,
    cancel_audit,
    change_audit,
    current_revision,
    find_programme,
    programme_for,
    programme_state,
)

__all__ = [
    "add_audit",
    "approval_holds",
    "approve_programme",
    "cancel_audit",
    "change_audit",
    "conflicts",
    "coverage",
    "current_revision",
    "decide_finding",
    "find_programme",
    "link_nc",
    "programme_for",
    "programme_state",
    "record_finding",
]
