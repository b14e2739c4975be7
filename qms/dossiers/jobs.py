"""The dossiers' daily job: an unfinished dossier whose due date has passed becomes a nonconformity
(late dossier) without anyone pressing a button."""

from qms.core.jobs import register_job
from qms.dossiers.services import open_overdue_ncs


def _overdue(app):  # noqa: ARG001  (every job is given the app)
    opened = open_overdue_ncs()
    return f"{opened} nonconformit{'y' if opened == 1 else 'ies'} opened for overdue dossiers" if opened else None


register_job("dossiers.overdue", _overdue, "Open a nonconformity for each unfinished dossier past its due date")
