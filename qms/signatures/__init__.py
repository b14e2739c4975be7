"""Signed decisions on any record: the password typed again, the meaning, the signer, the time and
the digest of what was signed, attached to a subject by its record type and id."""


def init_app(app):
    from qms.signatures import labels  # noqa: F401
