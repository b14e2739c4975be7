"""Document control (ISO 9001 7.5): documents, versions, signatures, change requests, distribution,
acknowledgments, current forms, master lists, search."""


def init_app(app):
    from qms.documents import api, files, home, jobs, labels  # noqa: F401  (API, file references, home, job, labels)
    from qms.documents.views import bp

    app.register_blueprint(bp)

    from qms.documents.cli import documents_group

    app.cli.add_command(documents_group)  # qms documents import
