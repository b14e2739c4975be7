"""Labels of the citizens' feedback: kinds and statuses in words, the actions and fields the trail
shows, and what an item is called (its reference, GY-2026-0042)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.core.labels import register, whole_ids
from qms.db import db
from qms.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus

KIND_LABELS = {
    FeedbackKind.feedback: _l("Feedback"),
    FeedbackKind.complaint: _l("Complaint"),
    FeedbackKind.compliment: _l("Compliment"),
}
STATUS_LABELS = {
    FeedbackStatus.waiting: _l("Waiting for triage"),
    FeedbackStatus.nc_opened: _l("Nonconformity opened"),
    FeedbackStatus.closed: _l("Closed"),
}


def _feedback_items(commune_id, keys):
    ids = whole_ids(keys)
    if not ids:
        return {}
    rows = db.session.execute(
        select(FeedbackItem.id, FeedbackItem.reference).where(
            FeedbackItem.commune_id == commune_id, FeedbackItem.id.in_(ids)
        )
    )
    return {str(i): reference for i, reference in rows}


register(
    actions={
        "feedback.received": _l("Citizen's feedback received"),
        "feedback.nc_opened": _l("Nonconformity opened from a citizen's feedback"),
        "feedback.closed": _l("Citizen's feedback closed"),
        "feedback.contact_read": _l("Citizen's contact details read"),
    },
    records={"feedback_items": _l("Citizen's feedback")},
    fields={
        "reference": _l("Reference"),
        "feedback_kind": _l("Kind of feedback"),
        "nonconformity": _l("Nonconformity"),
        "close_reason": _l("Reason for closing"),
        "status": _l("Status"),
    },
    values={
        "feedback_kind": {key.value: label for key, label in KIND_LABELS.items()},
        "status": {key.value: label for key, label in STATUS_LABELS.items()},
    },
    reasons={"public_page": _l("Sent by a citizen from the public feedback page")},
    namers={"feedback_items": _feedback_items},
)
