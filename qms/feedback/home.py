"""The home-page section of the feedback box: what waits for the quality officer's triage."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.auth.models import QUALITY_OFFICER
from qms.core.tasks import Task, register_section
from qms.feedback import queries
from qms.feedback.labels import KIND_LABELS

EXCERPT = 120


def _waiting(user):
    return [
        Task(
            title=_("%(reference)s · %(kind)s", reference=item.reference, kind=KIND_LABELS[item.kind]),
            url=url_for("feedback.show_item", feedback_id=item.id),
            detail=item.message if len(item.message) <= EXCERPT else item.message[:EXCERPT].rstrip() + "…",
            due=item.received_at,
        )
        for item in queries.waiting_items(user.commune_id)
    ]


register_section(
    "feedback-waiting",
    _l("Citizens' feedback to triage"),
    (QUALITY_OFFICER,),
    _waiting,
    _l("No citizen's feedback is waiting."),
    order=60,
)
