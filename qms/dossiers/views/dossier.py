"""A dossier's page: what it is, where it stands and when it is due, the process it follows, the
applicant (for those handling it, each reading recorded), the process control sheet, and the action
forms the reader may use (their endpoints: views/steps.py)."""

import dataclasses

from flask import g, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.core.access import allow
from qms.core.calendar import local_today, utcnow
from qms.dossiers import forms as f
from qms.dossiers import permissions as perm
from qms.dossiers import queries, services
from qms.dossiers.models import DossierStatus
from qms.dossiers.views import actor, bp, dossier_or_404


@dataclasses.dataclass(frozen=True)
class StepState:
    number: int
    step: object  # qms.processes.maps.Step
    role: str
    state: str  # done, current, stopped, waiting, to_come


def step_states(dossier, process):
    """The process's steps, each done, in progress (current, or waiting for the citizen's
    supplement), stopped (refused or withdrawn there) or to come."""
    steps = process.steps
    index = next((i for i, s in enumerate(steps) if s.id == dossier.step_id), 0)
    finished = dossier.status in (DossierStatus.result_ready, DossierStatus.returned)
    current = {
        DossierStatus.in_progress: "current",
        DossierStatus.supplement: "waiting",
        DossierStatus.refused: "stopped",
        DossierStatus.withdrawn: "stopped",
    }.get(dossier.status, "done")
    out = []
    for i, step in enumerate(steps):
        if finished or i < index:
            state = "done"
        elif i == index:
            state = current
        else:
            state = "to_come"
        out.append(StepState(i + 1, step, process.roles.get(step.role, step.role), state))
    return out


def handler_choices(dossier):
    """Who the dossier can be handed to (read once per request)."""
    if "dossier_handlers" not in g:
        people = services.handlers_choice(current_user.commune)
        g.dossier_handlers = [SelectChoice(0, _l("— choose —"))] + [
            SelectChoice(u.id, u.full_name) for u in people if u.id != dossier.holder_id
        ]
    return g.dossier_handlers


def fill(form, dossier):
    if isinstance(form, f.HandOverForm):
        form.to_user.choices = handler_choices(dossier)
    return form


def offered_actions(user, dossier):
    """The names of the action forms `user` may use on the dossier as it stands (the services
    decide in the end; these are the ones worth offering)."""
    names = []
    if perm.can_act(user, dossier):
        if dossier.status is DossierStatus.in_progress:
            steps = dossier.process_map.process.steps
            last = steps[-1].id == dossier.step_id
            names.append("result_form" if last else "handover_form")
            if dossier.supplement_requested_at is None:
                names.append("supplement_form")
        elif dossier.status is DossierStatus.supplement:
            names.append("supplement_received_form")
        elif dossier.status is DossierStatus.result_ready:
            names.append("return_form")
        if dossier.is_open:
            names += ["refuse_form", "withdraw_form"]
    if (
        perm.can_extend(user, dossier)
        and dossier.is_open
        and dossier.apology_signed_at is None
        and local_today() < dossier.due_date
    ):
        names.append("apology_form")
    return names


FORM_CLASSES = {
    "handover_form": f.HandOverForm,
    "supplement_form": f.SupplementForm,
    "supplement_received_form": f.NotesForm,
    "result_form": f.NotesForm,
    "return_form": f.NotesForm,
    "refuse_form": f.RefuseForm,
    "withdraw_form": f.WithdrawForm,
    "apology_form": f.ApologyForm,
}


def dossier_page(dossier, status=200, forms=None):
    """The page; `forms` replaces blank action forms by those posted (with their errors). The
    applicant's details are shown (and their reading recorded) only on a page that is answered
    with success: a refused action's page, whose unit of work is undone, offers them by a link."""
    user = current_user
    process = dossier.process_map.process
    offered = offered_actions(user, dossier)
    shown = {name: fill(FORM_CLASSES[name](formdata=None), dossier) for name in offered}
    shown.update(forms or {})
    may_see_applicant = perm.can_see_applicant(user, dossier)
    applicant = services.read_applicant(actor(), dossier) if may_see_applicant and status == 200 else None
    step_due = services.step_due_at(dossier) if dossier.status is DossierStatus.in_progress else None
    return render_template(
        "dossiers/dossier.html",
        dossier=dossier,
        process=process,
        steps=step_states(dossier, process),
        current_step=next((s for s in process.steps if s.id == dossier.step_id), None),
        step_due=step_due,
        lines=queries.control_sheet(dossier),
        step_names={s.id: s.name for s in process.steps},
        original_due=queries.original_due_date(dossier),
        may_see_applicant=may_see_applicant,
        applicant=applicant,
        forms=shown,
        today=local_today(),
        now=utcnow(),
    ), status


@bp.get("/<path:code>")
@allow(*perm.READERS)
def show_dossier(code):
    return dossier_page(dossier_or_404(code))
