"""The administrators' pages: the commune's accounts and units, the installation's communes, and the
working-day calendar (one for the installation)."""


def init_app(app):
    from qms.admin import calendar_api, calendar_views, home, labels  # noqa: F401  (API routes, pages, home sections, labels)
    from qms.admin.cli import calendar_group
    from qms.admin.communes import bp as communes
    from qms.admin.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(communes)
    app.cli.add_command(calendar_group)
