"""The job of the feedback box: the counts of submissions (keyed hashes of client addresses) are
forgotten after a day; the rate limit only looks back an hour."""

from qms.core.jobs import register_job
from qms.feedback.services import forget_old_submissions


def forget_submissions(app):
    return f"{forget_old_submissions()} count(s) of feedback submissions older than a day deleted"


register_job(
    "feedback.forget_submissions",
    forget_submissions,
    "Delete the rate limit's counts of citizens' feedback (hashed addresses) older than a day",
)
