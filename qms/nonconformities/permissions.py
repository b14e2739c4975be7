"""Who may see and do what with nonconformities. Views, the API, templates and services ask here.

Everyone of the commune reads its NCs (auditors included); everyone but a read-only auditor reports
one. The quality officer runs the register: assigns who handles an NC, and signs the decisions
(accept the analysis, close, reopen, cancel). The handler (or the quality officer) records the
correction, the analysis, the action items and plans the effectiveness review; an item's owner marks
it done; the reviewer records the review's result.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF

REPORTERS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, nc) -> bool:
    return _member(user, nc.commune_id)


def report_refusal(user, commune) -> str | None:
    if not _member(user, commune.id) or not user.has_role(*REPORTERS):
        return _l("Only the commune's staff, leaders and quality officers can report a nonconformity.")
    return None


def is_quality_officer(user, nc) -> bool:
    return _member(user, nc.commune_id) and user.has_role(QUALITY_OFFICER)


def manage_refusal(user, nc) -> str | None:
    """Recording the correction, the analysis, the action items, evidence and links."""
    if not _member(user, nc.commune_id) or user.is_read_only:
        return _l("You cannot change this nonconformity.")
    if not (user.has_role(QUALITY_OFFICER) or (nc.handler_id is not None and nc.handler_id == user.id)):
        return _l("Only the quality officer or the person handling this nonconformity can do this.")
    if not nc.is_open:
        return _l("This nonconformity is closed or cancelled: reopen it first.")
    return None


def decide_refusal(user, nc) -> str | None:
    """The signed decisions: accept the analysis, close, reopen, cancel; and assigning the handler."""
    if not is_quality_officer(user, nc) or user.is_read_only:
        return _l("Only the quality officer decides on a nonconformity.")
    return None


def complete_refusal(user, action) -> str | None:
    nc = action.nonconformity
    if not _member(user, nc.commune_id) or user.is_read_only:
        return _l("You cannot change this nonconformity.")
    if user.id != action.owner_id and not user.has_role(QUALITY_OFFICER):
        return _l("Only the owner of the action item or the quality officer can mark it done.")
    if not nc.is_open:
        return _l("This nonconformity is closed or cancelled: reopen it first.")
    return None


def review_refusal(user, review) -> str | None:
    nc = review.nonconformity
    if not _member(user, nc.commune_id) or user.is_read_only:
        return _l("You cannot change this nonconformity.")
    if user.id != review.reviewer_id:
        return _l("Only the reviewer named for this review can record its result.")
    if not nc.is_open:
        return _l("This nonconformity is closed or cancelled: reopen it first.")
    return None


def can_manage(user, nc) -> bool:
    return manage_refusal(user, nc) is None


def can_decide(user, nc) -> bool:
    return decide_refusal(user, nc) is None


def can_complete(user, action) -> bool:
    return action.done_at is None and complete_refusal(user, action) is None


def can_record_review(user, review) -> bool:
    return review.result is None and review_refusal(user, review) is None


def can_report(user) -> bool:
    return user is not None and user.is_authenticated and not user.is_read_only and user.has_role(*REPORTERS)
