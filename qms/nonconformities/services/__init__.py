"""Nonconformities and corrective actions: every change, one module per noun.

Each function takes the acting user, checks the rule (refusals in permissions.py, gates answering 409
with what is missing), changes the rows, records one audit event in the same transaction and
flushes; the caller's unit of work commits once. Signed decisions (accept the analysis, close,
reopen, cancel) check the password before anything is written.
"""

from qms.nonconformities.services.actions import (
    add_action,
    complete_action,
    edit_action,
    plan_review,
    record_review,
)
from qms.nonconformities.services.analysis import (
    accept_analysis,
    add_cause,
    add_why,
    analysis_gaps,
    edit_cause,
    edit_why,
    remove_cause,
    remove_why,
)
from qms.nonconformities.services.common import CONFLICT_MESSAGE, nc_state
from qms.nonconformities.services.decisions import cancel_nc, close_nc, closing_gaps, reopen_nc
from qms.nonconformities.services.register import (
    assign_handler,
    attach_evidence,
    decide_action_needed,
    find_opened_from,
    link_similar,
    open_from_elsewhere,
    record_correction,
    record_disposition,
    report_nc,
    similar_ncs,
    source_ref_of,
    unlink_similar,
    update_nc,
)

__all__ = [
    "CONFLICT_MESSAGE",
    "accept_analysis",
    "add_action",
    "add_cause",
    "add_why",
    "analysis_gaps",
    "assign_handler",
    "attach_evidence",
    "cancel_nc",
    "close_nc",
    "closing_gaps",
    "complete_action",
    "decide_action_needed",
    "edit_action",
    "edit_cause",
    "edit_why",
    "find_opened_from",
    "link_similar",
    "nc_state",
    "open_from_elsewhere",
    "plan_review",
    "record_correction",
    "record_disposition",
    "record_review",
    "remove_cause",
    "remove_why",
    "reopen_nc",
    "report_nc",
    "similar_ncs",
    "source_ref_of",
    "unlink_similar",
    "update_nc",
]
