"""The home-page sections of document control: what to read, draft, review, approve or decide."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.auth.models import ALL_ROLES, LEADER, QUALITY_OFFICER
from qms.core.calendar import local_today
from qms.core.tasks import Task, register_section
from qms.documents import permissions as perm
from qms.documents import queries


def _version_task(version, detail="", due=None, overdue=False):
    document = version.document
    return Task(
        title=_(
            "%(code)s · %(title)s (issue %(issue)s)",
            code=document.code,
            title=document.title,
            issue=version.issue_label,
        ),
        url=url_for("documents.show_version", version_id=version.id),
        detail=detail,
        due=due,
        overdue=overdue,
    )


def _acknowledgment_tasks(user):
    return [_version_task(a.version, due=a.assigned_at) for a in queries.open_acknowledgments(user)]


def _review_tasks(user):
    return [_version_task(v) for v in queries.versions_in_review(user.commune_id) if perm.can_review(user, v)]


def _approval_tasks(user):
    return [
        _version_task(v, detail=_("Reviewed by %(name)s", name=v.reviewed_by.full_name))
        for v in queries.versions_in_review(user.commune_id)
        if perm.can_approve(user, v)
    ]


def _change_request_tasks(user):
    return [
        Task(
            title=f"{r.document.code} · {r.what[:120]}",
            url=url_for("documents.show_document", document_id=r.document_id) + f"#change-request-{r.id}",
            detail=_("Proposed by %(name)s", name=r.requested_by.full_name),
            due=r.requested_at,
        )
        for r in queries.open_change_requests(user.commune_id)
    ]


def _periodic_review_tasks(user):
    today = local_today()
    return [
        _version_task(v, due=v.next_review_on, overdue=v.next_review_on < today)
        for v in queries.due_for_review(user.commune_id, today)
    ]


def _draft_tasks(user):
    return [
        _version_task(v, detail=_("Returned: %(comment)s", comment=v.returned_comment) if v.returned_comment else "")
        for v in queries.drafts_of(user)
    ]


register_section(
    "documents-acknowledge",
    _l("Documents to read and acknowledge"),
    ALL_ROLES,
    _acknowledgment_tasks,
    _l("Nothing new to read."),
)
register_section(
    "documents-drafts", _l("Drafts to finish"), (QUALITY_OFFICER,), _draft_tasks, _l("No drafts of yours are open.")
)
register_section(
    "documents-review",
    _l("Documents to review"),
    (QUALITY_OFFICER, LEADER),
    _review_tasks,
    _l("Nothing waits for your review."),
)
register_section(
    "documents-approve",
    _l("Documents to approve"),
    (QUALITY_OFFICER, LEADER),
    _approval_tasks,
    _l("Nothing waits for your approval."),
)
register_section(
    "documents-change-requests",
    _l("Change requests to decide"),
    (QUALITY_OFFICER,),
    _change_request_tasks,
    _l("No open change requests."),
)
register_section(
    "documents-periodic-review",
    _l("Documents due for periodic review"),
    (QUALITY_OFFICER,),
    _periodic_review_tasks,
    _l("No document is due for review in the next 30 days."),
)
