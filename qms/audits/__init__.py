"""Internal audits (ISO 9001:2015 9.2): the commune's yearly audit programme with its coverage of
processes and clauses 4 to 10, audits planned with impartial auditors, checklists drawn from the shipped
library of questions by clause (library.yaml, read by qms.audits.library), findings graded and turned
into nonconformities, signed plans and reports, and the evidence packs external auditors review."""


def init_app(app):
    from qms.audits import api, labels  # noqa: F401  (API routes; labels, namers)
    from qms.audits.services import programme  # noqa: F401  (the signed subject: an approved revision)
    from qms.audits.views import bp

    app.register_blueprint(bp)
