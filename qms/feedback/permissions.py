"""Who may see and do what with the citizens' feedback. Views, templates and services ask here.

Anyone may send feedback (the public page). Inside the commune, the quality officer triages it;
leaders (who answer to citizens) and auditors (who read every record) read what was written, never
who wrote it: the citizen's name, phone and e-mail are for the quality officer only, and each
reading of them is recorded. Other staff do not see the items: a complaint may be about them.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import AUDITOR, LEADER, QUALITY_OFFICER
from qms.feedback.models import FeedbackStatus

READERS = (QUALITY_OFFICER, LEADER, AUDITOR)


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, item) -> bool:
    return _member(user, item.commune_id) and user.has_role(*READERS)


def _officer_refusal(user, item) -> str | None:
    if not _member(user, item.commune_id) or user.is_read_only or not user.has_role(QUALITY_OFFICER):
        return _l("Only the quality officer can do this with a citizen's feedback.")
    return None


def contact_refusal(user, item) -> str | None:
    """Reading the citizen's contact details (personal data)."""
    return _officer_refusal(user, item)


def triage_refusal(user, item) -> str | None:
    """Opening a nonconformity from an item, or closing it with a reason: once, while it waits."""
    refusal = _officer_refusal(user, item)
    if refusal is None and item.status is not FeedbackStatus.waiting:
        return _l("This feedback has already been dealt with.")
    return refusal


def can_see_contact(user, item) -> bool:
    return contact_refusal(user, item) is None


def can_triage(user, item) -> bool:
    return triage_refusal(user, item) is None
