"""The append-only, hash-chained audit trail: record_event(), verification, the auditor's pages."""


def init_app(app):
    from qms.audit import api, home, jobs  # noqa: F401  (API routes, home-page sections, job)
    from qms.audit.views import bp

    app.register_blueprint(bp)
