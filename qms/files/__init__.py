"""Stored files, shared by every area: content-addressed storage and the stored-file record
(storage, models), the checks every upload passes (uploads) and the controlled-copy stamp
(stamping). Nothing here knows which record a file belongs to; the areas keep that."""


def init_app(app):
    from qms.files import labels  # noqa: F401
