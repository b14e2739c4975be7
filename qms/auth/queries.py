"""Reading accounts: the lists the pages show."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from qms.auth.models import AuthSession, Commune, Unit, User
from qms.core.lists import Page
from qms.core.names import by_name, name_sort_key
from qms.db import db


def commune_people(commune_id):
    """Every account of the commune, in Vietnamese order of names (to choose a person in a filter)."""
    return by_name(db.session.scalars(select(User).where(User.commune_id == commune_id)))


def users_page(commune_id, *, page=1, per_page=50):
    """One page of the commune's accounts: active ones first, each group in Vietnamese order of names
    (sorted here, not by the database, whose collation differs between SQLite and PostgreSQL; a
    commune has a few hundred accounts at most)."""
    users = sorted(
        db.session.scalars(
            select(User)
            .where(User.commune_id == commune_id)
            .options(selectinload(User.roles), selectinload(User.units))
        ),
        key=lambda user: (not user.is_active_account, name_sort_key(user.full_name)),
    )
    start = (page - 1) * per_page
    return Page(items=users[start : start + per_page], per_page=per_page, number=page, total=len(users))


def commune_units(commune_id):
    """The commune's units, active ones first, by name."""
    return list(
        db.session.scalars(select(Unit).where(Unit.commune_id == commune_id).order_by(Unit.is_active.desc(), Unit.name))
    )


def sole_commune_name():
    """The name of the commune when the installation serves exactly one (the sign-in page shows it),
    otherwise None."""
    names = db.session.scalars(select(Commune.name).order_by(Commune.id).limit(2)).all()
    return names[0] if len(names) == 1 else None


def open_sessions(user) -> int:
    """How many sessions of `user` are open (signed in and not ended)."""
    return db.session.scalar(
        select(func.count())
        .select_from(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
    )
