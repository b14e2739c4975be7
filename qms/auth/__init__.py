"""Communes, units, roles, accounts, sign-in, sessions and API tokens."""


def init_app(app):
    from qms.auth import api, home, jobs, labels  # noqa: F401  (API routes, home section, job, labels)
    from qms.auth.cli import commune_group, user_group
    from qms.auth.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(user_group)
    app.cli.add_command(commune_group)
