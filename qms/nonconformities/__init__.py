"""Nonconformities and corrective actions (ISO 9001 8.7 and 10.2): the register, correction and
disposition, root-cause analysis, action items, effectiveness reviews and the signed decisions."""


def init_app(app):
    from qms.nonconformities import labels  # noqa: F401  (labels, the signed subject)
    from qms.nonconformities.services import common  # noqa: F401
    from qms.nonconformities.views import bp

    app.register_blueprint(bp)
