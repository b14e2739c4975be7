"""Reading accounts: the lists the pages show."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from qms.auth.models import AuthSession, Unit, User
from qms.core.lists import paginate
from qms.db import db


def commune_people(commune_id):
    """Every account of the commune, by name (to choose a person in a filter)."""
    return list(db.session.scalars(select(User).where(User.commune_id == commune_id).order_by(User.full_name)))


def users_page(commune_id, *, page=1, per_page=50):
    """One page of the commune's accounts: active ones first, by name."""
    return paginate(
        select(User)
        .where(User.commune_id == commune_id)
        .options(selectinload(User.roles), selectinload(User.units))
        .order_by(User.is_active_account.desc(), User.full_name),
        page=page,
        per_page=per_page,
    )


def commune_units(commune_id):
    """The commune's units, active ones first, by name."""
    return list(
        db.session.scalars(select(Unit).where(Unit.commune_id == commune_id).order_by(Unit.is_active.desc(), Unit.name))
    )


def open_sessions(user) -> int:
    """How many sessions of `user` are open (signed in and not ended)."""
    return db.session.scalar(
        select(func.count())
        .select_from(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
    )
