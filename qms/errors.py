"""Error pages in the user's language, and JSON errors {"error", "message"} under /api/v1."""

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from qms.auth.login import is_api_request
from qms.db import DomainError, db

MESSAGES = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthorized", _l("Please sign in to continue.")),
    403: ("forbidden", _l("You do not have permission to do this.")),
    404: ("not_found", _l("The page or record you asked for does not exist.")),
    405: ("method_not_allowed", _l("This action is not allowed here.")),
    409: ("conflict", _l("Someone else changed this record first. Reload it and try again.")),
    413: ("too_large", _l("The file is too large.")),
    429: ("too_many_requests", _l("Too many attempts. Wait a while and try again.")),
    500: ("server_error", _l("Something went wrong on our side. The error was recorded; please try again later.")),
}


def error_response(status, code=None, message=None):
    default_code, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    code, message = code or default_code, str(message or default_message)
    if is_api_request():
        return jsonify(error=code, message=message), status
    return render_template("errors/error.html", status=status, message=message), status


def init_errors(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 413:
            return error_response(
                413, message=_l("The file is larger than %(mb)d MB.", mb=app.config["QMS_MAX_UPLOAD_MB"])
            )
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        return error_response(exc.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(
            400, "csrf", _l("The form has expired or did not come from this site. Reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(exc):
        return error_response(exc.status, exc.code, exc.message)  # its unit of work was settled already

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()  # an error outside a view's unit of work (a request hook) leaves nothing
        app.logger.exception("unhandled error")
        return error_response(500)
