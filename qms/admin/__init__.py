"""The administrators' pages: the commune's accounts and units, and the installation's communes."""


def init_app(app):
    from qms.admin import home  # noqa: F401  (the administrator's home-page sections)
    from qms.admin.communes import bp as communes
    from qms.admin.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(communes)
