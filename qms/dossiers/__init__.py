"""Dossier handling at the one-stop shop: receipt with its due date, the process control sheet,
supplements, refusals, results and returns, apology letters, late dossiers into nonconformities."""


def init_app(app):
    from qms.dossiers import (  # noqa: F401  (home sections, the overdue job, labels)
        api,  # noqa: F401  (API routes, on the API blueprint)
        home,
        jobs,
        labels,
    )
    from qms.dossiers.services import common  # noqa: F401  (dossiers as signed subjects)
    from qms.dossiers.views import bp, rating  # noqa: F401  (rating: the citizens' ratings, routes on bp, labels)
    from qms.dossiers.views.lookup import bp as lookup_bp

    app.register_blueprint(bp)
    app.register_blueprint(lookup_bp)  # the citizens' public lookup page
    from qms.dossiers.cli import dossier_group

    app.cli.add_command(dossier_group)  # qms dossier import

    from qms.core.fill import register_template_check
    from qms.dossiers import form_labels  # noqa: F401  (labels of the one-stop forms' setting)
    from qms.dossiers.fill import check_template

    register_template_check(check_template)  # a one-stop form's template: only its placeholders
