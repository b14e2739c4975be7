"""The home-page sections of nonconformities: my action items and the reviews I am to record (overdue
ones first; an item due within 3 working days is flagged), and for the quality officer the NCs
waiting for a decision and the overdue items of the commune."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, STAFF
from qms.core.calendar import add_working_days, local_today
from qms.core.tasks import Task, register_section
from qms.nonconformities import queries
from qms.nonconformities.labels import STATUS_LABELS
from qms.nonconformities.models import NcStatus
from qms.nonconformities.services import analysis_gaps, closing_gaps

SOON_WORKING_DAYS = 3  # an item due within this many working days is shown as due soon


def _url(nc, anchor=""):
    return url_for("nonconformities.show_nc", nc_id=nc.id) + anchor


def my_actions(user):
    """Items I own that are open, then reviews I am to record; overdue ones first, then by date."""
    today = local_today()
    items = queries.open_items_of(user)
    # the holiday calendar is read only when an item needs it (a home page with none stays light)
    soon = add_working_days(today, SOON_WORKING_DAYS) if any(i.due_on >= today for i in items) else None
    tasks = []
    for item in items:
        nc = item.nonconformity
        overdue = item.due_on < today
        if overdue:
            detail = _("Action item, overdue")
        elif item.due_on <= soon:
            detail = _("Action item, due within %(n)d working days", n=SOON_WORKING_DAYS)
        else:
            detail = _("Action item")
        tasks.append(
            Task(
                title=f"{nc.number} · {item.what[:120]}",
                url=_url(nc, f"#item-{item.id}"),
                detail=detail,
                due=item.due_on,
                overdue=overdue,
            )
        )
    for review in queries.reviews_of(user):
        nc = review.nonconformity
        tasks.append(
            Task(
                title=f"{nc.number} · {nc.title[:120]}",
                url=_url(nc, "#reviews"),
                detail=_("Effectiveness review to record"),
                due=review.planned_on,
                overdue=review.planned_on < today,
            )
        )
    return sorted(tasks, key=lambda t: (not t.overdue, t.due))


def waiting_for_decision(user):
    """The candidates the query finds, kept when the services' gaps say the decision can be taken."""
    tasks = []
    for nc in queries.waiting_for_decision(user.commune_id):
        if nc.status is NcStatus.effectiveness_review or nc.action_needed is False:
            if closing_gaps(nc):
                continue
            detail = _("Ready to close")
        elif analysis_gaps(nc):
            continue
        else:
            detail = _("Analysis ready to accept")
        tasks.append(Task(title=f"{nc.number} · {nc.title[:120]}", url=_url(nc), detail=detail, due=nc.detected_at))
    return tasks


def overdue_items(user):
    today = local_today()
    return [
        Task(
            title=f"{item.nonconformity.number} · {item.what[:120]}",
            url=_url(item.nonconformity, f"#item-{item.id}"),
            detail=_(
                "%(owner)s · %(status)s", owner=item.owner.full_name, status=STATUS_LABELS[item.nonconformity.status]
            ),
            due=item.due_on,
            overdue=True,
        )
        for item in queries.overdue_items(user.commune_id, today)
    ]


register_section(
    "nc-my-actions",
    _l("My corrective actions"),
    (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF),
    my_actions,
    _l("No action item or effectiveness review is waiting for you."),
    order=15,
)
register_section(
    "nc-decisions",
    _l("Nonconformities waiting for your decision"),
    (QUALITY_OFFICER,),
    waiting_for_decision,
    _l("No nonconformity is waiting for a decision."),
    order=16,
)
register_section(
    "nc-overdue",
    _l("Overdue corrective actions"),
    (QUALITY_OFFICER,),
    overdue_items,
    _l("No action item is overdue."),
    order=17,
)
