"""Procedures (TTHC) and their internal processes: the catalogue, the process maps of process_maps/
and their import, the drawn process."""


def init_app(app):
    from qms.processes import labels  # noqa: F401  (the labels of its recorded fields)
    from qms.processes.cli import process_group

    app.cli.add_command(process_group)
