"""The home page: what each person has to do next (the sections the areas register)."""


def init_app(app):
    from qms.home.views import bp

    app.register_blueprint(bp)
