"""Action items of a round (an item may revise a document: it opens a change request through document
control) and the effectiveness review: "effective" lets the NC be closed, "not effective" opens the
next round of analysis and actions on the same NC."""

import datetime as dt

from flask_babel import lazy_gettext as _l

from qms.audit.services import diff, record_event
from qms.core.calendar import local_today, utcnow
from qms.db import DomainError, db, enum_choice
from qms.documents.services import propose_change
from qms.nonconformities import permissions as perm
from qms.nonconformities.models import NcAction, NcReview, NcRound, ReviewResult
from qms.nonconformities.services.common import (
    check_row_version,
    flush,
    gate,
    require,
    required_text,
    settle_status,
    text,
    touch,
)


def _person(user, nc, message):
    if user is None or user.commune_id != nc.commune_id or user.is_read_only or not user.is_active:
        raise DomainError(message, code="invalid_user")
    return user


def _date(value, message):
    if not isinstance(value, dt.date):
        raise DomainError(message, code="invalid_date")
    return value


def add_action(actor, nc, *, what, owner, due_on, document=None, expected_row_version=None):
    """An action item of the current round: what, who, by when. Gate: the round's root cause is
    recorded and its analysis accepted. With `document`, the item revises that document: a change
    request is opened on it (document control's rules apply: it must be in force)."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    current = nc.current_round
    if not nc.action_needed:
        gate(_l("No corrective action was decided for this nonconformity."), "gate_no_action_needed")
    if current.analysis_accepted_at is None:
        gate(
            _l("No action plan before the root cause is recorded and the analysis accepted by the quality officer."),
            "gate_analysis_not_accepted",
        )
    what = required_text(what, _l("Say what is to be done."), code="what_required")
    _person(owner, nc, _l("Choose who owns the item: an active member of the commune (not an auditor)."))
    due_on = _date(due_on, _l("Enter the due date as dd/mm/yyyy."))
    if due_on < local_today():
        raise DomainError(_l("The due date cannot be in the past."), code="invalid_date")
    item = NcAction(round_id=current.id, what=what, owner_id=owner.id, due_on=due_on, created_at=utcnow())
    nc.actions.append(item)
    changes = {"what": (None, what), "owner_id": (None, owner.id), "due_on": (None, due_on)}
    if document is not None:
        if document.commune_id != nc.commune_id:
            raise DomainError(_l("The document belongs to another commune."), code="other_commune")
        request = propose_change(actor, document, what=what, why=_l("Corrective action of %(nc)s", nc=nc.number))
        item.document_id, item.change_request_id = document.id, request.id
        changes.update({"document": (None, document.code), "change_request": (None, request.id)})
    settle_status(nc, changes)
    touch(nc)
    flush()
    record_event(actor, "nc.action_added", nc, changes={"action": (None, item.id), **changes})
    return item


def edit_action(actor, item, *, what, owner, due_on, expected_row_version=None):
    """Change an item not yet done (what, owner, due date)."""
    nc = item.nonconformity
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    if item.done_at is not None:
        gate(_l("This action item is done and can no longer change."), "gate_item_done")
    if item.round_id != nc.current_round.id:
        gate(_l("This item belongs to an earlier round, which can no longer change."), "gate_earlier_round")
    _person(owner, nc, _l("Choose who owns the item: an active member of the commune (not an auditor)."))
    changes = diff(
        item,
        what=required_text(what, _l("Say what is to be done."), code="what_required"),
        owner_id=owner.id,
        due_on=_date(due_on, _l("Enter the due date as dd/mm/yyyy.")),
    )
    if changes:
        touch(nc)
        flush()
        record_event(actor, "nc.action_edited", nc, changes={"action": (item.id, item.id), **changes})
    return changes


def complete_action(actor, item, *, result, expected_row_version=None):
    """The item's owner (or the quality officer) marks it done, with its result. When the last item of
    the round is done, the NC waits for its effectiveness review."""
    nc = item.nonconformity
    check_row_version(nc, expected_row_version)
    require(perm.complete_refusal(actor, item))
    if item.done_at is not None:
        gate(_l("This action item is already done."), "gate_item_done")
    result = required_text(result, _l("Say what was done (the result)."), code="result_required")
    changes = diff(item, done_at=utcnow(), result=result)
    settle_status(nc, changes)
    touch(nc)
    flush()
    record_event(actor, "nc.action_completed", nc, changes={"action": (item.id, item.id), **changes})
    return item


def plan_review(actor, nc, *, planned_on, reviewer, expected_row_version=None):
    """Plan the effectiveness review of the current round: when, and who reviews. The reviewer must
    not own any of the round's items (nobody judges their own work)."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    current = nc.current_round
    if not current.actions:
        gate(_l("Plan the action items before their effectiveness review."), "gate_no_actions")
    _person(reviewer, nc, _l("Choose the reviewer: an active member of the commune (not an auditor)."))
    _impartial(nc, reviewer)
    planned_on = _date(planned_on, _l("Enter the planned date as dd/mm/yyyy."))
    pending = next((r for r in current.reviews if r.result is None), None)
    if pending is not None:
        changes = diff(pending, planned_on=planned_on, reviewer_id=reviewer.id)
        review = pending
    else:
        review = NcReview(round_id=current.id, planned_on=planned_on, reviewer_id=reviewer.id)
        nc.reviews.append(review)
        changes = {"planned_on": (None, planned_on), "reviewer_id": (None, reviewer.id)}
    if changes:
        touch(nc)
        flush()
        record_event(actor, "nc.review_planned", nc, changes={"review": (None, review.id), **changes})
    return review


def _impartial(nc, reviewer):
    owners = {a.owner_id for a in nc.current_round.actions}
    if reviewer.id in owners:
        raise DomainError(
            _l("The reviewer owns an action item of this round: choose someone who did not do the work."),
            code="reviewer_owns_item",
            status=409,
        )


def record_review(actor, review, *, result, reviewed_on=None, notes="", expected_row_version=None):
    """The reviewer records the result, dated the day the review was made (today by default, never
    in the future). Not effective: a new round of analysis and actions opens on the same NC."""
    nc = review.nonconformity
    check_row_version(nc, expected_row_version)
    require(perm.review_refusal(actor, review))
    if review.result is not None:
        gate(_l("This review already has its result."), "gate_review_done")
    result = enum_choice(ReviewResult, result, _l("Choose whether the action was effective."))
    reviewed_on = reviewed_on or local_today()
    _date(reviewed_on, _l("Enter the date of the review as dd/mm/yyyy."))
    if reviewed_on > local_today():
        raise DomainError(_l("The review cannot be dated in the future."), code="invalid_date")
    notes = text(notes)
    if result is ReviewResult.not_effective and not notes:
        raise DomainError(_l("Say why the action was not effective."), code="notes_required")
    _impartial(nc, review.reviewer)
    changes = diff(review, result=result, reviewed_on=reviewed_on, recorded_at=utcnow(), notes=notes)
    if result is ReviewResult.not_effective:
        changes.update(_next_round(nc, notes))
    settle_status(nc, changes)
    touch(nc)
    flush()
    record_event(actor, "nc.review_recorded", nc, changes={"review": (review.id, review.id), **changes}, reason=notes)
    return review


def _next_round(nc, reason) -> dict:
    """A new round of analysis and actions; the earlier rounds stay as they were."""
    number = nc.round_no + 1
    nc.rounds.append(NcRound(number=number, opened_at=utcnow(), opened_reason=reason))
    changes = diff(nc, round_no=number)
    db.session.flush()
    return changes


def last_item_done_at(nc):
    done = [a.done_at for a in nc.current_round.actions if a.done_at is not None]
    return max(done) if done else None
