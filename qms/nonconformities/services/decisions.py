"""The quality officer's signed decisions that end or resume an NC: close (behind its gates), reopen
(with a reason, into a new round), cancel (with a reason)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import diff, record_event
from qms.core.calendar import to_local, utcnow
from qms.db import DomainError, db
from qms.documents.models import Document
from qms.nonconformities import permissions as perm
from qms.nonconformities.models import NcMeaning, NcRound, NcStatus, ReviewResult, Severity
from qms.nonconformities.services.common import (
    Joined,
    check_row_version,
    confirm_decision,
    gate,
    require,
    required_text,
    settle_status,
    sign_decision,
    text,
)


def closing_gaps(nc) -> list:
    """What the NC still lacks before it may be closed (empty: it may be), each in words."""
    gaps = []
    if not nc.correction and nc.severity is not Severity.observation:
        gaps.append(_l("the correction is recorded"))
    elif nc.correction and nc.correction_done_at is None:
        gaps.append(_l("the correction is done"))
    if nc.action_needed is None:
        gaps.append(_l("the decision whether a corrective action is needed"))
    if nc.action_needed:
        current = nc.current_round
        items = current.actions
        if current.analysis_accepted_at is None:
            gaps.append(_l("the root-cause analysis accepted by the quality officer"))
        if not items:
            gaps.append(_l("at least one action item"))
        elif any(a.done_at is None for a in items):
            gaps.append(_l("every action item done"))
        last_done = max((a.done_at for a in items if a.done_at is not None), default=None)
        effective = [
            r
            for r in current.reviews
            if r.result is ReviewResult.effective and (last_done is None or r.reviewed_on >= to_local(last_done).date())
        ]
        if not effective:
            gaps.append(
                _l("an effectiveness review with the result 'effective', dated on or after the last item was done")
            )
        owners = {a.owner_id for a in items}
        if any(r.reviewer_id in owners for r in effective):
            gaps.append(_l("a reviewer who owns none of the action items"))
    return gaps


def close_nc(
    actor,
    nc,
    *,
    password,
    risks_need_update,
    documents_need_update,
    documents=(),
    comment="",
    expected_row_version=None,
):
    """Close an NC with the quality officer's signature. Gates: the correction recorded and done (or
    the NC is an observation); when a corrective action was needed, every item done and an
    effectiveness review "effective", dated on or after the last item was done, by a reviewer who
    owns none of the items. Closing records whether risks and opportunities and the process documents
    need updating (and which documents)."""
    check_row_version(nc, expected_row_version)
    require(perm.decide_refusal(actor, nc))
    if not nc.is_open:
        gate(_l("This nonconformity is already closed or cancelled."), "gate_not_open")
    gaps = closing_gaps(nc)
    if gaps:
        gate(
            _l(
                "The nonconformity cannot be closed yet; it needs: %(missing)s.",
                missing=Joined(gaps),
            ),
            "gate_not_ready_to_close",
        )
    if risks_need_update is None or documents_need_update is None:
        raise DomainError(
            _l("Answer whether the risks and opportunities and the process documents need updating."),
            code="answers_required",
        )
    documents = list(documents or ())
    if documents_need_update and not documents:
        raise DomainError(_l("Choose the documents that need updating."), code="documents_required")
    if any(d.commune_id != nc.commune_id for d in documents):
        raise DomainError(_l("The document belongs to another commune."), code="other_commune")
    confirm_decision(actor, password, meaning=NcMeaning.closed, nc=nc)
    changes = diff(
        nc,
        status=NcStatus.closed,
        closed_at=utcnow(),
        closed_by_id=actor.id,
        risks_need_update=bool(risks_need_update),
        documents_need_update=bool(documents_need_update),
        documents_to_update=sorted(d.id for d in documents) if documents_need_update else [],
    )
    if "documents_to_update" in changes:
        changes["documents_to_update"] = ([], sorted(d.code for d in documents))
    changes.update(sign_decision(actor, nc, NcMeaning.closed, text(comment)))
    record_event(actor, "nc.closed", nc, changes=changes, reason=text(comment))
    return nc


def reopen_nc(actor, nc, *, password, reason, expected_row_version=None):
    """Reopen a closed NC, with a reason and a signature: a new round of analysis and actions begins
    (the decision on a corrective action is taken again); earlier rounds stay as they were."""
    check_row_version(nc, expected_row_version)
    require(perm.decide_refusal(actor, nc))
    if nc.status is not NcStatus.closed:
        gate(_l("Only a closed nonconformity can be reopened."), "gate_not_closed")
    reason = required_text(reason, _l("Say why the nonconformity is reopened."), code="reason_required")
    confirm_decision(actor, password, meaning=NcMeaning.reopened, nc=nc)
    number = nc.round_no + 1
    nc.rounds.append(NcRound(number=number, opened_at=utcnow(), opened_reason=reason))
    changes = diff(
        nc,
        round_no=number,
        closed_at=None,
        closed_by_id=None,
        action_needed=None,
        no_action_reason="",
        reopened_count=nc.reopened_count + 1,
        status=NcStatus.analysis,
    )
    db.session.flush()
    settle_status(nc, changes)
    changes.update(sign_decision(actor, nc, NcMeaning.reopened, reason))
    record_event(actor, "nc.reopened", nc, changes=changes, reason=reason)
    return nc


def cancel_nc(actor, nc, *, password, reason, expected_row_version=None):
    """Cancel an open NC (recorded in error, a duplicate), with a reason and a signature."""
    check_row_version(nc, expected_row_version)
    require(perm.decide_refusal(actor, nc))
    if not nc.is_open:
        gate(_l("This nonconformity is already closed or cancelled."), "gate_not_open")
    reason = required_text(reason, _l("Say why the nonconformity is cancelled."), code="reason_required")
    confirm_decision(actor, password, meaning=NcMeaning.cancelled, nc=nc)
    changes = diff(nc, status=NcStatus.cancelled, cancelled_at=utcnow(), cancel_reason=reason)
    changes.update(sign_decision(actor, nc, NcMeaning.cancelled, reason))
    record_event(actor, "nc.cancelled", nc, changes=changes, reason=reason)
    return nc


def documents_to_update(nc) -> list:
    if not nc.documents_to_update:
        return []
    return list(db.session.scalars(select(Document).where(Document.id.in_(nc.documents_to_update))))
