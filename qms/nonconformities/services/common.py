"""What every step of an NC shares: refusing with a reason, the gates (409 naming what is missing),
the NC's status derived from its record, optimistic locking, and the signature over the NC's state."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import attributes

from qms.core.digests import record_digest
from qms.core.text import required_text as required_text
from qms.core.text import trimmed
from qms.db import DomainError, OptimisticLock
from qms.db import require as require
from qms.nonconformities.models import NcStatus, Nonconformity, Severity
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes

CONFLICT_MESSAGE = _l(
    "Someone else changed this nonconformity while you were working on it. Reload the page to see "
    "their change, then try again."
)
_LOCK = OptimisticLock(CONFLICT_MESSAGE)
check_row_version, flush = _LOCK.check_row_version, _LOCK.flush
text = trimmed  # the services' name for it


class Joined:
    """Phrases joined by "; ", read in the reader's language when the message is (a gate's message is
    lazy: the API and a page may show it in another language than the one it was raised in)."""

    def __init__(self, phrases):
        self.phrases = list(phrases)

    def __str__(self):
        return "; ".join(str(phrase) for phrase in self.phrases)


def gate(missing, code):
    """A step whose condition is not met: 409, naming what is missing; nothing is changed."""
    raise DomainError(missing, code=code, status=409)


def touch(nc):
    """Make the flush UPDATE the NC row (its row_version moves on) when only related rows changed,
    so that two people acting on one NC at once conflict."""
    attributes.flag_modified(nc, "title")


def derived_status(nc) -> NcStatus:
    """Where an open NC stands, from what has been recorded (closing and cancelling are decisions)."""
    if nc.status in (NcStatus.closed, NcStatus.cancelled):
        return nc.status
    current = nc.current_round
    if nc.action_needed and current is not None:
        items = current.actions
        if items:
            return NcStatus.effectiveness_review if all(i.done_at for i in items) else NcStatus.actions
        if current.analysis_accepted_at is not None:
            return NcStatus.action_plan
        return NcStatus.analysis
    if nc.action_needed is not None or (current is not None and (current.whys or current.causes)):
        return NcStatus.analysis
    if nc.correction and nc.correction_done_at is None:
        return NcStatus.correction
    if nc.correction_done_at is not None or nc.severity is Severity.observation:
        return NcStatus.analysis
    return NcStatus.new


def settle_status(nc, changes: dict) -> dict:
    """Set the status the record now implies, adding its change to `changes`."""
    new = derived_status(nc)
    if new is not nc.status:
        changes["status"] = (nc.status, new)
        nc.status = new
    return changes


# --- signatures on an NC -----------------------------------------------------------------------------


def nc_state(nc) -> dict:
    """What a signature on an NC covers: its record as it is now, rounds, items and reviews included."""
    return {
        "number": nc.number,
        "title": nc.title,
        "description": nc.description,
        "source": nc.source.value,
        "severity": nc.severity.value,
        "status": nc.status.value,
        "clause": nc.clause,
        "correction": nc.correction,
        "correction_done_at": nc.correction_done_at.isoformat() if nc.correction_done_at else None,
        "disposition": nc.disposition.value if nc.disposition else None,
        "action_needed": nc.action_needed,
        "no_action_reason": nc.no_action_reason,
        "rounds": [
            {
                "number": r.number,
                "whys": [[w.position, w.question, w.answer] for w in r.whys],
                "causes": [[c.category.value, c.description, c.is_root] for c in r.causes],
                "accepted": r.analysis_accepted_at.isoformat() if r.analysis_accepted_at else None,
            }
            for r in nc.rounds
        ],
        "actions": [
            [a.id, a.what, a.owner_id, a.due_on.isoformat(), a.done_at.isoformat() if a.done_at else None, a.result]
            for a in nc.actions
        ],
        "reviews": [
            [v.id, v.reviewer_id, v.planned_on.isoformat(), v.result.value if v.result else None, v.notes]
            for v in nc.reviews
        ],
        "risks_need_update": nc.risks_need_update,
        "documents_need_update": nc.documents_need_update,
        "documents_to_update": list(nc.documents_to_update or []),
    }


register_subject(
    Nonconformity.__tablename__,
    Nonconformity,
    content_digest=lambda nc: record_digest(nc_state(nc)),
    identity=lambda nc: (nc.number,),
)


def confirm_decision(actor, password, *, meaning, nc):
    """The password typed again before a signed decision, checked before anything is written."""
    confirm_password(actor, password, meaning=meaning.value, subject=nc)


def sign_decision(actor, nc, meaning, comment="") -> dict:
    """Seal the decision over the NC's state after the step changed it; returns what the step's
    audit event records about the signature."""
    flush()
    return signature_changes(sign(actor, nc, meaning.value, comment=comment))
