"""Stored files, shared by every area: content-addressed storage and the stored-file record
(storage, models), the checks every upload passes (uploads) and the controlled-copy stamp
(stamping). Nothing here knows which record a file belongs to; the areas keep that."""


def init_app(app):
    from qms.files import labels, leftovers  # noqa: F401  (labels; the job files.check)
    from qms.files.cli import files_group

    app.cli.add_command(files_group)
