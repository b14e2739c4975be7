"""Every user's home-page section about their own account: failed sign-ins by someone else."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qms.auth.models import ALL_ROLES, LoginAttempt
from qms.core.calendar import format_datetime
from qms.core.tasks import Task, register_section
from qms.db import db


def failed_sign_ins(user):
    """Failed attempts on the user's account since their previous sign-in (the one before the
    current session): if they did not make them, someone is guessing their password."""
    successes = list(
        db.session.scalars(
            select(LoginAttempt.attempted_at)
            .where(LoginAttempt.user_id == user.id, LoginAttempt.succeeded)
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(2)
        )
    )
    stmt = select(func.count(), func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(False), LoginAttempt.purpose == "sign_in"
    )
    if len(successes) == 2:
        stmt = stmt.where(LoginAttempt.attempted_at > successes[1])
    count, last = db.session.execute(stmt).one()
    if not count:
        return []
    return [
        Task(
            title=_("%(n)d failed sign-in attempts on your account since your previous sign-in", n=count),
            detail=_("The last one at %(d)s. If it was not you, change your password.", d=format_datetime(last)),
            url=url_for("auth.account"),
            overdue=True,
        )
    ]


register_section(
    "account-sign-ins",
    _l("Your account"),
    ALL_ROLES,
    failed_sign_ins,
    _l("No failed sign-in attempts on your account since your previous sign-in."),
    order=90,
)
