"""Labels of what accounts, sign-in and the commune's organisation record, and the names of their
records (see qms.core.labels)."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.models import ApiToken, Commune, Role, Unit, User
from qms.core.labels import register, whole_ids
from qms.db import db


def _people(commune_id, keys):
    rows = db.session.execute(
        select(User.id, User.full_name).where(User.commune_id == commune_id, User.id.in_(whole_ids(keys)))
    )
    return {str(id_): name for id_, name in rows}


def _people_by_username(commune_id, keys):
    rows = db.session.execute(
        select(User.username, User.full_name).where(User.commune_id == commune_id, User.username.in_(keys))
    )
    return dict(rows.all())


def _units(commune_id, keys):
    rows = db.session.execute(
        select(Unit.id, Unit.name).where(Unit.commune_id == commune_id, Unit.id.in_(whole_ids(keys)))
    )
    return {str(id_): name for id_, name in rows}


def _units_by_code(commune_id, keys):
    rows = db.session.execute(select(Unit.code, Unit.name).where(Unit.commune_id == commune_id, Unit.code.in_(keys)))
    return dict(rows.all())


def _communes(commune_id, keys):
    commune = db.session.get(Commune, commune_id) if str(commune_id) in keys else None
    return {str(commune.id): commune.name} if commune is not None else {}


def _tokens(commune_id, keys):
    rows = db.session.execute(
        select(ApiToken.id, ApiToken.name, User.full_name)
        .join(User, ApiToken.user_id == User.id)
        .where(User.commune_id == commune_id, ApiToken.id.in_(whole_ids(keys)))
    )
    return {str(id_): _("API token “%(name)s” of %(person)s", name=name, person=person) for id_, name, person in rows}


def _roles(commune_id, keys):
    locale = str(get_locale() or "vi")
    return {role.code: role.name(locale) for role in db.session.scalars(select(Role).where(Role.code.in_(keys)))}


register(
    actions={
        "auth.sign_in": _l("Signed in"),
        "auth.sign_out": _l("Signed out"),
        "auth.sign_in_failed": _l("Failed sign-in"),
        "auth.sign_in_refused": _l("Sign-in refused (account locked)"),
        "auth.locked_out": _l("Account locked after failed sign-ins"),
        "auth.session_expired": _l("Session ended (inactivity or lifetime)"),
        "api_token.created": _l("API token created"),
        "api_token.revoked": _l("API token revoked"),
        "commune.created": _l("Commune created"),
        "unit.created": _l("Unit created"),
        "unit.updated": _l("Unit changed"),
        "user.created": _l("Account created"),
        "user.updated": _l("Account changed"),
        "user.disabled": _l("Account disabled"),
        "user.enabled": _l("Account enabled"),
        "user.unlocked": _l("Account unlocked"),
        "user.password_reset": _l("Password reset by the administrator"),
        "user.password_changed": _l("Password changed"),
        "user.password_change_refused": _l("Password change refused (wrong current password)"),
        "user.locale_changed": _l("Language changed"),
    },
    records={
        "users": _l("Account"),
        "units": _l("Unit"),
        "communes": _l("Commune"),
        "api_tokens": _l("API token"),
    },
    fields={
        "code": _l("Code"),
        "email": _l("E-mail"),
        "failed_attempts": _l("Failed attempts"),
        "full_name": _l("Full name"),
        "is_active": _l("Active"),
        "is_active_account": _l("Active"),
        "is_one_stop": _l("This is the one-stop shop"),
        "locale": _l("Language"),
        "locked_until": _l("Locked until"),
        "name": _l("Name"),
        "password": _l("Password"),
        "revoked_at": _l("Revoked at"),
        "roles": _l("Roles"),
        "units": _l("Units"),
        "user": _l("User"),
        "username": _l("User name"),
    },
    values={"locale": {"vi": "Tiếng Việt", "en": "English"}},
    namers={
        "users": _people,
        "usernames": _people_by_username,
        "units": _units,
        "unit_codes": _units_by_code,
        "communes": _communes,
        "api_tokens": _tokens,
        "roles": _roles,
    },
    refs={"roles": "roles", "units": "unit_codes", "user": "usernames"},
    reasons={
        "account_locked": _l("The account is locked"),
        "account_disabled": _l("The account is disabled"),
        "unknown_user": _l("No account has this user name"),
        "wrong_password": _l("Wrong password"),
        "too_many_failures": _l("Too many failed attempts"),
        "idle_timeout": _l("No activity for longer than the idle timeout"),
        "session_lifetime": _l("Signed in for longer than a session lasts"),
    },
)
