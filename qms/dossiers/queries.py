"""What dossier pages, the API and the home sections read."""

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from qms.core.calendar import add_working_days, local_today
from qms.db import db
from qms.dossiers.models import OPEN_STATUSES, Dossier, Handover


def by_code(commune_id, code):
    return db.session.scalar(select(Dossier).where(Dossier.commune_id == commune_id, Dossier.code == code))


def warning_horizon(today=None) -> dt.date:
    """An unfinished dossier due on or before this day is on the warning list: from one working day
    before its due date."""
    return add_working_days(today or local_today(), 1)


def due_soon(commune_id, *, user_id=None, today=None):
    """Unfinished dossiers due within a working day or overdue, soonest first: those `user_id`
    handles (holds or received), or all of the commune's."""
    query = (
        select(Dossier)
        .options(joinedload(Dossier.process_map))
        .where(
            Dossier.commune_id == commune_id,
            Dossier.status.in_(OPEN_STATUSES),
            Dossier.due_date <= warning_horizon(today),
        )
        .order_by(Dossier.due_date, Dossier.id)
    )
    if user_id is not None:
        on_sheet = or_(Handover.from_user_id == user_id, Handover.to_user_id == user_id)
        handled = select(Handover.dossier_id).where(on_sheet)
        mine = or_(Dossier.holder_id == user_id, Dossier.received_by_id == user_id, Dossier.id.in_(handled))
        query = query.where(mine)
    return list(db.session.scalars(query.limit(200)))


def held_by(user_id):
    """The dossiers `user_id` holds now, by due date."""
    return list(
        db.session.scalars(
            select(Dossier)
            .options(joinedload(Dossier.process_map))
            .where(Dossier.holder_id == user_id, Dossier.status.in_(OPEN_STATUSES))
            .order_by(Dossier.due_date, Dossier.id)
            .limit(200)
        )
    )
