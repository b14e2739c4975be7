"""Procedures (TTHC) and their internal processes: the catalogue, the process maps of process_maps/
and their import, the drawn process."""


def init_app(app):
    from qms.processes import api, labels  # noqa: F401  (API routes; the labels of its recorded fields)
    from qms.processes.cli import process_group
    from qms.processes.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(process_group)
