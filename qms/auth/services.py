"""Accounts, sign-in, sessions and API tokens. Every change records its audit event."""

import datetime as dt
import functools
import hashlib
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from qms.audit.services import diff, diff_members, record_event
from qms.auth.models import ADMINISTRATOR, ApiToken, AuthSession, Commune, LoginAttempt, Role, Unit, User
from qms.auth.passwords import check_password, check_policy, dummy_check, hash_password, needs_rehash
from qms.core.calendar import utcnow
from qms.db import DomainError, RecordedRefusal, db

LOCALES = ("vi", "en")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def find_user(username: str):
    return db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))


# --- sign-in -----------------------------------------------------------------------------------


class SignInRefused(RecordedRefusal):
    """A sign-in refused; the attempt and its event are kept (see RecordedRefusal)."""


class PasswordRefused(RecordedRefusal):
    """A password typed again to sign or to change it was wrong (or the account is locked); the
    failure is kept and counts toward the account's lock-out."""


def lockout_policy():
    """(attempts, minutes): QMS_LOCKOUT_ATTEMPTS failures within QMS_LOCKOUT_MINUTES lock an
    account for QMS_LOCKOUT_MINUTES."""
    config = current_app.config
    return config["QMS_LOCKOUT_ATTEMPTS"], config["QMS_LOCKOUT_MINUTES"]


def _locked_message(minutes):
    return _l("Too many failed attempts: this account is locked for %(m)d minutes.", m=minutes)


def authenticate(username, password, *, ip=""):
    """Check a sign-in attempt and return the user, or raise SignInRefused.

    After QMS_LOCKOUT_ATTEMPTS failures on one user name within QMS_LOCKOUT_MINUTES, the name
    refuses every attempt (even with the right password) for QMS_LOCKOUT_MINUTES. Failed
    signature passwords and wrong current passwords count too. Attempts are counted in the
    database, so the lock holds across worker processes and servers. An unknown user name is
    counted and locked the same way and answers exactly as a known one would, so that the answers
    never tell whether an account exists. Failures made before the last successful sign-in,
    password change or end of a lock are not counted again.
    """
    max_attempts, lockout_minutes = lockout_policy()
    now = utcnow()
    username = (username or "").strip()
    user = find_user(username)
    if user is not None and user.is_locked(now) or user is None and _unknown_name_locked(username, now):
        if user is not None:
            record_event(None, "auth.sign_in_refused", user, reason="account_locked")
        raise SignInRefused(_locked_message(lockout_minutes), code="locked", status=429)
    ok = check_password(user.password_hash, password) if user is not None else dummy_check(password)
    succeeded = bool(ok and user.is_active_account)
    db.session.add(
        LoginAttempt(
            username=username.lower()[:64],
            user_id=user.id if user else None,
            attempted_at=now,
            succeeded=succeeded,
            ip=(ip or "")[:64],
        )
    )
    if succeeded:
        user.locked_until = None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record_event(user, "auth.sign_in", user)
        return user
    if user is None:
        record_event(
            None,
            "auth.sign_in_failed",
            entity_type=User.__tablename__,
            entity_id="",
            changes={"username": (None, username[:64])},
            reason="unknown_user",
        )
        db.session.flush()
        if _unknown_name_locked(username, now):
            raise SignInRefused(_locked_message(lockout_minutes), code="locked", status=429)
        raise SignInRefused(_l("Wrong user name or password."), code="bad_credentials", status=401)
    if ok:
        record_event(None, "auth.sign_in_failed", user, reason="account_disabled")
        raise SignInRefused(_l("This account is disabled. Ask the administrator."), code="disabled", status=403)
    record_event(None, "auth.sign_in_failed", user, reason="wrong_password")
    if _lock_if_too_many(user, now):
        raise SignInRefused(_locked_message(lockout_minutes), code="locked", status=429)
    raise SignInRefused(_l("Wrong user name or password."), code="bad_credentials", status=401)


# What a wrong password typed again is recorded as, by what it was typed for.
PASSWORD_REFUSED = {"signature": "signature.password_refused", "password_change": "user.password_change_refused"}


def reauthenticate(user, password, *, purpose, entity=None, changes=None, wrong=None):
    """A signed-in person proves again that they are who they say (to sign, or to change their
    password). A wrong password is recorded (a failed attempt and an audit event
    PASSWORD_REFUSED[purpose] on `entity`), counts toward the account's lock-out like a failed
    sign-in, and raises PasswordRefused with the message `wrong`; while the account is locked the
    password is not even checked, so the form cannot be used to guess it."""
    _max_attempts, lockout_minutes = lockout_policy()
    now = utcnow()
    if user.is_locked(now):
        raise PasswordRefused(_locked_message(lockout_minutes), code="locked", status=429)
    if check_password(user.password_hash, password or ""):
        return
    db.session.add(
        LoginAttempt(
            username=user.username.lower()[:64], user_id=user.id, attempted_at=now, succeeded=False, purpose=purpose
        )
    )
    record_event(user, PASSWORD_REFUSED[purpose], entity if entity is not None else user, changes=changes)
    if _lock_if_too_many(user, now):
        raise PasswordRefused(_locked_message(lockout_minutes), code="locked", status=429)
    raise PasswordRefused(wrong or _l("The password is wrong."), code="bad_password", status=403)


def _lock_if_too_many(user, now):
    """Lock `user` when the failures within the window reach the limit; True when it did."""
    max_attempts, lockout_minutes = lockout_policy()
    db.session.flush()
    failures = _recent_failures(user, now, lockout_minutes)
    if failures < max_attempts:
        return False
    record_event(
        None,
        "auth.locked_out",
        user,
        changes={
            **diff(user, locked_until=now + dt.timedelta(minutes=lockout_minutes)),
            "failed_attempts": (None, failures),
        },
        reason="too_many_failures",
    )
    return True


def _unknown_name_locked(username, now):
    """Whether a user name no account has answers as a locked account would: the same number of
    failures within the same window locks it for the same time, from the failure that locked it."""
    max_attempts, lockout_minutes = lockout_policy()
    window = dt.timedelta(minutes=lockout_minutes)
    latest = list(
        db.session.scalars(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.username == username.lower()[:64],
                LoginAttempt.user_id.is_(None),
                LoginAttempt.succeeded.is_(False),
            )
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(max_attempts)
        )
    )
    return len(latest) == max_attempts and latest[0] - latest[-1] <= window and now < latest[0] + window


def _recent_failures(user, now, window_minutes):
    """Failed attempts on `user` within the window, after the latest fresh start (a successful
    sign-in, a password change, the end of a lock), so an ended lock does not re-arm itself."""
    since = now - dt.timedelta(minutes=window_minutes)
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(LoginAttempt.user_id == user.id, LoginAttempt.succeeded)
    )
    for fresh_start in (last_success, user.password_changed_at, user.locked_until):
        if fresh_start is not None and since < fresh_start <= now:
            since = fresh_start
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since)
    )


def start_session(user, *, ip="", user_agent=""):
    """Open a server-side session; returns the key the cookie carries."""
    key = secrets.token_urlsafe(32)
    db.session.add(AuthSession(key_hash=_sha256(key), user_id=user.id, ip=ip[:64], user_agent=(user_agent or "")[:300]))
    db.session.flush()
    return key


@functools.cache
def _signed_in_query(model, column):
    """Built once per process (not at import: the mappers are configured on first use), so that
    neither the statement nor its cache key is made again for every request."""
    return (
        select(model)
        .where(getattr(model, column) == bindparam("key_hash"))
        .options(joinedload(model.user).joinedload(User.roles))
    )


def _signed_in_by(model, column, key_hash):
    """The session or token row whose `column` is `key_hash`, with its user and the user's roles in
    the same query: every request reads them (who is it, what may they do), one query, not three."""
    return db.session.scalars(_signed_in_query(model, column), {"key_hash": key_hash}).unique().one_or_none()


def _session_of(key):
    if not key:
        return None
    return _signed_in_by(AuthSession, "key_hash", _sha256(key))


def load_session(key, *, lifetime_hours):
    """The live session for this key, or None: not ended (signed out, password changed, account
    disabled), its account active, and younger than `lifetime_hours` whatever the activity. Only
    reads: how long a session has been idle is kept in the signed cookie (qms.auth.login), and
    ending sessions is the job of sign-in and of end_expired_sessions()."""
    auth = _session_of(key)
    if auth is None or auth.ended_at is not None or not auth.user.is_active_account:
        return None
    if utcnow() - auth.created_at > dt.timedelta(hours=lifetime_hours):
        return None
    return auth


def close_stale_session(key, *, lifetime_hours):
    """At a new sign-in in the same browser: end the session its cookie still names, if it was
    left open (idle too long, or past its lifetime), and record that it expired."""
    auth = _session_of(key)
    if auth is not None and auth.ended_at is None:
        auth.ended_at = now = utcnow()
        past_lifetime = now - auth.created_at > dt.timedelta(hours=lifetime_hours)
        record_event(
            auth.user, "auth.session_expired", auth.user, reason="session_lifetime" if past_lifetime else "idle_timeout"
        )


def end_expired_sessions(*, lifetime_hours, now=None):
    """The job: end every open session older than `lifetime_hours` and record it. Returns the count."""
    now = now or utcnow()
    expired = list(
        db.session.scalars(
            select(AuthSession)
            .where(AuthSession.ended_at.is_(None), AuthSession.created_at < now - dt.timedelta(hours=lifetime_hours))
            .order_by(AuthSession.id)
        )
    )
    for auth in expired:
        auth.ended_at = now
        record_event(None, "auth.session_expired", auth.user, reason="session_lifetime")
    return len(expired)


def end_session(key, user):
    """Sign out: the session is ended on the server, so a copied cookie stops working."""
    auth = db.session.scalar(select(AuthSession).where(AuthSession.key_hash == _sha256(key or "")))
    if auth is not None and auth.ended_at is None:
        auth.ended_at = utcnow()
    record_event(user, "auth.sign_out", user)


def _end_all_sessions(user, *, keep_key=None):
    """End every open session of `user` (but the one whose key is `keep_key`)."""
    stmt = update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
    if keep_key:
        stmt = stmt.where(AuthSession.key_hash != _sha256(keep_key))
    db.session.execute(stmt.values(ended_at=utcnow()).execution_options(synchronize_session=False))


# --- accounts ----------------------------------------------------------------------------------


def _roles_by_code(codes):
    codes = set(codes)
    roles = list(db.session.scalars(select(Role).where(Role.code.in_(codes)).order_by(Role.id)))
    unknown = codes - {r.code for r in roles}
    if unknown:
        raise DomainError(_l("Unknown role: %(r)s", r=", ".join(sorted(unknown))))
    return roles


def _units_of(commune_id, unit_ids):
    unit_ids = sorted(set(int(u) for u in unit_ids))
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids), Unit.commune_id == commune_id)))
    if len(units) != len(unit_ids):
        raise DomainError(_l("A chosen unit does not belong to this commune."))
    return units


def create_user(actor, commune, *, username, full_name, password, roles=(), unit_ids=(), email=None, locale="vi"):
    """Create an account in `commune`. Raises DomainError for a taken user name or a weak password."""
    username = (username or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise DomainError(_l("A user name has 1 to 64 letters, digits, dots, dashes or underscores."))
    if find_user(username) is not None:
        raise DomainError(_l("The user name %(u)s is already taken.", u=username), code="taken", status=409)
    if not (full_name or "").strip():
        raise DomainError(_l("Enter the person's full name."))
    if locale not in LOCALES:
        raise DomainError(_l("Unknown language."))
    check_policy(password, username)
    user = User(
        commune_id=commune.id,
        username=username,
        full_name=full_name.strip(),
        email=email or None,
        password_hash=hash_password(password),
        locale=locale,
        password_changed_at=utcnow(),
    )
    user.roles = _roles_by_code(roles)
    user.units = _units_of(commune.id, unit_ids)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user.created",
        user,
        changes={
            "username": (None, username),
            "full_name": (None, user.full_name),
            "roles": (None, sorted(r.code for r in user.roles)),
            "units": (None, sorted(u.code for u in user.units)),
        },
    )
    return user


def update_user(actor, user, *, full_name=None, email=None, roles=None, unit_ids=None, reason=""):
    """Change a user's name, e-mail, roles or units; records old and new values."""
    changes = {}
    if full_name is not None:
        if not full_name.strip():
            raise DomainError(_l("Enter the person's full name."))
        changes.update(diff(user, full_name=full_name.strip()))
    if email is not None:
        changes.update(diff(user, email=email.strip() or None))
    if roles is not None:
        new_roles = _roles_by_code(roles)
        if (
            actor is not None
            and user.id == actor.id
            and "administrator" in user.role_codes
            and "administrator" not in {r.code for r in new_roles}
        ):
            raise DomainError(_l("You cannot remove your own administrator role."))
        changes.update(diff_members(user, "roles", new_roles))
    if unit_ids is not None:
        changes.update(diff_members(user, "units", _units_of(user.commune_id, unit_ids)))
    if changes:
        record_event(actor, "user.updated", user, changes=changes, reason=reason)
    return changes


def disable_user(actor, user, *, reason=""):
    """Disable an account (accounts are never deleted); their sessions end at their next request."""
    if actor is not None and user.id == actor.id:
        raise DomainError(_l("You cannot disable your own account."))
    if not user.is_active_account:
        raise DomainError(_l("This account is already disabled."))
    changes = diff(user, is_active_account=False)
    _end_all_sessions(user)
    for token in user_tokens(user):
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    record_event(actor, "user.disabled", user, changes={"is_active": changes["is_active_account"]}, reason=reason)


def enable_user(actor, user, *, reason=""):
    """Enable a disabled account again (it signs in with its existing password)."""
    if user.is_active_account:
        raise DomainError(_l("This account is already enabled."))
    diff(user, is_active_account=True, locked_until=None)
    record_event(actor, "user.enabled", user, changes={"is_active": (False, True)}, reason=reason)


def unlock_user(actor, user, *, reason=""):
    """Lift a lock-out before it runs out; the failed attempts that caused it no longer count."""
    now = utcnow()
    if not user.is_locked(now):
        raise DomainError(_l("This account is not locked."))
    record_event(actor, "user.unlocked", user, changes=diff(user, locked_until=now), reason=reason)


def reset_password(actor, user, new_password, *, reason=""):
    """Set a new password chosen by an administrator; lifts a lock-out and ends all the user's
    sessions. Raises DomainError (weak_password) when the password breaks the policy."""
    check_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    if user.is_locked():
        user.locked_until = user.password_changed_at
    _end_all_sessions(user)
    record_event(actor, "user.password_reset", user, changes={"password": ("***", "***")}, reason=reason)


def change_own_password(user, current_password, new_password, *, keep_session=None):
    """The user changes their own password, proving they know the current one (a wrong one counts
    toward the lock-out like a failed sign-in: PasswordRefused). Every other session of theirs
    ends; keep_session: the key of the session making the change, which stays open."""
    reauthenticate(user, current_password, purpose="password_change", wrong=_l("The current password is wrong."))
    check_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    _end_all_sessions(user, keep_key=keep_session)
    record_event(user, "user.password_changed", user, changes={"password": ("***", "***")})


def set_locale(user, locale):
    """Store the user's language (vi or en); every page they open afterwards uses it."""
    if locale not in LOCALES:
        raise DomainError(_l("Unknown language."))
    changes = diff(user, locale=locale)
    if changes:
        record_event(user, "user.locale_changed", user, changes=changes)


# --- API tokens ----------------------------------------------------------------------------------


def user_tokens(user):
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def create_api_token(actor, user, name="API"):
    """Create a token for `user`; returns (token row, the plain token, shown once).
    Only the token's SHA-256 is stored. Raises DomainError for a disabled account."""
    if not user.is_active_account:
        raise DomainError(_l("A disabled account cannot have API tokens."))
    name = (name or "").strip() or "API"
    plain = "qms_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=_sha256(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    record_event(
        actor,
        "api_token.created",
        token,
        commune_id=user.commune_id,
        changes={"name": (None, token.name), "user": (None, user.username)},
    )
    return token, plain


def revoke_api_token(actor, token):
    """Revoke a token: requests carrying it are refused from now on."""
    if token.revoked_at is not None:
        raise DomainError(_l("This token is already revoked."))
    token.revoked_at = utcnow()
    record_event(
        actor,
        "api_token.revoked",
        token,
        commune_id=token.user.commune_id,
        changes={"revoked_at": (None, token.revoked_at)},
    )


def authenticate_token(plain):
    """The live token (revoked tokens and tokens of disabled accounts are not), or None."""
    if not plain:
        return None
    token = _signed_in_by(ApiToken, "token_hash", _sha256(plain))
    if token is None or token.revoked_at is not None or not token.user.is_active_account:
        return None
    return token


def note_token_change(token):
    """A request made with `token` is changing something: remember when (reads are not noted,
    since a request that only reads writes nothing)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now


# --- communes and units --------------------------------------------------------------------------

COMMUNE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


def create_commune(actor, *, code, name, settings=None):
    """Add a commune to the installation: its own people, documents, settings and number sequences,
    never seen by another commune. Raises DomainError for a code that is malformed or taken."""
    code, name = (code or "").strip(), (name or "").strip()
    if not COMMUNE_CODE.fullmatch(code):
        raise DomainError(
            _l(
                "A commune's code has 1 to 32 letters, digits, dots, dashes or underscores, "
                "without spaces (for example XA-HOABINH)."
            ),
            code="invalid_code",
        )
    if not name or len(name) > 200:
        raise DomainError(_l("Enter the commune's name (at most 200 characters)."), code="name_required")
    if db.session.scalar(select(Commune).where(func.lower(Commune.code) == code.lower())):
        raise DomainError(_l("A commune with code %(c)s exists already.", c=code), code="commune_taken", status=409)
    commune = Commune(code=code, name=name, settings=settings or {})
    db.session.add(commune)
    db.session.flush()
    record_event(
        actor, "commune.created", commune, commune_id=commune.id, changes={"code": (None, code), "name": (None, name)}
    )
    return commune


def create_commune_with_administrator(
    actor, *, code, name, admin_username, admin_full_name, admin_password, admin_email=None
):
    """A new commune with its own administrator, who then creates its units and accounts. Nothing is
    created when either is refused (a taken code or user name, a weak password)."""
    commune = create_commune(actor, code=code, name=name)
    administrator = create_user(
        actor,
        commune,
        username=admin_username,
        full_name=admin_full_name,
        password=admin_password,
        roles=[ADMINISTRATOR],
        email=admin_email,
    )
    return commune, administrator


def communes():
    """Every commune of the installation, by name."""
    return list(db.session.scalars(select(Commune).order_by(Commune.name)))


def create_unit(actor, commune, *, code, name, is_one_stop=False):
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise DomainError(_l("A unit needs a code and a name."))
    if db.session.scalar(select(Unit).where(Unit.commune_id == commune.id, Unit.code == code)):
        raise DomainError(_l("A unit with code %(c)s exists already.", c=code), code="taken", status=409)
    unit = Unit(commune_id=commune.id, code=code, name=name, is_one_stop=is_one_stop)
    db.session.add(unit)
    db.session.flush()
    record_event(
        actor,
        "unit.created",
        unit,
        changes={"code": (None, code), "name": (None, name), "is_one_stop": (None, is_one_stop)},
    )
    return unit


def update_unit(actor, unit, *, name=None, is_one_stop=None, is_active=None, reason=""):
    values = {
        k: v
        for k, v in {
            "name": name.strip() if name is not None else None,
            "is_one_stop": is_one_stop,
            "is_active": is_active,
        }.items()
        if v is not None
    }
    if "name" in values and not values["name"]:
        raise DomainError(_l("A unit needs a code and a name."))
    changes = diff(unit, **values)
    if changes:
        record_event(actor, "unit.updated", unit, changes=changes, reason=reason)
    return changes
