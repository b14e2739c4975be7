"""Reading the feedback box: the communes a citizen may write to, the triage list, what waits."""

from sqlalchemy import case, select

from qms.core.lists import paginate
from qms.db import db
from qms.feedback.models import FeedbackItem, FeedbackStatus


def items_page(commune_id, *, status=None, page=1, per_page=50):
    """The commune's items, those waiting for triage first (oldest first: they have waited longest),
    then the others, newest first."""
    waiting = FeedbackItem.status == FeedbackStatus.waiting
    stmt = (
        select(FeedbackItem)
        .where(FeedbackItem.commune_id == commune_id)
        .order_by(
            case((waiting, 0), else_=1),
            case((waiting, FeedbackItem.id), else_=-FeedbackItem.id),
        )
    )
    if status is not None:
        stmt = stmt.where(FeedbackItem.status == status)
    return paginate(stmt, page=page, per_page=per_page)


def waiting_items(commune_id, limit=20):
    return list(
        db.session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.commune_id == commune_id, FeedbackItem.status == FeedbackStatus.waiting)
            .order_by(FeedbackItem.id)
            .limit(limit)
        )
    )
