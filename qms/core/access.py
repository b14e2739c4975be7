"""Who may call each endpoint. Every view declares it; a before_request hook enforces it, and
tests enumerate app.url_map so an endpoint without a declaration fails the suite."""

from flask import abort, current_app, request
from flask_login import current_user

from qms.db import db

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any signed-in user, whatever their roles
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allow(*roles):
    """Declare the roles that may call a view (SIGNED_IN for every signed-in user)."""
    if not roles:
        raise ValueError("allow() needs at least one role")

    def decorate(view):
        view.qms_access = frozenset(roles)
        return view

    return decorate


def own_account(view):
    """Declare that a view changes only the signed-in person's own session or account (sign-out,
    language, password, API tokens): read-only users (auditors) may use it too."""
    view.qms_own_account = True
    return view


def public(view):
    """Declare a view open to anyone, signed in or not (sign-in page, health check)."""
    view.qms_access = PUBLIC
    return view


def access_of(view):
    return getattr(view, "qms_access", None)


def user_may(user, access) -> bool:
    if access == PUBLIC:
        return True
    if access is None or not user.is_authenticated:
        return False
    return SIGNED_IN in access or user.has_role(*access)


def get_in_commune(model, object_id, user=None):
    """Load a record of the acting user's commune, or 404 (never reveal other communes' records)."""
    user = user or current_user
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "commune_id", None) != user.commune_id:
        abort(404)
    return obj


def endpoint_access(endpoint):
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return access_of(view) if view else None


def enforce_access():
    """before_request hook: refuse a request the endpoint's declaration does not allow."""
    if request.endpoint is None:
        return None  # 404 / 405 are handled by routing
    access = endpoint_access(request.endpoint)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not user_may(current_user, access):
        abort(403)
    if (
        request.method not in SAFE_METHODS
        and getattr(current_user, "is_read_only", False)
        and not getattr(current_app.view_functions[request.endpoint], "qms_own_account", False)
    ):
        abort(403)  # an auditor reads every record and changes none
    return None
