"""Nonconformities and corrective actions (ISO 9001 8.7 and 10.2): the register, correction and
disposition, root-cause analysis, action items, effectiveness reviews and the signed decisions."""


def init_app(app):
    from qms.nonconformities import api, jobs, labels  # noqa: F401  (API routes; reminders' job; labels, signed subject)
    from qms.nonconformities.cli import nc_group
    from qms.nonconformities.services import common  # noqa: F401
    from qms.nonconformities.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(nc_group)
