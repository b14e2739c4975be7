"""Where an NC stands: its next step and who is to take it, read from the record in the order the
gates ask for them (the NC page, the home pages and the API show the same answer)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from qms.auth.models import User
from qms.db import db
from qms.nonconformities.models import Severity
from qms.nonconformities.services import analysis_gaps, closing_gaps


@dataclass(frozen=True)
class NextStep:
    """step: the name of the step, as the API's URL names it (POST .../{id}/{step}); people: who is to
    take it, or empty with by_quality_officer when it is any quality officer of the commune."""

    step: str
    label: object
    people: tuple = ()
    by_quality_officer: bool = False


def next_step(nc) -> NextStep | None:
    """The step the NC waits for, or None when it is closed or cancelled."""
    if not nc.is_open:
        return None
    # by id: a handler just assigned is not yet on the relationship
    lead = (db.session.get(User, nc.handler_id),) if nc.handler_id is not None else ()

    def manage(step, label):  # the handler's step, the quality officer's while there is none
        return NextStep(step, label, lead, by_quality_officer=not lead)

    def decide(step, label):
        return NextStep(step, label, by_quality_officer=True)

    if not nc.correction and nc.severity is not Severity.observation:
        return manage("correction", _l("Record the immediate correction"))
    if nc.correction and nc.correction_done_at is None:
        return manage("correction", _l("Mark the correction done"))
    if nc.action_needed is None:
        return manage("action-needed", _l("Decide whether a corrective action is needed"))
    if not nc.action_needed:
        return decide("close", _l("Close the nonconformity (signed)"))
    current = nc.current_round
    if current.analysis_accepted_at is None:
        if analysis_gaps(nc):
            return manage("whys", _l("Find the root cause (5 Whys and fishbone)"))
        return decide("accept-analysis", _l("Accept the root-cause analysis (signed)"))
    items = current.actions
    if not items:
        return manage("items", _l("Plan the action items"))
    owners = []
    for item in items:
        if item.done_at is None and item.owner not in owners:
            owners.append(item.owner)
    if owners:
        return NextStep("complete", _l("Carry out the action items"), tuple(owners))
    pending = next((r for r in current.reviews if r.result is None), None)
    if pending is not None:
        return NextStep("reviews", _l("Record the effectiveness review"), (pending.reviewer,))
    if closing_gaps(nc):
        return manage("review", _l("Plan the effectiveness review"))
    return decide("close", _l("Close the nonconformity (signed)"))
