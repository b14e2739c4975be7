"""Flask-Login wiring: pages authenticate with the server-side session, the API with bearer tokens.

Loading the user only reads. The session row says whether the session is still open (sign-out,
a password change and disabling the account end it) and how old it is (QMS_SESSION_LIFETIME_HOURS);
the signed session cookie carries when the browser was last active, moved on at most every 30
seconds, so that an idle session (QMS_IDLE_TIMEOUT_MINUTES) ends without the server writing on
every page. A copied cookie is no help: an old copy is idle, and an ended session stays ended.
"""

from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

SEEN = "seen"  # session cookie key: when the browser was last active (seconds since the epoch, UTC)
_SEEN_EVERY_SECONDS = 30


def is_api_request():
    return request.blueprint == "api" or request.path.startswith("/api/")


def mark_active(now=None):
    """Remember in the cookie that the browser is active now (at sign-in, and as pages are read)."""
    session[SEEN] = int(now if now is not None else _now())


def _now():
    from qms.core.calendar import utcnow

    return utcnow().timestamp()


def init_login(app, login_manager):
    from qms.auth.services import authenticate_token, load_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # the server-side session does this job

    @login_manager.user_loader
    def load_user(user_id):
        if is_api_request():
            return None  # the API accepts tokens only, so cookies can never be used cross-site
        config = current_app.config
        auth = load_session(session.get("sid"), lifetime_hours=config["QMS_SESSION_LIFETIME_HOURS"])
        if auth is None or str(auth.user_id) != str(user_id):
            return None
        now, seen = _now(), session.get(SEEN)
        if not isinstance(seen, (int, float)) or now - seen > config["QMS_IDLE_TIMEOUT_MINUTES"] * 60:
            return None  # idle too long: signing in again ends the session and records it
        if now - seen > _SEEN_EVERY_SECONDS:
            mark_active(now)
        return auth.user

    @login_manager.request_loader
    def load_user_from_token(req):
        if not is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        token = authenticate_token(header[7:].strip())
        if token is None:
            return None
        g.api_token = token
        return token.user

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            return jsonify(
                error="unauthorized", message=str(_l("Sign in with an API token: Authorization: Bearer <token>."))
            ), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
