"""Evidence packs (issue 11, point 6): for a document, a nonconformity or an internal audit, a .zip of
its records and stored files, the audit events of those records (events.csv), an index (.docx) and
manifest.json with every file's SHA-256 and the audit chain's head and last signed checkpoint; checked
offline by `qms evidence verify`. Asked for on a record's page (built in the background, its progress
shown), through the API (built at once) or the command `qms evidence pack`.

An area that reads the others through their services, queries, models, labels and exports, never their
views; no other area imports it (their pages link to its routes by name)."""


def init_app(app):
    from qms.evidence import api, labels  # noqa: F401  (API routes, on the API blueprint; labels)
    from qms.evidence.views import bp

    app.register_blueprint(bp)
    # `qms evidence` attaches to the root group (qms/cli.py), not to the app: an auditor checks a pack
    # with `qms evidence verify` on a computer where no installation is configured
