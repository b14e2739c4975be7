"""Flask-Login wiring: pages authenticate with the server-side session, the API with bearer tokens."""
from flask import current_app, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from qms.db import db


def is_api_request():
    return request.blueprint == "api" or request.path.startswith("/api/")


def init_login(app, login_manager):
    from qms.auth.models import User
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
        auth = load_session(session.get("sid"), current_app.config["QMS_IDLE_TIMEOUT_MINUTES"])
        if auth is None or str(auth.user_id) != str(user_id):
            session.clear()
            db.session.commit()  # an expired session is recorded as ended
            return None
        if db.session.dirty:
            db.session.commit()  # last_seen_at bookkeeping, before the view starts its own work
        return auth.user

    @login_manager.request_loader
    def load_user_from_token(req):
        if not is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        user = authenticate_token(header[7:].strip())
        if user is not None and db.session.dirty:
            db.session.commit()
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            return jsonify(error="unauthorized",
                           message=str(_l("Sign in with an API token: Authorization: Bearer <token>."))), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
