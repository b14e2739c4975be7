"""Transport security: headers on every response, the session cookie's Secure flag, reverse proxies.

The session cookie is marked Secure whenever the request came over HTTPS (decided per request, so one
installation can serve plain HTTP on the office LAN and HTTPS through a proxy). Behind a reverse proxy
that terminates TLS, set QMS_PROXY_FIX=1: the X-Forwarded-* headers of that one proxy are then
trusted, so the app sees HTTPS, the client's address (recorded in the audit trail) and the public
host name. Without it those headers are ignored, since anyone could send them.
"""

from flask import current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


class SessionCookieInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the cookie marked Secure for requests made over HTTPS."""

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


# Endpoints whose requests carry many files at once (an import of a document system: a master list
# and the .zip of its files): their requests may be QMS_MAX_IMPORT_MB, the others one upload's size.
_LARGE_REQUESTS = set()


def allow_large_requests(*endpoints):
    """Let the requests of `endpoints` (by name) be as large as QMS_MAX_IMPORT_MB."""
    _LARGE_REQUESTS.update(endpoints)


def _request_limit(endpoint, _values):
    """url_value_preprocessor: runs before any before_request hook (one reads the form, which holds
    the request to the limit in force at that moment)."""
    if endpoint in _LARGE_REQUESTS:
        request.max_content_length = current_app.config["QMS_MAX_IMPORT_MB"] * 1024 * 1024


def init_security(app):
    """Install the session interface, the proxy fix (when configured), the request size limits and
    the security headers."""
    app.session_interface = SessionCookieInterface()
    if app.config.get("QMS_PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    app.url_value_preprocessor(_request_limit)
    app.after_request(set_security_headers)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Nothing but the static files is kept by a browser or a proxy: pages show personal data,
        # and a downloaded copy names who downloaded it and is out of date at the next issue
        # (send_file's own "no-cache" still lets a browser keep the file on disk).
        headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_characters():
    """before_request: refuse a form or query value holding a NUL character with a 400 that says
    so. No person types one; PostgreSQL cannot store one, so it would otherwise end in a server
    error halfway through a change."""
    from qms.errors import error_response

    values = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += [*request.form.items(multi=True)]
    if any("\x00" in key or "\x00" in value for key, value in values):
        return error_response(
            400,
            "bad_character",
            _l("The request contains a character that cannot be stored (NUL). Remove it and try again."),
        )
    return None
