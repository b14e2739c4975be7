"""The home-page sections of dossier handling: the dossiers I hold, and the warning list of
unfinished dossiers due within a working day or overdue (mine; the whole commune's for the quality
officer)."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.auth.models import LEADER, QUALITY_OFFICER, STAFF
from qms.core.calendar import local_today
from qms.core.tasks import Task, register_section
from qms.dossiers import queries


def _task(dossier, today, detail):
    return Task(
        title=f"{dossier.code} · {dossier.procedure_name}",
        url=url_for("dossiers.show_dossier", code=dossier.code),
        detail=detail,
        due=dossier.due_date,
        overdue=dossier.due_date < today,
    )


def _warnings(dossiers, today):
    return [_task(d, today, _("Overdue") if d.due_date < today else _("Due within a working day")) for d in dossiers]


def my_warnings(user):
    return _warnings(queries.due_soon(user.commune_id, user_id=user.id), local_today())


def commune_warnings(user):
    return _warnings(queries.due_soon(user.commune_id), local_today())


def held(user):
    today = local_today()
    return [_task(d, today, _("Dossier to handle")) for d in queries.held_by(user.id)]


register_section(
    "dossiers-warnings",
    _l("Dossiers due soon or overdue"),
    (STAFF, LEADER),
    my_warnings,
    _l("None of your dossiers is due within a working day."),
    order=10,
)
register_section(
    "dossiers-commune-warnings",
    _l("The commune's dossiers due soon or overdue"),
    (QUALITY_OFFICER,),
    commune_warnings,
    _l("No dossier of the commune is due within a working day."),
    order=11,
)
register_section(
    "dossiers-held",
    _l("Dossiers I hold"),
    (STAFF, LEADER, QUALITY_OFFICER),
    held,
    _l("You hold no dossier."),
    order=12,
)
