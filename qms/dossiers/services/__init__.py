"""Dossier handling: every change to a dossier, each recorded on its control sheet and in the audit
trail in the same transaction; the caller's unit of work commits once."""

from qms.dossiers.services.applicant import Applicant, read_applicant
from qms.dossiers.services.late import open_late_nc, open_overdue_ncs
from qms.dossiers.services.monitoring import set_targets, take_up_shortfall
from qms.dossiers.services.receive import (
    CODE_FORMAT_SETTING,
    DEFAULT_CODE_FORMAT,
    check_code_format,
    handlers_choice,
    receive_dossier,
    render_code,
)
from qms.dossiers.services.settings import code_format, update_code_format
from qms.dossiers.services.steps import (
    APOLOGY_SIGNED,
    extend_due_date,
    hand_over,
    receive_supplement,
    record_result,
    refuse_dossier,
    request_supplement,
    return_result,
    step_due_at,
    withdraw_dossier,
)

__all__ = [
    "APOLOGY_SIGNED",
    "Applicant",
    "CODE_FORMAT_SETTING",
    "DEFAULT_CODE_FORMAT",
    "check_code_format",
    "code_format",
    "extend_due_date",
    "hand_over",
    "handlers_choice",
    "open_late_nc",
    "open_overdue_ncs",
    "read_applicant",
    "receive_dossier",
    "receive_supplement",
    "record_result",
    "refuse_dossier",
    "render_code",
    "request_supplement",
    "return_result",
    "set_targets",
    "step_due_at",
    "take_up_shortfall",
    "update_code_format",
    "withdraw_dossier",
]
