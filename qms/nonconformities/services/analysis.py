"""Root-cause analysis of a round: the 5-Whys chain and the fishbone's causes, editable until the
quality officer accepts the analysis with a signature."""

from flask_babel import lazy_gettext as _l

from qms.audit.services import diff, record_event
from qms.core.calendar import utcnow
from qms.db import DomainError, db, enum_choice
from qms.nonconformities import permissions as perm
from qms.nonconformities.models import CauseCategory, NcCause, NcMeaning, NcWhy
from qms.nonconformities.services.common import (
    Joined,
    check_row_version,
    confirm_decision,
    flush,
    gate,
    require,
    required_text,
    settle_status,
    sign_decision,
    text,
    touch,
)

MAX_WHYS = 10


def _open_analysis(actor, nc):
    """The round whose analysis may still change; refuses once it is accepted."""
    require(perm.manage_refusal(actor, nc))
    current = nc.current_round
    if current.analysis_accepted_at is not None:
        gate(
            _l("The analysis of this round is accepted and can no longer change."),
            "gate_analysis_accepted",
        )
    return current


def _category(value):
    return enum_choice(
        CauseCategory,
        value,
        _l("Choose the fishbone category: people, method, equipment, materials, measurement or environment."),
    )


def _analysed(nc, changes):
    """After any analysis step: a corrective action is then needed, and the status follows."""
    if nc.action_needed is None:
        changes.update(diff(nc, action_needed=True))
    settle_status(nc, changes)
    touch(nc)
    flush()
    return changes


def add_why(actor, nc, *, question="", answer, expected_row_version=None):
    """The next "why?" of the chain and its answer."""
    check_row_version(nc, expected_row_version)
    current = _open_analysis(actor, nc)
    if len(current.whys) >= MAX_WHYS:
        raise DomainError(_l("A 5-Whys chain has at most %(n)d steps.", n=MAX_WHYS), code="too_many")
    answer = required_text(answer, _l("Write the answer to this why."), code="answer_required")
    position = len(current.whys) + 1
    why = NcWhy(position=position, question=text(question), answer=answer)
    current.whys.append(why)
    record_event(
        actor,
        "nc.why_added",
        nc,
        changes=_analysed(nc, {"why": (None, f"{position}. {why.question}"), "answer": (None, answer)}),
    )
    return why


def edit_why(actor, why, *, question, answer, expected_row_version=None):
    nc = why.round.nonconformity
    check_row_version(nc, expected_row_version)
    if why.round is not _open_analysis(actor, nc):
        gate(_l("This why belongs to an earlier round, which can no longer change."), "gate_analysis_accepted")
    answer = required_text(answer, _l("Write the answer to this why."), code="answer_required")
    changes = diff(why, question=text(question), answer=answer)
    if changes:
        record_event(
            actor, "nc.why_edited", nc, changes=_analysed(nc, {"why": (why.position, why.position), **changes})
        )
    return changes


def remove_why(actor, why, *, expected_row_version=None):
    """Remove the last why of the chain (the chain stays a chain)."""
    nc = why.round.nonconformity
    check_row_version(nc, expected_row_version)
    current = _open_analysis(actor, nc)
    if why.round is not current or why is not current.whys[-1]:
        raise DomainError(_l("Only the last why of the chain can be removed."), code="not_last")
    current.whys.remove(why)
    db.session.delete(why)
    record_event(
        actor,
        "nc.why_removed",
        nc,
        changes=_analysed(nc, {"why": (f"{why.position}. {why.question}", None), "answer": (why.answer, None)}),
    )


def add_cause(actor, nc, *, category, description, is_root=False, expected_row_version=None):
    """A cause on the fishbone, in one of its six categories, marked root cause or not."""
    check_row_version(nc, expected_row_version)
    current = _open_analysis(actor, nc)
    cause = NcCause(
        category=_category(category),
        description=required_text(description, _l("Describe the cause."), code="cause_required"),
        is_root=bool(is_root),
    )
    current.causes.append(cause)
    changes = {"category": (None, cause.category), "cause": (None, cause.description), "is_root": (None, cause.is_root)}
    record_event(actor, "nc.cause_added", nc, changes=_analysed(nc, changes))
    return cause


def edit_cause(actor, cause, *, category, description, is_root, expected_row_version=None):
    nc = cause.round.nonconformity
    check_row_version(nc, expected_row_version)
    if cause.round is not _open_analysis(actor, nc):
        gate(_l("This cause belongs to an earlier round, which can no longer change."), "gate_analysis_accepted")
    changes = diff(
        cause,
        category=_category(category),
        description=required_text(description, _l("Describe the cause."), code="cause_required"),
        is_root=bool(is_root),
    )
    if changes:
        record_event(actor, "nc.cause_edited", nc, changes=_analysed(nc, changes))
    return changes


def remove_cause(actor, cause, *, expected_row_version=None):
    nc = cause.round.nonconformity
    check_row_version(nc, expected_row_version)
    current = _open_analysis(actor, nc)
    if cause.round is not current:
        gate(_l("This cause belongs to an earlier round, which can no longer change."), "gate_analysis_accepted")
    current.causes.remove(cause)
    db.session.delete(cause)
    record_event(
        actor,
        "nc.cause_removed",
        nc,
        changes=_analysed(nc, {"category": (cause.category, None), "cause": (cause.description, None)}),
    )


def analysis_gaps(nc) -> list:
    """What the round's analysis still lacks before it can be accepted (empty: it can be)."""
    current = nc.current_round
    gaps = []
    if nc.action_needed is False:
        gaps.append(_l("it was decided that no corrective action is needed"))
    if not any(w.answer for w in current.whys):
        gaps.append(_l("at least one why of the 5-Whys chain, answered"))
    if not any(c.is_root for c in current.causes):
        gaps.append(_l("a cause on the fishbone marked as the root cause"))
    return gaps


def accept_analysis(actor, nc, *, password, comment="", expected_row_version=None):
    """The quality officer accepts the round's analysis with a signature: a root cause is recorded
    (5 Whys answered, a fishbone cause marked root). Action items can be planned from then on."""
    check_row_version(nc, expected_row_version)
    require(perm.decide_refusal(actor, nc))
    if not nc.is_open:
        gate(_l("This nonconformity is closed or cancelled."), "gate_not_open")
    current = nc.current_round
    if current.analysis_accepted_at is not None:
        gate(_l("The analysis of this round is already accepted."), "gate_analysis_accepted")
    gaps = analysis_gaps(nc)
    if gaps:
        gate(
            _l("The analysis cannot be accepted yet; it needs: %(missing)s.", missing=Joined(gaps)),
            "gate_root_cause_missing",
        )
    confirm_decision(actor, password, meaning=NcMeaning.analysis_accepted, nc=nc)
    current.analysis_accepted_at = utcnow()
    current.analysis_accepted_by_id = actor.id
    changes = {"analysis_accepted_at": (None, current.analysis_accepted_at), "round": (None, current.number)}
    settle_status(nc, changes)
    touch(nc)
    changes.update(sign_decision(actor, nc, NcMeaning.analysis_accepted, text(comment)))
    record_event(actor, "nc.analysis_accepted", nc, changes=changes, reason=text(comment))
    return nc
