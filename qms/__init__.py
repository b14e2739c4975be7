"""qms: an ISO 9001:2015 quality-management system for a commune's one-stop shop."""

import re
import uuid

from flask import Flask, g, request
from werkzeug.routing import Rule

from qms.config import load_settings


class LazyRule(Rule):
    """A URL rule whose two URL builders (for url_for) are compiled the first time they are used,
    not when the application starts. Werkzeug compiles each of them from a syntax tree: for the
    application's two hundred rules that was most of create_app's time (`make bench`'s startup
    group), paid by every worker, every `qms` command and every test, for builders most processes
    never call."""

    def _compile_builder(self, append_unknown=True):
        compiled = None

        def build(rule, /, **values):
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, **values)

        return build


class QmsFlask(Flask):
    """Flask whose every view runs in one unit of work (qms.db.unit_of_work): views never commit;
    a response below 400 commits what the services changed, a refusal or an error undoes it.
    Its URL rules compile their builders when first used (LazyRule)."""

    url_rule_class = LazyRule

    def dispatch_request(self):
        from qms.db import unit_of_work

        with unit_of_work() as work:
            response = self.make_response(super().dispatch_request())
            work.succeeded = response.status_code < 400
            return response


def create_app(test_config=None):
    app = QmsFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        instance_path=(test_config or {}).get("INSTANCE_PATH"),
    )
    load_settings(app, test_config)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def register_extensions(app):
    import qms.models  # noqa: F401  (every table on the metadata)
    from qms.extensions import babel, csrf, db, login_manager, migrate
    from qms.i18n import select_locale, select_timezone

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from qms.db import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    from qms.auth.login import init_login

    init_login(app, login_manager)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def register_request_hooks(app):
    from qms.audit.services import reset_audit_context, set_audit_context
    from qms.core.access import SAFE_METHODS, enforce_access
    from qms.core.heap import give_back_free_memory
    from qms.core.security import init_security, refuse_nul_characters

    @app.before_request
    def start_request():
        # A proxy's request id is kept (to follow a request across its logs) if it looks like one.
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.audit_token = set_audit_context(ip=request.remote_addr or "", request_id=g.request_id)

    app.before_request(enforce_access)
    app.before_request(refuse_nul_characters)

    @app.after_request
    def finish_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    init_security(app)

    @app.teardown_request
    def end_request(exc):
        token = g.pop("audit_token", None)
        if token is not None:
            reset_audit_context(token)
        if request.method not in SAFE_METHODS:  # an upload, a signature: see qms.core.heap
            give_back_free_memory()


# The parts of the application, in the order their pages, API routes, commands, labels, jobs and
# home-page sections are registered. Each has init_app(app); none imports another's views.
AREAS = (
    "qms.home",
    "qms.auth",
    "qms.admin",
    "qms.audit",
    "qms.files",
    "qms.signatures",
    "qms.documents",
    "qms.processes",
    "qms.nonconformities",
    "qms.dossiers",
    "qms.feedback",
    "qms.audits",
    "qms.evidence",
)


def register_blueprints(app):
    """Each area registers its blueprint, API routes, CLI commands, labels and jobs; the API's
    blueprint is registered last, once every area has added its routes to it."""
    import importlib

    from qms.api import bp as api_bp

    for name in AREAS:
        importlib.import_module(name).init_app(app)
    app.register_blueprint(api_bp)


def register_errorhandlers(app):
    from qms.errors import init_errors

    init_errors(app)


def register_template_helpers(app):
    from qms.i18n import init_template_helpers

    init_template_helpers(app)
