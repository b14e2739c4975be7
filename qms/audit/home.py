"""Home-page sections of the audit trail for auditors and quality officers (the front page of the
auditor's workspace): what the last verification of the chain found, the last signed checkpoint of
the chain, and the latest events of their commune. Nothing here verifies anything: the page shows
the result the last verification kept (the daily job, `qms audit verify`, the chain check page)."""

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit import checkpoints
from qms.audit.labels import names_for
from qms.audit.models import AuditChainHead, AuditEvent
from qms.auth.models import AUDITOR, QUALITY_OFFICER
from qms.core.calendar import format_datetime
from qms.core.labels import action_label
from qms.core.tasks import Task, register_section
from qms.db import db

RECENT_EVENTS = 10


BREAKS = {
    "edited": _l("edited"),
    "deleted": _l("deleted"),
    "inserted": _l("inserted"),
    "reordered": _l("reordered"),
    "checkpoint": _l("rewritten after a checkpoint"),
}


def chain_verification(user):
    """The last verification's result in words, with a link to the chain check."""
    instance = current_app.instance_path
    check = checkpoints.read_last_check(instance, checkpoints.load_checkpoint_key(instance))
    if check is None:
        return []
    when = format_datetime(check.checked_at)
    if check.genuine is False:
        title = _("The record of the last chain check does not carry a valid signature")
        detail = _("It may have been altered. Open the chain check to verify every event.")
    elif not check.ok:
        how = BREAKS.get(check.kind, check.kind or "")
        title = _("Chain checked on %(d)s: broken at event %(seq)d (%(how)s)", d=when, seq=check.broken_seq, how=how)
        detail = _("Open the chain check to see where and how it broke.")
    else:
        title = _("Chain checked on %(d)s: OK, the %(n)d events are intact", d=when, n=check.count)
        if check.resumed_from:
            detail = _(
                "The events up to %(seq)d had been verified before; this check replayed those after it. "
                "Open the chain check to replay every event.",
                seq=check.resumed_from,
            )
        else:
            detail = _("Every event was replayed. Open the chain check to verify it again.")
    return [Task(title=title, detail=detail, url=url_for("audit.verify"))]


def last_checkpoint(user):
    """The newest signed checkpoint and how many events were recorded after it."""
    checkpoint = checkpoints.last_checkpoint()
    if checkpoint is None:
        return []
    head = db.session.get(AuditChainHead, 1)
    since = (head.seq if head is not None else checkpoint.seq) - checkpoint.seq
    return [
        Task(
            title=_(
                "Chain signed at event %(seq)d on %(d)s", seq=checkpoint.seq, d=format_datetime(checkpoint.created_at)
            ),
            detail=_("%(n)d events recorded since. Open the chain check to verify every event.", n=since),
            url=url_for("audit.verify"),
        )
    ]


def recent_events(user):
    """The latest events of the user's commune, newest first."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.commune_id == user.commune_id)
            .order_by(AuditEvent.seq.desc())
            .limit(RECENT_EVENTS)
        )
    )
    names = names_for(user.commune_id, events)
    return [
        Task(
            title=f"#{e.seq} {action_label(e.action)}"
            + (f" · {names.record(e.entity_type, e.entity_id)}" if e.entity_type else ""),
            detail=f"{e.actor_name or _('(system)')} · {format_datetime(e.occurred_at)}",
            url=(
                url_for("audit.record_history", entity_type=e.entity_type, entity_id=e.entity_id)
                if e.entity_type and e.entity_id
                else url_for("audit.index")
            ),
        )
        for e in events
    ]


register_section(
    "audit-chain",
    _l("Audit trail: the last verification of the chain"),
    (AUDITOR, QUALITY_OFFICER),
    chain_verification,
    _l("The chain has not been verified yet: the system verifies it once a day, and the chain check verifies it now."),
    order=49,
)
register_section(
    "audit-checkpoint",
    _l("Audit trail: last signed checkpoint"),
    (AUDITOR, QUALITY_OFFICER),
    last_checkpoint,
    _l(
        "No checkpoint has been signed yet: the system signs the chain once a day, and the quality officer "
        "can sign it now on the audit trail's page."
    ),
    order=50,
)
register_section(
    "audit-recent",
    _l("Latest events in the audit trail"),
    (AUDITOR, QUALITY_OFFICER),
    recent_events,
    _l("No events have been recorded yet."),
    order=51,
)
