"""The append-only, hash-chained audit trail: record_event(), verification, the auditor's pages."""


def init_app(app):
    from qms.audit import api, home, jobs  # noqa: F401  (API routes, home-page sections, job)
    from qms.audit.views import bp, reads_trail

    app.register_blueprint(bp)
    # every record's page links to its history for those who read the trail (_macros/history.html)
    app.jinja_env.globals["reads_trail"] = reads_trail
