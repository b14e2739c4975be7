"""Who may see and do what with internal audits. Views, the API, templates and services ask here.

Everyone of the commune reads the programme and its audits; auditors (a read-only role) read
everything and change nothing. The quality officer plans: the programme's audits, their scope, dates
and team. A leader approves the programme, with a signature. The audit's team records its findings;
the quality officer or a leader decides on observations and opportunities for improvement.
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


def can_plan(user, programme) -> bool:
    return plan_refusal(user, programme) is None


def can_approve(user, programme) -> bool:
    return approve_refusal(user, programme) is None


def can_record_finding(user, audit) -> bool:
    return record_finding_refusal(user, audit) is None


def can_decide_finding(user, finding) -> bool:
    return decide_finding_refusal(user, finding) is None
