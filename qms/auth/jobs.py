"""The job of accounts: sessions past their lifetime are ended and recorded."""

from qms.auth.services import end_expired_sessions
from qms.core.jobs import register_job


def end_sessions(app):
    count = end_expired_sessions(lifetime_hours=app.config["QMS_SESSION_LIFETIME_HOURS"])
    return f"{count} session(s) past their lifetime ended"


register_job(
    "auth.end_expired_sessions", end_sessions, "End the sessions signed in longer ago than QMS_SESSION_LIFETIME_HOURS"
)
