"""Who may see and do what with internal audits. Views, the API, templates and services ask here.

Everyone of the commune reads the programme and its audits; auditors (a read-only role) read
everything and change nothing. The quality officer plans: the programme's audits, their scope, dates
and team, and keeps the checklist library. A leader approves the programme, with a signature. The lead
auditor signs the audit's plan, which a leader approves, starts the audit with the quality officer,
and signs its report. The audit's team fills its checklist and records its findings; the quality
officer or a leader decides on observations and opportunities for improvement. The quality officer or
the lead auditor closes an audit once its report is signed.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import LEADER, QUALITY_OFFICER

DECIDERS = (QUALITY_OFFICER, LEADER)


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, record) -> bool:
    return _member(user, record.commune_id)


def plan_refusal(user, programme) -> str | None:
    """Adding, changing and cancelling the programme's audits."""
    if not _member(user, programme.commune_id) or user.is_read_only or not user.has_role(QUALITY_OFFICER):
        return _l("Only the quality officer plans internal audits.")
    return None


def approve_refusal(user, programme) -> str | None:
    if not _member(user, programme.commune_id) or user.is_read_only or not user.has_role(LEADER):
        return _l("Only a leader approves the audit programme.")
    return None


def record_finding_refusal(user, audit) -> str | None:
    if not _member(user, audit.commune_id) or user.is_read_only:
        return _l("You cannot record findings of this audit.")
    if not any(member.user_id == user.id for member in audit.team):
        return _l("Only the audit's team records its findings.")
    if not audit.is_active:
        return _l("This audit is cancelled.")
    return None


def decide_finding_refusal(user, finding) -> str | None:
    if not _member(user, finding.commune_id) or user.is_read_only or not user.has_role(*DECIDERS):
        return _l("Only the quality officer or a leader decides on an observation or an opportunity for improvement.")
    return None


def _lead(user, audit) -> bool:
    return _member(user, audit.commune_id) and not user.is_read_only and user.id == audit.lead_auditor_id


def library_refusal(user, commune_id) -> str | None:
    """Adding, revising and withdrawing questions of the commune's checklist library."""
    if not _member(user, commune_id) or user.is_read_only or not user.has_role(QUALITY_OFFICER):
        return _l("Only the quality officer keeps the checklist library.")
    return None


def checklist_refusal(user, audit) -> str | None:
    """Choosing an audit's checklist (library questions and its own ones): the quality officer or the
    audit's team, before the report is signed."""
    if not _member(user, audit.commune_id) or user.is_read_only:
        return _l("You cannot change this audit's checklist.")
    on_team = any(member.user_id == user.id for member in audit.team)
    if not on_team and not user.has_role(QUALITY_OFFICER):
        return _l("Only the quality officer or the audit's team prepares its checklist.")
    return None


def answer_refusal(user, audit) -> str | None:
    """Giving a checklist question its result, notes and evidence files: the audit's team."""
    if not _member(user, audit.commune_id) or user.is_read_only:
        return _l("You cannot fill this audit's checklist.")
    if not any(member.user_id == user.id for member in audit.team):
        return _l("Only the audit's team fills its checklist.")
    return None


def sign_plan_refusal(user, audit) -> str | None:
    if not _lead(user, audit):
        return _l("Only the lead auditor signs the audit plan.")
    return None


def approve_plan_refusal(user, audit) -> str | None:
    if not _member(user, audit.commune_id) or user.is_read_only or not user.has_role(LEADER):
        return _l("Only a leader approves the audit plan.")
    return None


def start_refusal(user, audit) -> str | None:
    if _lead(user, audit) or (
        _member(user, audit.commune_id) and not user.is_read_only and user.has_role(QUALITY_OFFICER)
    ):
        return None
    return _l("Only the lead auditor or the quality officer starts the audit.")


def report_refusal(user, audit) -> str | None:
    """Writing and signing the report."""
    if not _lead(user, audit):
        return _l("Only the lead auditor writes and signs the audit report.")
    return None


def close_refusal(user, audit) -> str | None:
    return start_refusal(user, audit) and _l("Only the lead auditor or the quality officer closes the audit.")


def can_edit_library(user, commune_id) -> bool:
    return library_refusal(user, commune_id) is None


def can_change_checklist(user, audit) -> bool:
    return checklist_refusal(user, audit) is None


def can_answer(user, audit) -> bool:
    return answer_refusal(user, audit) is None


def can_sign_plan(user, audit) -> bool:
    return sign_plan_refusal(user, audit) is None


def can_approve_plan(user, audit) -> bool:
    return approve_plan_refusal(user, audit) is None


def can_start(user, audit) -> bool:
    return start_refusal(user, audit) is None


def can_report(user, audit) -> bool:
    return report_refusal(user, audit) is None


def can_close(user, audit) -> bool:
    return close_refusal(user, audit) is None


def can_plan(user, programme) -> bool:
    return plan_refusal(user, programme) is None


def can_approve(user, programme) -> bool:
    return approve_refusal(user, programme) is None


def can_record_finding(user, audit) -> bool:
    return record_finding_refusal(user, audit) is None


def can_decide_finding(user, finding) -> bool:
    return decide_finding_refusal(user, finding) is None
