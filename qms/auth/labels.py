"""Labels of what accounts, sign-in and the commune's organisation record (see qms.core.labels)."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register

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
