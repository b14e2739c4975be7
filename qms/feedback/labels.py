"""Labels of the citizens' feedback: kinds and statuses in words, the actions and fields the trail
shows, and what an item is called (its reference, GY-2026-0042)."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register, row_namer
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


_feedback_items = row_namer(FeedbackItem, FeedbackItem.reference, name=str)


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
