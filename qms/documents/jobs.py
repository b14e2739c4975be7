"""The job of document control: approved versions come into force on their effective date."""

from qms.core.jobs import register_job
from qms.documents.services import activate_due_versions


def activate_due(app):
    versions = activate_due_versions()
    return f"{len(versions)} version(s) made effective"


register_job(
    "documents.activate_due", activate_due, "Put into force every approved version whose effective date has come"
)
